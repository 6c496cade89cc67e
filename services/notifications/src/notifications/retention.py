"""How long notifications keeps each kind of record (see teilhabe.retention)."""

from __future__ import annotations

from teilhabe.retention import Exempt, Follows, Retention, Rule

# A notification has done its work once read or sent; half a year leaves time to look
# back at it in the inbox and the delivery log.
DELIVERY_DAYS = 180
# A webhook delivery carries an event as the agency saw it (references to people): kept
# as long as an administrator may need to replay it after the agency lost something.
WEBHOOK_DAYS = 30

RETENTION = Retention(
    [
        Rule(
            table="recipient",
            record="the directory entry of a staff member or volunteer (name, e-mail, roles)",
            clock_starts="the entry was last refreshed (sign-in, own settings)",
            clock="updated_at",
            keep_days=365,
            legal_basis="Art. 6(1)(e) GDPR, § 18 DSG NRW (staff data needed for the work)",
        ),
        Rule(
            table="subject_key",
            record="a copy of a volunteer's key (opens their sealed name and address), or "
            "of a staff sign-in's key (destroyed once it opened the sign-in)",
            clock_starts="the volunteer's directory entry is gone (removed, expired or "
            "erased); a sign-in's key never used: when it came",
            clock="CASE WHEN NOT EXISTS (SELECT 1 FROM recipient r WHERE r.id = "
            "'volunteer:' || subject_key.subject_id::text) THEN subject_key.created_at END",
            keep_days=30,
            legal_basis="Art. 5(1)(c), (e) GDPR (no longer needed once the entry is gone)",
        ),
        Rule(
            table="preference",
            record="a channel a recipient turned on or off",
            clock_starts="its recipient was removed",
            clock="TIMESTAMPTZ '1970-01-01 00:00:00+00'",
            where="NOT EXISTS (SELECT 1 FROM recipient r WHERE r.id = preference.recipient_id)",
            keep_days=0,
            legal_basis="Art. 5(1)(e) GDPR (no purpose without its recipient)",
        ),
        Exempt(
            "household",
            "a household's reference and caseworker, as a read model of intake; removed by "
            "an erasure of the household (no clock of its own)",
        ),
        Rule(
            table="mentorship",
            record="which volunteer accompanies which household (read model)",
            clock_starts="the mentorship ended",
            clock="ended_on",
            keep_days=DELIVERY_DAYS,
            legal_basis="Art. 6(1)(e) GDPR (who is told of a household)",
        ),
        Rule(
            table="delivery",
            record="a notification in an inbox or an e-mail (title, text, address), also a "
            "daily digest e-mail and the e-mails held for or sent within it",
            clock_starts="it was delivered (sent or given up), else created",
            clock="coalesce(sent_at, created_at)",
            where="status <> 'pending'",
            keep_days=DELIVERY_DAYS,
            legal_basis="Art. 6(1)(e) GDPR (telling staff what concerns them)",
        ),
        Exempt("agency", "a partner agency's name and title: no personal data"),
        Exempt(
            "agency_subscription",
            "which agency hears of which event type, for what: no personal data",
        ),
        Rule(
            table="agency_consent",
            record="the agency gateway's copy of a consent (references, agency, purpose)",
            clock_starts="the consent was revoked",
            clock="revoked_on",
            # Kept a while: a grant arriving after its revocation must still find it revoked.
            keep_days=30,
            legal_basis="Art. 5(1)(e), 7(3) GDPR (a revoked consent gates nothing)",
        ),
        Exempt(
            "agency_household",
            "whose consent a household's events need (member references), as a read model "
            "of intake; removed by an erasure of the household (no clock of its own)",
        ),
        Exempt(
            "agency_inbox",
            "ids of events the agency gateway handled; it deletes them after 30 days",
        ),
        Follows(
            table="delivery_attempt",
            parent="delivery",
            record="the delivery log: each attempt to send an e-mail and the answer",
        ),
        Exempt(
            "webhook_endpoint",
            "an agency's webhook address and its encrypted signing secret: no personal data",
        ),
        Rule(
            table="webhook_delivery",
            record="an event sent to an agency's webhook (references, as the agency may see it)",
            clock_starts="it was delivered or given up",
            clock="coalesce(delivered_at, created_at)",
            where="state IN ('delivered', 'dead')",
            keep_days=WEBHOOK_DAYS,
            legal_basis="Art. 6(1)(e) GDPR with the person's consent or the statutory basis "
            "of the agency's subscription",
        ),
        Follows(
            table="webhook_attempt",
            parent="webhook_delivery",
            record="the webhook delivery log: each attempt and the receiver's answer",
        ),
    ]
)
