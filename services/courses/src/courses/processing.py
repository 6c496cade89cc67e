"""What courses processes of whom and for what (the record of processing, Art. 30 GDPR)."""

from __future__ import annotations

from teilhabe.processing import DataCategory, Fields, Personal, Processing

_OFFERING = "offering courses to the members of allocated households"
_BASIS = "Art. 6(1)(e) GDPR, § 44 AufenthG, §§ 8, 14 IntV"
_PERSON = Personal(
    "a member (reference, age group, languages, team) as intake tells it",
    _OFFERING,
    _BASIS,
)
_ENROLMENT = Personal(
    "a member's enrolment, attendance and result",
    _OFFERING,
    _BASIS,
    ("intake, notifications, agencies by subscription (by event course.*)",),
)
_WORK = Personal(
    "a member's work permit status and employments (employer category, hours, dates)",
    "supporting people into work and the city's monthly figures",
    "Art. 6(1)(e) GDPR, § 4a AufenthG, § 16d SGB II",
    (
        "notifications, the Jobcenter with the person's consent (by event employment.*, "
        "work_placement.*)",
    ),
)
_GUEST = Personal(
    "a guest of a community offer (a local or a volunteer): name and one contact",
    "letting locals and volunteers join community offers and reaching them if it changes",
    "Art. 6(1)(a) GDPR (they asked to join)",
)
_STAFF = Personal(
    "staff member acting (user name)",
    "who did what (accountability)",
    "Art. 5(2), 6(1)(e) GDPR, § 18 DSG NRW",
)

PROCESSING = Processing(
    activity="language, education, work, leisure and community offers",
    purposes=(
        "Offering integration, language and other courses to the members of allocated "
        "households, enrolling them, recording their attendance and their results.",
        "Letting locals and volunteers join community offers (Begegnungscafé, "
        "neighbourhood festival, sports club trial) beside allocated people.",
    ),
    legal_basis="Art. 6(1)(e) GDPR with § 44 AufenthG and §§ 8, 14 IntV",
    data_subjects=(
        "members of allocated households (by their id, age group and languages)",
        "staff planning courses (user names)",
        "locals and volunteers joining community offers as guests",
    ),
    categories=(
        DataCategory("member", "age group, languages, household and team"),
        DataCategory(
            "member",
            "enrolments and waitlist places, seat offers and their answers, attendance per "
            "session, completion and result (e.g. the DTZ level)",
        ),
        DataCategory(
            "guest",
            "name and one contact (phone or e-mail) for the offer joined; deleted the day "
            "after it ends or when the guest leaves",
        ),
        DataCategory(
            "member",
            "work permit status with its history, employments (employer category, hours per "
            "week, dates; no employer names), handovers to the Jobcenter and the consent to "
            "it, placements into work opportunities (internships, Arbeitsgelegenheiten)",
        ),
        DataCategory(
            "member",
            "school-place requests for children in school duty (age, languages) and their "
            "outcome (the school or Kita found, waiting, or closed with a reason)",
        ),
        DataCategory("staff", "user name of who created, enrolled, recorded"),
    ),
    external_recipients=(
        "the BAMF and the immigration office, for integration courses as the IntV requires "
        "(by the coordinators, outside this system)",
    ),
    fields=(
        Fields(
            "person",
            _PERSON.of(
                "member_id", "household_id", "languages", "allocation_notice_number", "team"
            ),
        ),
        Fields(
            "enrollment",
            _ENROLMENT.of("member_id", "household_id", "result")
            | _STAFF.of("requested_by", "withdrawn_by", "completed_by"),
        ),
        Fields("session_attendance", _STAFF.of("recorded_by")),
        Fields(
            "seat_offer",
            _ENROLMENT.of("member_id", "household_id") | _STAFF.of("answered_by"),
        ),
        Fields(
            "employment",
            _WORK.of(
                "member_id",
                "household_id",
                "employer_category",
                "hours_per_week",
                "work_permit_status",
                "started_on",
                "ended_on",
                "end_reason",
            )
            | _STAFF.of("recorded_by", "ended_by"),
        ),
        Fields(
            "work_permit",
            _WORK.of("member_id", "household_id", "status", "valid_until")
            | _STAFF.of("recorded_by"),
        ),
        Fields(
            "work_permit_change",
            _WORK.of("member_id", "household_id", "status", "valid_until")
            | _STAFF.of("recorded_by"),
        ),
        Fields(
            "jobcenter_handover",
            _WORK.of("member_id", "household_id", "handed_over_on", "work_permit_status")
            | _STAFF.of("recorded_by"),
        ),
        Fields(
            "work_consent",
            Personal(
                "a member's consent to share with a partner agency (agency, purpose, dates)",
                "showing staff whether a handover reaches the Jobcenter",
                "Art. 6(1)(a), 7(1) GDPR",
            ).of("member_id", "household_id", "agency", "purpose", "granted_on", "revoked_on"),
        ),
        Fields(
            "work_placement",
            _WORK.of(
                "member_id",
                "household_id",
                "work_permit_status",
                "proposed_on",
                "started_on",
                "ended_on",
                "outcome",
            )
            | _STAFF.of("recorded_by", "changed_by"),
        ),
        Fields(
            "work_opportunity",
            _STAFF.of("created_by"),
            not_personal=(
                "title",
                "employer_category",
                "hours_per_week",
                "place",
                "postcode",
                "seats",
                "starts_on",
                "ends_on",
                "team",
            ),
        ),
        # The catalogue: offers and their sessions, no participant.
        Fields(
            "course",
            _STAFF.of("created_by"),
            not_personal=(
                "provider",
                "title",
                "level",
                "starts_on",
                "ends_on",
                "weekly_times",
                "place",
                "team",
                "languages",
            ),
        ),
        Fields("guest", _GUEST.of("name", "contact") | _STAFF.of("added_by")),
        Fields("course_session", _STAFF.of("created_by"), not_personal=("topic",)),
        Fields("inbound_inbox", {}, not_personal=("event_id", "event_type")),
        Fields(
            "calendar_feed",
            Personal(
                "a participant's calendar feed (whose, by member id; when issued and last "
                "fetched), or an offer's",
                "a participant's sessions in their own calendar",
                "Art. 6(1)(e) GDPR, § 44 AufenthG",
            ).of("holder", "issued_at", "last_fetched_at"),
            not_personal=("token_hash", "show_names"),
        ),
        Fields(
            "school_place_request",
            Personal(
                "a child's school-place request (age, languages)",
                "finding a school place for a child in school duty",
                "Art. 6(1)(e) GDPR, § 34(6) SchulG NRW",
                ("intake, for the child's caseworker (by event school_place.*)",),
            ).of(
                "member_id",
                "household_id",
                "age",
                "languages",
                "requested_on",
                "status",
                "institution",
                "institution_name",
                "close_reason",
                "decided_at",
            )
            | _STAFF.of("decided_by"),
        ),
    ),
)
