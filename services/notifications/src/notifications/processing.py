"""What notifications processes of whom and for what (the record of processing, Art. 30
GDPR)."""

from __future__ import annotations

from teilhabe.processing import DataCategory, Processing

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
        DataCategory("recipient", "user name, name, e-mail address, language, roles, choices"),
        DataCategory(
            "recipient",
            "the notices: title and text, e-mail copy with its address, delivery attempts",
        ),
        DataCategory(
            "household", "caseworker and mentorships (who to tell), by the household's id"
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
)
