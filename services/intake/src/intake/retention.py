"""How long intake keeps each kind of record (see teilhabe.retention)."""

from __future__ import annotations

from teilhabe.retention import Exempt, Follows, Retention, Rule

from intake.archive import offer_case_files

# A household's social-care file: the purpose ends when it has left the city's housing.
CASE_FILE_DAYS = 5 * 365
# An import's report: a year, to answer what came from which list.
IMPORT_REPORT_DAYS = 365

RETENTION = Retention(
    [
        Rule(
            table="household",
            record="a household's case file (allocation, team, caseworker, housing status)",
            clock_starts="its case was closed, or else it moved out of the city's accommodation",
            clock="COALESCE(closed_at, "
            "CASE WHEN housing_status = 'moved_out' THEN housing_status_at END)",
            keep_days=CASE_FILE_DAYS,
            legal_basis="Art. 5(1)(e), 17(1)(a) GDPR; § 84(2) SGB X; the city's filing plan "
            "keeps social-care files five years after the case ended",
            # Offered to the city's archive first (§§ 4, 10 ArchivG NRW): intake.archive.
            archive=offer_case_files,
        ),
        Follows(
            table="member",
            parent="household",
            record="a member's personal data (name, birth date, residence status, needs)",
        ),
        Follows(
            table="member_change",
            parent="household",
            record="how a household's members changed (kind, reason, who, when)",
        ),
        Follows(
            table="residence_status_record",
            parent="member",
            record="a member's residence status history (status, valid from, expiry)",
        ),
        Follows(
            table="consent",
            parent="household",
            record="a member's consent to share with an agency (agency, purpose, dates, "
            "where the declaration is kept)",
        ),
        Exempt(
            "inbound_inbox",
            "ids of handled events agencies sent in; the consumer deletes them after 30 days",
        ),
        Follows(
            table="case_note",
            parent="household",
            record="case notes and their addenda (the team's record of its work)",
        ),
        Follows(
            table="appointment",
            parent="household",
            record="appointments with a household (time, place, interpreter, caseworker)",
        ),
        Follows(
            table="residence_obligation",
            parent="household",
            record="a member's residence obligation (§ 12a AufenthG: until when, lifted "
            "when and why)",
        ),
        Follows(
            table="referral",
            parent="household",
            record="referrals of a member to an agency or service (where, purpose, state)",
        ),
        Follows(
            table="follow_up",
            parent="household",
            record="follow-ups of a household (day, reason, whose list, when done)",
        ),
        Rule(
            table="allocation_import",
            record="the report of an allocation list imported from a file (rows with "
            "problems and why, notice numbers skipped, who uploaded and imported it)",
            clock_starts="the list was uploaded",
            clock="uploaded_at",
            keep_days=IMPORT_REPORT_DAYS,
            legal_basis="Art. 5(2), 6(1)(e) GDPR (accountability for what was registered "
            "from the state's list); the households themselves are kept by their own rule",
        ),
        Rule(
            table="allocation_import_draft",
            record="the households of a previewed list waiting for the import (names, "
            "birth dates, residence status, needs as the list gives them)",
            clock_starts="the list was uploaded for its preview",
            clock="created_at",
            keep_days=1,
            legal_basis="Art. 5(1)(c), (e) GDPR: held only until the import is confirmed "
            "(then deleted at once) or abandoned",
        ),
        Rule(
            table="staff_member",
            record="a staff member known from their sign-ins (name, roles, teams)",
            clock_starts="their last sign-in",
            clock="signed_in_at",
            keep_days=365,
            legal_basis="Art. 6(1)(e) GDPR, § 18 DSG NRW (staff data needed for the work)",
        ),
        Rule(
            table="subject_key",
            record="the key of a staff sign-in (opens its sealed name and address)",
            clock_starts="it came (it is destroyed as soon as it opened its sign-in; one "
            "whose sign-in never came goes after a day)",
            clock="created_at",
            keep_days=1,
            legal_basis="Art. 5(1)(c), (e) GDPR (no longer needed once the sign-in is read)",
        ),
        Rule(
            table="calendar_feed",
            record="a caseworker's calendar feed (the hashed address, whether it shows "
            "names, when issued and last fetched)",
            clock_starts="it was last fetched, or issued if never",
            clock="COALESCE(last_fetched_at, issued_at)",
            keep_days=365,
            legal_basis="Art. 6(1)(e) GDPR, § 18 DSG NRW (staff data needed for the work); "
            "an address unused for a year is ended",
        ),
        Rule(
            table="archive_offer",
            record="that a case file was offered to the city's archive: which household "
            "(by id), the file's name and SHA-256, when",
            clock_starts="the offer",
            clock="offered_at",
            keep_days=10 * 365,
            legal_basis="Art. 5(2) GDPR, §§ 4, 10 ArchivG NRW (proof of the offer)",
        ),
        Rule(
            table="erasure_request",
            record="a request to erase a person's data: whose (by id), why, who asked, "
            "and when every service confirmed",
            clock_starts="every service confirmed the erasure",
            clock="completed_at",
            keep_days=3 * 365,
            legal_basis="Art. 5(2), 17 GDPR (proof of the erasure); § 84 SGB X",
        ),
        Follows(
            table="erasure_confirmation",
            parent="erasure_request",
            record="one service's confirmation of an erasure (a count of records)",
        ),
    ]
)
