"""How long courses keeps each kind of record (see teilhabe.retention)."""

from __future__ import annotations

from teilhabe.retention import Exempt, Follows, Retention, Rule

# Attendance of integration courses may be asked for by the BAMF and the immigration
# office for three years after the course (§§ 8, 14 IntV); other offers the same.
COURSE_DAYS = 3 * 365
# Work records serve the caseworker and the city's monthly figures: two years after an
# employment ended, long enough for the figures of the year before.
WORK_DAYS = 2 * 365

RETENTION = Retention(
    [
        Rule(
            table="course",
            record="an offer (kind, provider, dates, place, seats) and its creator's account",
            clock_starts="the offer ended (its start when no end is known)",
            clock="coalesce(ends_on, starts_on)",
            keep_days=COURSE_DAYS,
            legal_basis="Art. 6(1)(e) GDPR; §§ 8, 14 IntV",
        ),
        Rule(
            table="enrollment",
            record="a person's seat or waitlist place in an offer, its completion and result",
            clock_starts="the withdrawal, else the end of the offer",
            clock="coalesce(withdrawn_at, (SELECT CAST(coalesce(c.ends_on, c.starts_on) "
            "AS timestamptz) FROM course c WHERE c.id = enrollment.course_id))",
            keep_days=COURSE_DAYS,
            legal_basis="Art. 6(1)(e) GDPR; §§ 8, 14 IntV",
        ),
        Rule(
            table="person",
            record="who may enrol (age group, languages, team) from household.assigned",
            clock_starts="courses learned of the person, once no enrolment of theirs is kept",
            clock="received_at",
            where="NOT EXISTS (SELECT 1 FROM enrollment e WHERE e.member_id = person.member_id)",
            keep_days=COURSE_DAYS,
            legal_basis="Art. 6(1)(e) GDPR; § 44 AufenthG (entitlement to a course)",
        ),
        Follows(
            table="course_session",
            parent="course",
            record="a dated session of an offer (times, topic, who planned it)",
        ),
        Rule(
            table="guest",
            record="a local's or volunteer's name and one contact, as a guest of an offer",
            clock_starts="the day after the offer ended: guests join only offers with an end",
            clock="(SELECT CAST(coalesce(c.ends_on, c.starts_on) + 1 AS timestamptz) "
            "FROM course c WHERE c.id = guest.course_id)",
            keep_days=0,
            legal_basis="Art. 6(1)(a) GDPR (they asked to join); Art. 5(1)(c), (e) GDPR",
        ),
        Rule(
            table="employment",
            record="a person's employment (employer category, hours, permit status, dates)",
            clock_starts="the employment ended",
            clock="CAST(ended_on AS timestamptz)",
            where="ended_on IS NOT NULL",
            keep_days=WORK_DAYS,
            legal_basis="Art. 6(1)(e) GDPR; § 44 AufenthG, § 16d SGB II (placement into work)",
        ),
        Rule(
            table="work_permit",
            record="whether a person may work (status, until when), as staff recorded it",
            clock_starts="it was last recorded, once no employment of theirs is kept",
            clock="recorded_at",
            where="NOT EXISTS (SELECT 1 FROM employment e "
            "WHERE e.member_id = work_permit.member_id)",
            keep_days=WORK_DAYS,
            legal_basis="Art. 6(1)(e) GDPR; § 4a AufenthG (whether employment is allowed)",
        ),
        Rule(
            table="work_permit_change",
            record="each recording of a person's permit status (its history)",
            clock_starts="it was recorded, once no employment of theirs is kept",
            clock="recorded_at",
            where="NOT EXISTS (SELECT 1 FROM employment e "
            "WHERE e.member_id = work_permit_change.member_id)",
            keep_days=WORK_DAYS,
            legal_basis="Art. 6(1)(e) GDPR; § 4a AufenthG (whether employment is allowed)",
        ),
        Rule(
            table="jobcenter_handover",
            record="a handover of a person to the Jobcenter (date, permit status)",
            clock_starts="the handover",
            clock="CAST(handed_over_on AS timestamptz)",
            keep_days=WORK_DAYS,
            legal_basis="Art. 6(1)(e) GDPR; § 16d SGB II, § 44 AufenthG (placement into work)",
        ),
        Rule(
            table="work_consent",
            record="a person's consent to a partner agency, as intake told it",
            clock_starts="the consent was revoked",
            clock="CAST(revoked_on AS timestamptz)",
            where="revoked_on IS NOT NULL",
            keep_days=WORK_DAYS,
            legal_basis="Art. 6(1)(a), 7(1) GDPR (showing what the Jobcenter may receive)",
        ),
        Rule(
            table="work_opportunity",
            record="a work opportunity (kind, employer category, hours, place, seats, dates)",
            clock_starts="the opportunity ended (its start when no end is known)",
            clock="CAST(coalesce(ends_on, starts_on) AS timestamptz)",
            keep_days=WORK_DAYS,
            legal_basis="Art. 6(1)(e) GDPR; § 5 AsylbLG, § 16d SGB II",
        ),
        Rule(
            table="work_placement",
            record="a person's placement into a work opportunity (dates, outcome)",
            clock_starts="the placement ended or was withdrawn, else it was proposed",
            clock="CAST(coalesce(ended_on, started_on, proposed_on) AS timestamptz)",
            where="status IN ('ended', 'withdrawn')",
            keep_days=WORK_DAYS,
            legal_basis="Art. 6(1)(e) GDPR; § 5 AsylbLG, § 16d SGB II (placement into work)",
        ),
        Rule(
            table="school_place_request",
            record="a school place needed for a child (age, languages) from intake, and "
            "its outcome (the school or Kita, waiting, or closed with a reason)",
            clock_starts="the outcome was recorded, else the request",
            clock="coalesce(decided_at, CAST(requested_on AS timestamptz))",
            keep_days=365,
            legal_basis="Art. 6(1)(e) GDPR, § 34(6) SchulG NRW (finding the school place)",
        ),
        Rule(
            table="calendar_feed",
            record="an offer's or a participant's calendar feed (the hashed address, when "
            "issued and last fetched)",
            clock_starts="it was last fetched, or issued if never",
            clock="COALESCE(last_fetched_at, issued_at)",
            keep_days=365,
            legal_basis="Art. 6(1)(e) GDPR (taking part in the offer); an address unused for "
            "a year is ended",
        ),
        Exempt(
            "inbound_inbox",
            "ids of handled reports course providers sent in; the consumer deletes them "
            "after 30 days",
        ),
        Follows(
            table="seat_offer",
            parent="enrollment",
            record="a freed seat offered to a waiting person, its deadline and answer",
        ),
        Follows(
            table="session_attendance",
            parent="enrollment",
            record="a participant's attendance at one session (present, excused, absent)",
        ),
    ]
)
