"""The versions of the published contract, newest first (shown in the AsyncAPI document).

An agency builds on the document: every change it can notice is an entry here, with the
document's version (semantic: minor for additions, major for what a reader must change)
and, for a new version of an event type, the type and version (checked by a test).
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
        events=(("course.attendance_reported", 1), ("course.completion_reported", 1)),
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
    ),
    Change(
        "1.1.0",
        "2026-12-03",
        "household.assigned v2 leaves out the barrier-free need (it goes to housing alone "
        "in household.referred_to_housing); v1 is withdrawn, no reader of it was deployed.",
        events=(("household.assigned", 2), ("household.referred_to_housing", 1)),
    ),
    Change("1.0.0", "2026-11-25", "The first published catalogue of domain events."),
)
