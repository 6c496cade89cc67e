"""How long volunteers keeps each kind of record (see teilhabe.retention)."""

from __future__ import annotations

from teilhabe.retention import Exempt, Follows, Retention, Rule

INACTIVE_DAYS = 3 * 365

RETENTION = Retention(
    [
        Follows(
            table="subject_key",
            parent="volunteer",
            record="the volunteer's key, with which their name and address travel sealed",
        ),
        Rule(
            table="volunteer",
            record="a volunteer's registration (name, contact, skills, availability)",
            clock_starts="registration or the end of their last mentorship, none running",
            clock="greatest(created_at, (SELECT CAST(max(m.ended_on) AS timestamptz) "
            "FROM match m WHERE m.volunteer_id = volunteer.id))",
            where="NOT EXISTS (SELECT 1 FROM match m WHERE m.volunteer_id = volunteer.id "
            "AND m.ended_on IS NULL)",
            keep_days=INACTIVE_DAYS,
            legal_basis="Art. 6(1)(a) and (e) GDPR (the volunteer's registration)",
        ),
        Exempt(
            "police_clearance",
            "deleted on its own deletion day by a timer, at the latest three months after "
            "the activity ended (§ 72a(5) SGB VIII), and with its volunteer",
        ),
        Rule(
            table="match",
            record="a mentorship: which volunteer accompanied which household, when",
            clock_starts="the mentorship ended",
            clock="ended_on",
            keep_days=INACTIVE_DAYS,
            legal_basis="Art. 6(1)(e) GDPR (coordination of volunteers)",
        ),
        Rule(
            table="household",
            record="what matching needs of a household (minors yes/no, languages)",
            clock_starts="volunteers learned of it, once no mentorship of it is kept",
            clock="received_at",
            where="NOT EXISTS (SELECT 1 FROM match m "
            "WHERE m.household_id = household.household_id)",
            keep_days=INACTIVE_DAYS,
            legal_basis="Art. 6(1)(e) GDPR (coordination of volunteers)",
        ),
        Exempt("facility", "a place volunteers work at: no personal data"),
        Exempt("shift_template", "a recurring shift of a facility: no personal data"),
        Exempt("shift", "a shift of a facility, its times and slots: no personal data"),
        Rule(
            table="shift_signup",
            record="which volunteer held a slot of which shift",
            clock_starts="the sign-up (the shift lies within days of it)",
            clock="created_at",
            keep_days=365,
            legal_basis="Art. 6(1)(a) and (e) GDPR (coordination of volunteers)",
        ),
        Rule(
            table="help_request",
            record="a request for help by staff: what, when, who asked, who took it",
            clock_starts="the time it was needed",
            clock="ends_at",
            keep_days=365,
            legal_basis="Art. 6(1)(e) GDPR (coordination of volunteers)",
        ),
        Rule(
            table="calendar_feed",
            record="a volunteer's calendar feed (the hashed address, when issued and last fetched)",
            clock_starts="it was last fetched, or issued if never",
            clock="COALESCE(last_fetched_at, issued_at)",
            keep_days=365,
            legal_basis="Art. 6(1)(a) GDPR (the volunteer asked for it); an address unused "
            "for a year is ended",
        ),
        Follows(
            "help_request_offer",
            "help_request",
            "which volunteers a help request reached",
        ),
    ]
)
