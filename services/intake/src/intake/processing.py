"""What intake processes of whom and for what (the record of processing, Art. 30 GDPR)."""

from __future__ import annotations

from teilhabe.processing import DataCategory, Fields, Personal, Processing

_CARE = "reception and social care of the household"
_BASIS = "Art. 6(1)(c), (e) GDPR; § 50 AsylG, § 12a AufenthG, FlüAG NRW, DSG NRW"
_SERVICES = "housing, courses, volunteers, notifications (by event)"

# What travels by event is a reference (household and member ids), an age group and
# languages, never a name or a birth date (see teilhabe.events.households).
_REFERENCE = Personal("reference to a household or member", _CARE, _BASIS, (_SERVICES,))
_ALLOCATION = Personal(
    "allocation (notice, dates, authority)", _CARE, _BASIS, ("housing, courses, volunteers",)
)
_IDENTITY = Personal("identity (name, birth, sex, nationality)", _CARE, _BASIS)
_LANGUAGES = Personal("languages spoken", _CARE, _BASIS, ("courses, volunteers (by event)",))
_RESIDENCE = Personal(
    "residence status and its expiry",
    _CARE,
    _BASIS,
    ("notifications (by event member.residence_status_changed, _expiring)",),
)
_HEALTH = Personal(
    "special needs (health, disability): Art. 9 GDPR",
    "housing and care suited to the person's needs",
    "Art. 9(2)(b), (h) GDPR",
    ("housing (as the flag needs_accessible_housing)",),
)
_CASE = Personal("social care: notes, follow-ups, appointments", _CARE, _BASIS)
_STAFF = Personal(
    "staff member acting (user name)",
    "who did what in a case (accountability)",
    "Art. 5(2), 6(1)(e) GDPR, § 18 DSG NRW",
)
_CASEWORKER = Personal(
    "the household's caseworker (user name)",
    _CARE,
    _BASIS,
    ("notifications (by event caseworker.assigned, follow_up.due)",),
)
_CONSENT = Personal(
    "consent to share with an agency",
    "sharing events with partner agencies only as the person agreed",
    "Art. 6(1)(a), 7 GDPR",
    ("notifications (by event consent.granted, consent.revoked)",),
)
_ERASURE = Personal(
    "request to erase a person's data",
    "proof of the erasure",
    "Art. 5(2), 17 GDPR",
    ("every service (by event erasure.requested, the subject's id only)",),
)
_IMPORT_DRAFT = Personal(
    "a previewed allocation list's households (identity, residence status, needs), until imported",
    _CARE,
    "Art. 6(1)(c), (e), 9(2)(b), (h) GDPR; § 50 AsylG, FlüAG NRW",
)
_SIGN_IN = Personal(
    "staff member known from the sign-in (user name, name, roles, teams)",
    "showing staff their cases and whom to tell",
    "Art. 6(1)(e) GDPR, § 18 DSG NRW",
)

PROCESSING = Processing(
    activity="reception and social care of refugees allocated to the city",
    purposes=(
        "Receiving the households the state allocates to the city, recording their members "
        "and their residence status, and their social care by the city's caseworkers "
        "(case notes, follow-ups, appointments).",
        "Recording consents to share data with partner agencies, and requests to erase "
        "a person's data.",
    ),
    legal_basis=(
        "Art. 6(1)(c), (e) GDPR with § 50 AsylG, § 12a AufenthG, the FlüAG NRW and the "
        "DSG NRW; Art. 9(2)(b), (h) GDPR for health needs; consents by Art. 6(1)(a), 7 GDPR"
    ),
    data_subjects=(
        "members of allocated households (adults and minors)",
        "the city's staff (caseworkers, team leads, data-protection officer)",
    ),
    categories=(
        DataCategory(
            "household",
            "allocation notice number and date, allocating authority, expected arrival, "
            "team and caseworker, housing status",
        ),
        DataCategory(
            "member",
            "given and family name, date of birth, sex, nationality, languages, residence "
            "status with its history and expiry",
        ),
        DataCategory(
            "member",
            "special needs (e.g. a disability, barrier-free housing), case notes of the "
            "social care",
            "Art. 9 GDPR (health), as the care needs it",
        ),
        DataCategory(
            "member", "consents to share with an agency for a purpose, with their evidence"
        ),
        DataCategory(
            "household",
            "appointments with it or a member: time, place, interpreter and language, "
            "caseworker; follow-ups with their reason",
        ),
        DataCategory(
            "member",
            "referrals to partner agencies and services (where, purpose, state); the "
            "residence obligation (§ 12a AufenthG) and the case's closure",
        ),
        DataCategory("staff", "user name, name, roles and teams, last sign-in"),
        DataCategory(
            "staff",
            "a caseworker's calendar feed: its address kept hashed, whether it shows "
            "names, when issued and last fetched",
        ),
    ),
    external_recipients=(
        "the immigration office and the Bezirksregierung, as the law requires (by the "
        "caseworkers, outside this system)",
        "a partner agency a person is referred to, if connected: the referral's reference "
        "and state, with the person's consent (agency gateway)",
    ),
    fields=(
        Fields(
            "household",
            _ALLOCATION.of(
                "allocation_notice_number",
                "allocated_on",
                "allocating_authority",
                "expected_arrival_on",
            )
            | _CASEWORKER.of("caseworker_id")
            | _HEALTH.of("needs_accessible_housing")
            | Personal("where the household lives", _CARE, _BASIS).of(
                "housing_status", "housing_site", "housing_unit"
            )
            | Personal(
                "the case's closure (day, reason)",
                _CARE,
                _BASIS,
                ("housing, courses, volunteers (by event household.case_closed)",),
            ).of("closed_on", "closure_reason", "closed_at")
            | _STAFF.of("closed_by")
            | Personal(
                "the household's team",
                "need to know: which team's staff may see it",
                _BASIS,
                ("housing, courses (by event)",),
            ).of("team"),
        ),
        Fields(
            "member",
            _REFERENCE.of("household_id")
            | _IDENTITY.of("given_name", "family_name", "date_of_birth", "sex", "nationality")
            | _LANGUAGES.of("languages")
            | _RESIDENCE.of("residence_status", "residence_status_expires_on")
            | _HEALTH.of("special_needs"),
        ),
        Fields(
            "member_change",
            _REFERENCE.of("household_id", "member_id")
            | _CASE.of("kind", "reason")
            | _STAFF.of("recorded_by"),
        ),
        Fields(
            "residence_status_record",
            _REFERENCE.of("member_id")
            | _RESIDENCE.of(
                "residence_status", "previous_residence_status", "valid_from", "expires_on"
            )
            | _STAFF.of("recorded_by"),
        ),
        Fields(
            "residence_obligation",
            _REFERENCE.of("household_id", "member_id")
            | Personal(
                "residence obligation (§ 12a AufenthG)",
                _CARE,
                _BASIS,
                ("notifications (by event member.residence_obligation_ending)",),
            ).of("recognised_on", "bound_until", "lifted_on", "lift_reason")
            | _STAFF.of("recorded_by"),
        ),
        Fields(
            "referral",
            _REFERENCE.of("household_id", "member_id")
            | Personal(
                "referral to a partner agency or service (where, purpose, state)",
                _CARE,
                _BASIS,
                ("the named partner agency, by event with the person's consent",),
            ).of("target", "agency", "purpose", "state", "sent_on", "state_changed_on")
            | _STAFF.of("created_by", "state_changed_by"),
        ),
        Fields(
            "case_note",
            _REFERENCE.of("household_id", "member_id")
            | _CASE.of("noted_on", "text")
            | _STAFF.of("author"),
            not_personal=("category",),
        ),
        Fields(
            "appointment",
            _REFERENCE.of("household_id", "member_id")
            | _CASE.of("place", "interpreter_language")
            | _CASEWORKER.of("caseworker")
            | _STAFF.of("created_by"),
            not_personal=("cancel_reason",),
        ),
        Fields(
            "follow_up",
            _REFERENCE.of("household_id", "member_id")
            | _CASE.of("due_on", "reason", "done_on")
            | _CASEWORKER.of("assignee")
            | _STAFF.of("created_by", "done_by"),
            not_personal=("done_reason",),
        ),
        Fields(
            "consent",
            _REFERENCE.of("household_id", "member_id")
            | _CONSENT.of("agency", "purpose", "granted_on", "evidence_reference", "revoked_on")
            | _STAFF.of("recorded_by", "revoked_by"),
        ),
        Fields(
            "erasure_request",
            _ERASURE.of("subject_id", "reason") | _STAFF.of("requested_by"),
            not_personal=("subject_kind",),
        ),
        Fields("erasure_confirmation", {}, not_personal=("service",)),
        Fields(
            "archive_offer",
            Personal(
                "that the household's case file was offered to the archive",
                "proof of the offer to the city's archive (ArchivG NRW)",
                "Art. 5(2) GDPR, §§ 4, 10 ArchivG NRW",
                ("the city's archive (the file itself, from ARCHIVE_OFFER_DIR)",),
            ).of("household_id"),
            not_personal=("file_name", "sha256"),
        ),
        Fields(
            "allocation_import",
            _ALLOCATION.of("problems", "skipped") | _STAFF.of("uploaded_by", "imported_by"),
            not_personal=(
                "file_name",
                "teams",
                "row_count",
                "ready_count",
                "imported_count",
            ),
        ),
        Fields(
            "allocation_import_draft",
            _IMPORT_DRAFT.of("households"),
        ),
        Fields("staff_member", _SIGN_IN.of("subject", "name", "roles", "teams")),
        Fields(
            "subject_key",
            Personal(
                "the key of a staff sign-in's sealed name and address, until it opened it",
                "reading a staff member's name from staff_member.signed_in",
                "Art. 5(1)(f), 32 GDPR",
            ).of("subject_id", "key"),
        ),
        Fields("inbound_inbox", {}, not_personal=("event_id", "event_type")),
        Fields(
            "calendar_feed",
            Personal(
                "a caseworker's calendar feed (whose, when issued and last fetched)",
                "a caseworker's appointments and follow-ups in their own calendar",
                "Art. 6(1)(e) GDPR, § 18 DSG NRW",
            ).of("holder", "issued_at", "last_fetched_at"),
            not_personal=("token_hash", "show_names"),
        ),
    ),
)
