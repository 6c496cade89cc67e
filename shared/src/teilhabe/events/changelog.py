"""The versions of the published contract, newest first (shown in the AsyncAPI document).

An agency builds on the document: every change it can notice is an entry here, with the
document's version (semantic: minor for additions, major for what a reader must change)
and every event type and version it introduced (checked by a test: each type and version
in the catalogue is named by the entry that introduced it).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Change:
    version: str
    date: str
    summary: str
    # (event type, version) entries this change introduced.
    events: tuple[tuple[str, int], ...] = ()


CHANGELOG: tuple[Change, ...] = (
    Change(
        "4.1.0",
        "2026-12-03",
        "Placements into work opportunities (job-readiness offers, internships, "
        "Arbeitsgelegenheiten): courses publishes work_placement.started and "
        "work_placement.ended, references only, to agencies with the person's consent.",
        events=(("work_placement.started", 1), ("work_placement.ended", 1)),
    ),
    Change(
        "4.0.0",
        "2026-12-03",
        "staff_member.signed_in v2: a staff member's name and e-mail address are sealed "
        "with a key of the sign-in (AES-256-GCM, `sealed:v1:...`), named by the new "
        "`key_id`; the key reaches the readers by the new staff_member.key_issued, staged "
        "just before, and a reader destroys it once it opened the sign-in. v1 (the fields "
        "in clear) is withdrawn.",
        events=(("staff_member.signed_in", 2), ("staff_member.key_issued", 1)),
    ),
    Change(
        "3.2.0",
        "2026-12-03",
        "What became of a school-place request: courses publishes school_place.assigned "
        "(from which day), school_place.waiting and school_place.closed, references only; "
        "the school and the reason stay in courses.",
        events=(
            ("school_place.assigned", 1),
            ("school_place.waiting", 1),
            ("school_place.closed", 1),
        ),
    ),
    Change(
        "3.1.0",
        "2026-12-03",
        "help_request.withdrawn: staff withdrew a help request before its time; it names the "
        "volunteers it was offered to while open, or the one who had taken it.",
        events=(("help_request.withdrawn", 1),),
    ),
    Change(
        "3.0.0",
        "2026-12-03",
        "volunteer.registered v2: the name and e-mail address sealed with the volunteer's "
        "key, as 2.0.0 introduced them under v1, now have a version of their own; v1 (the "
        "fields in clear) is withdrawn, so a reader of v1 must move to v2.",
        events=(("volunteer.registered", 2),),
    ),
    Change(
        "2.1.0",
        "2026-12-03",
        "Types added to the catalogue and not listed here before. Staff: "
        "staff_member.signed_in (who signed in, for the services' directories). "
        "Households: member.residence_status_expiring, household.members_changed, "
        "member.residence_status_changed, follow_up.due, household.case_closed, "
        "member.residence_obligation_ending, "
        "school_place.requested, referral.sent and referral.state_changed (a referral to a "
        "partner agency, carried to the named agency). Housing: unit.capacity_changed, "
        "household.arrived and household.not_arrived. Courses: course.withdrawn and the "
        "seat offers to the waitlist (course.seat_offered, course.seat_offer_accepted, "
        "course.seat_offer_declined, course.seat_offer_expired). Work: employment.started, "
        "employment.ended and work.handed_over_to_jobcenter, and the Jobcenter's "
        "employment.start_reported on teilhabe.inbound. Volunteers: shift.cancelled, "
        "help_request.opened and help_request.accepted, "
        "volunteer.clearance_reinspection_due and mentorship.ended. Erasure: erasure.requested and "
        "erasure.completed.",
        events=(
            ("staff_member.signed_in", 1),
            ("member.residence_status_expiring", 1),
            ("household.members_changed", 1),
            ("member.residence_status_changed", 1),
            ("follow_up.due", 1),
            ("household.case_closed", 1),
            ("member.residence_obligation_ending", 1),
            ("school_place.requested", 1),
            ("referral.sent", 1),
            ("referral.state_changed", 1),
            ("unit.capacity_changed", 1),
            ("household.arrived", 1),
            ("household.not_arrived", 1),
            ("course.withdrawn", 1),
            ("course.seat_offered", 1),
            ("course.seat_offer_accepted", 1),
            ("course.seat_offer_declined", 1),
            ("course.seat_offer_expired", 1),
            ("employment.started", 1),
            ("employment.ended", 1),
            ("work.handed_over_to_jobcenter", 1),
            ("employment.start_reported", 1),
            ("shift.cancelled", 1),
            ("help_request.opened", 1),
            ("help_request.accepted", 1),
            ("volunteer.clearance_reinspection_due", 1),
            ("mentorship.ended", 1),
            ("erasure.requested", 1),
            ("erasure.completed", 1),
        ),
    ),
    Change(
        "2.0.0",
        "2026-12-03",
        "A volunteer's name and e-mail address in volunteer.registered are sealed with the "
        "volunteer's key (AES-256-GCM, `sealed:v1:...`); the key reaches the services that "
        "must read them by the new volunteer.key_issued, and an erasure destroys it, so "
        "every copy of the sealed fields stops opening.",
        events=(("volunteer.key_issued", 1),),
    ),
    Change(
        "1.3.0",
        "2026-12-03",
        "Course providers send in attendance at a session (course.attendance_reported) and "
        "a participant's completion with its result (course.completion_reported) on "
        "teilhabe.inbound; courses records them and publishes course.attendance_recorded "
        "and course.completed as for its own staff.",
        events=(
            ("course.attendance_reported", 1),
            ("course.completion_reported", 1),
            ("course.attendance_recorded", 1),
            ("course.completed", 1),
        ),
    ),
    Change(
        "1.2.0",
        "2026-12-03",
        "Where to connect and how to authenticate: servers per environment (vhost, TLS on "
        "amqps), security schemes (broker user and password; the webhook signature), an "
        "example of every message, `dataschema` as the address of the payload's JSON "
        "Schema (served at /events/schemas/{type}/{version}), the agency queue and the "
        "webhook channel with the types agencies may subscribe to, what agencies send in "
        "(allocation.notified on teilhabe.inbound), consent.granted and consent.revoked, and "
        "this changelog.",
        events=(("allocation.notified", 1), ("consent.granted", 1), ("consent.revoked", 1)),
    ),
    Change(
        "1.1.0",
        "2026-12-03",
        "household.assigned v2 leaves out the barrier-free need (it goes to housing alone "
        "in household.referred_to_housing); v1 is withdrawn, no reader of it was deployed.",
        events=(("household.assigned", 2), ("household.referred_to_housing", 1)),
    ),
    Change(
        "1.0.0",
        "2026-11-25",
        "The first published catalogue of domain events.",
        events=(
            ("household.assigned", 1),
            ("household.moved_in", 1),
            ("household.moved_out", 1),
            ("caseworker.assigned", 1),
            ("course.enrolled", 1),
            ("course.waitlisted", 1),
            ("volunteer.registered", 1),
            ("volunteer.matched", 1),
        ),
    ),
)
