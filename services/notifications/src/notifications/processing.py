"""What notifications processes of whom and for what (the record of processing, Art. 30
GDPR)."""

from __future__ import annotations

from teilhabe.processing import DataCategory, Fields, Personal, Processing

_NOTIFYING = "telling staff and volunteers what they must know"
_BASIS = "Art. 6(1)(e) GDPR"
_RECIPIENT = Personal(
    "a staff member or volunteer receiving notices (user name, name, address, language, roles,"
    " when e-mails reach them)",
    _NOTIFYING,
    _BASIS,
)
_NOTICE = Personal(
    "a notice to a recipient: its text and the e-mail copy's address",
    _NOTIFYING,
    _BASIS,
    ("the city's mail server (e-mail)",),
)
_SUBJECT = Personal(
    "reference to the household or volunteer a notice is about",
    _NOTIFYING,
    _BASIS,
)
_WHO_TO_TELL = Personal(
    "a household's caseworker and mentorships (who to tell)", _NOTIFYING, _BASIS
)
_SHARING = "passing events to partner agencies as subscribed or consented"
_CONSENT = Personal(
    "a member's consent to share with an agency (as intake tells it)",
    _SHARING,
    "Art. 6(1)(a), 7 GDPR",
)
_SHARED_EVENT = Personal(
    "an event sent to an agency (references, the fields its subscription allows)",
    _SHARING,
    "the subscription's legal basis or the person's consent",
    ("the partner agency",),
    "deleted with the delivery log",
)

PROCESSING = Processing(
    activity="notifying staff and volunteers, and sharing events with partner agencies",
    purposes=(
        "Telling staff and volunteers what they must know of the households they care for "
        "(in the inbox and by e-mail), in their language and as they chose.",
        "Passing events to the partner agencies subscribed to them, statutory or with the "
        "person's consent, and only the fields the subscription allows.",
    ),
    legal_basis=(
        "Art. 6(1)(e) GDPR; for agencies, the subscription's legal basis or the person's "
        "consent (Art. 6(1)(a), 7 GDPR)"
    ),
    data_subjects=(
        "staff and volunteers receiving notices",
        "allocated households and volunteers the notices are about (by id)",
    ),
    categories=(
        DataCategory(
            "recipient",
            "user name, name, e-mail address, language, roles, choices (channels per "
            "occasion, time zone, quiet hours, time of the daily digest)",
        ),
        DataCategory(
            "recipient",
            "the notices: title and text, e-mail copy with its address, delivery attempts; "
            "the daily digest e-mail holding copies of the day's notices",
        ),
        DataCategory(
            "household", "caseworker and mentorships (who to tell), by the household's id"
        ),
        DataCategory(
            "household",
            "consents to share with agencies and whose consent the household's events need "
            "(the adult members, by id)",
        ),
        DataCategory(
            "partner agency",
            "webhook endpoints and subscriptions; the events sent to them with their bodies",
        ),
    ),
    external_recipients=(
        "the city's mail server (e-mail to staff and volunteers)",
        "partner agencies (e.g. the Jobcenter), by subscription over the broker or webhooks",
    ),
    fields=(
        Fields(
            "recipient",
            _RECIPIENT.of("id", "subject", "name", "email", "language", "roles")
            # When they want to hear of it: their zone, quiet hours and digest time.
            | _RECIPIENT.of("time_zone", "quiet_from", "quiet_until", "digest_at"),
        ),
        Fields("preference", _RECIPIENT.of("recipient_id"), not_personal=("event_type",)),
        Fields(
            "delivery",
            _RECIPIENT.of("recipient_id", "language")
            | _NOTICE.of("title", "body", "address")
            | _SUBJECT.of("household_id", "volunteer_id"),
            # digest_id: the digest delivery that carried it (its text is in `body`).
            not_personal=("event_id", "event_type", "last_error", "digest_id"),
        ),
        # Transport errors (an SMTP reply, a status line), never the notice.
        Fields("delivery_attempt", {}, not_personal=("error",)),
        Fields(
            "household",
            _SUBJECT.of("allocation_notice_number")
            | _WHO_TO_TELL.of("caseworker_id", "caseworker_since"),
        ),
        Fields(
            "mentorship",
            _SUBJECT.of("household_id", "volunteer_id") | _WHO_TO_TELL.of("matched_on", "ended_on"),
        ),
        Fields(
            "agency_consent",
            _SUBJECT.of("household_id", "member_id")
            | _CONSENT.of("agency_id", "purpose", "granted_on", "revoked_on"),
        ),
        # Whose consent a household's events need: its adult members, by reference.
        Fields(
            "agency_household",
            _SUBJECT.of("household_id", "deciding_members"),
            not_personal=("revision",),
        ),
        Fields(
            "webhook_delivery",
            _SHARED_EVENT.of("body"),
            not_personal=("event_id", "event_type", "last_error"),
        ),
        Fields("webhook_attempt", {}, not_personal=("error",)),
        # The partner agencies (authorities and associations) and their endpoints.
        Fields("agency", {}, not_personal=("id", "display_name")),
        Fields(
            "agency_subscription",
            {},
            not_personal=("agency_id", "event_type", "purpose", "fields", "legal_basis"),
        ),
        Fields(
            "webhook_endpoint",
            {},
            not_personal=("agency", "url", "secret", "previous_secret"),
        ),
        Fields("agency_inbox", {}, not_personal=("event_id", "event_type")),
        Fields(
            "subject_key",
            Personal(
                "a copy of a volunteer's key to their sealed name and address, or of a "
                "staff sign-in's key until it opened the sign-in",
                "reading the volunteer's contact from volunteer.registered, a staff "
                "member's from staff_member.signed_in",
                "Art. 5(1)(f), 32 GDPR",
            ).of("subject_id", "key"),
        ),
    ),
)
