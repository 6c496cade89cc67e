"""What volunteers processes of whom and for what (the record of processing, Art. 30 GDPR)."""

from __future__ import annotations

from teilhabe.processing import DataCategory, Fields, Personal, Processing

_MENTORING = "registering volunteers and matching them with households"
_BASIS = "Art. 6(1)(a), (e) GDPR"
_VOLUNTEER = Personal(
    "a volunteer's identity and contact (name, e-mail, phone, user name)",
    _MENTORING,
    _BASIS,
    (
        "notifications (by event volunteer.registered: name and e-mail sealed with the "
        "volunteer's key, language)",
    ),
)
_OFFER = Personal("what a volunteer offers (languages, skills, availability)", _MENTORING, _BASIS)
_CLEARANCE = Personal(
    "police clearance (dates, whether a relevant conviction is recorded): Art. 10 GDPR",
    "protecting minors (§ 72a SGB VIII)",
    "§ 72a SGB VIII, Art. 10 GDPR",
)
_HOUSEHOLD = Personal(
    "a household (reference, languages, whether minors live there) as intake tells it",
    _MENTORING,
    "Art. 6(1)(e) GDPR",
)
_MATCH = Personal(
    "a mentorship between a volunteer and a household",
    _MENTORING,
    _BASIS,
    ("notifications (by event volunteer.matched, mentorship.ended)",),
)
_SHIFTS = Personal(
    "which shifts a volunteer signed up for, and which help requests reached and were "
    "taken by them",
    "planning shifts and passing requests for help to volunteers",
    _BASIS,
    ("notifications (by event shift.cancelled, help_request.opened, help_request.accepted)",),
)
_REQUEST = Personal(
    "what staff asked volunteers for help with, where and when",
    "passing requests for help to volunteers",
    "Art. 6(1)(e) GDPR",
)
_STAFF = Personal(
    "staff member acting (user name)",
    "who did what (accountability)",
    "Art. 5(2), 6(1)(e) GDPR, § 18 DSG NRW",
)

PROCESSING = Processing(
    activity="volunteer mentoring of allocated households",
    purposes=(
        "Registering volunteers, checking their police clearance before they work with "
        "minors, and matching them with households as mentors.",
        "Planning shifts at facilities that volunteers sign up for, and passing requests "
        "for help from staff to the volunteers who match them.",
    ),
    legal_basis=(
        "Art. 6(1)(a), (e) GDPR; § 72a SGB VIII with Art. 10 GDPR for the police clearance"
    ),
    data_subjects=(
        "volunteers",
        "staff asking volunteers for help",
        "allocated households (by their id, languages and whether minors live there)",
    ),
    categories=(
        DataCategory(
            "volunteer",
            "name, e-mail address, phone, preferred language, languages, skills, "
            "availability, user name",
        ),
        DataCategory(
            "volunteer",
            "police clearance: when inspected and issued, whether a relevant conviction is "
            "recorded (never its content)",
            "Art. 10 GDPR (criminal convictions)",
        ),
        DataCategory("household", "languages, minors living there, mentorships with dates"),
        DataCategory("volunteer", "shifts signed up for, help requests offered and accepted"),
        DataCategory("staff", "user name of who asked for help"),
    ),
    fields=(
        Fields(
            "volunteer",
            _VOLUNTEER.of(
                "display_name", "email", "phone", "preferred_language", "subject", "postcode"
            )
            | _OFFER.of("languages", "skills", "available_weekdays", "availability_note")
            | _STAFF.of("registered_by"),
        ),
        Fields(
            "subject_key",
            Personal(
                "the volunteer's key to their sealed name and address in events",
                "crypto-shredding: an erasure makes every copy of those fields unreadable",
                "Art. 5(1)(f), 17, 32 GDPR",
                ("notifications (by event volunteer.key_issued)",),
            ).of("subject_id", "key"),
        ),
        Fields(
            "police_clearance",
            _CLEARANCE.of(
                "volunteer_id", "inspected_on", "issued_on", "relevant_conviction", "delete_after"
            ),
        ),
        Fields(
            "household",
            _HOUSEHOLD.of("household_id", "allocation_notice_number", "has_minors", "languages"),
        ),
        Fields(
            "match",
            _MATCH.of("volunteer_id", "household_id", "started_on", "ended_on")
            | _STAFF.of("matched_by"),
        ),
        Fields("facility", {}, not_personal=("name", "kind", "address")),
        Fields("shift_template", {}, not_personal=("title", "starts", "ends", "needs_clearance")),
        Fields(
            "shift",
            _STAFF.of("created_by"),
            not_personal=("title", "starts_at", "ends_at", "needs_clearance", "cancelled_at"),
        ),
        Fields("shift_signup", _SHIFTS.of("shift_id", "volunteer_id", "created_at")),
        Fields(
            "help_request",
            _REQUEST.of("title", "place", "language", "skill", "starts_at", "ends_at")
            | _SHIFTS.of("accepted_by", "accepted_at")
            | _STAFF.of("requested_by"),
        ),
        Fields("help_request_offer", _SHIFTS.of("help_request_id", "volunteer_id")),
        Fields(
            "calendar_feed",
            Personal(
                "a volunteer's calendar feed (whose, when issued and last fetched)",
                "a volunteer's shifts and help requests in their own calendar",
                "Art. 6(1)(a) GDPR",
            ).of("holder", "issued_at", "last_fetched_at"),
            not_personal=("token_hash", "show_names"),
        ),
    ),
)
