"""Events notifications listens to: every event of the catalogue but those that only keep
another service's read model (what housing alone needs, a household's changed members).

Staff sign-ins keep the recipient directory; the others are notices.

Each handler first keeps the read model (who is the caseworker, who mentors whom, how
to reach a volunteer), then creates the deliveries, all in the consumer's transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from teilhabe.erasure import ERASURE_READS, erasure_handler
from teilhabe.events.contract import FieldsRead, reads
from teilhabe.events.courses import (
    CourseAttendanceRecorded,
    CourseCompleted,
    CourseEnrolled,
    CourseWaitlisted,
    CourseWithdrawn,
    SeatOfferAccepted,
    SeatOfferDeclined,
    SeatOffered,
    SeatOfferExpired,
)
from teilhabe.events.erasure import ErasureRequested
from teilhabe.events.households import (
    CaseworkerAssigned,
    FollowUpDue,
    HouseholdAssigned,
    ResidenceObligationEnding,
    ResidenceStatusChanged,
    ResidenceStatusExpiring,
)
from teilhabe.events.housing import HouseholdMovedIn, HouseholdMovedOut, UnitCapacityChanged
from teilhabe.events.staff import StaffMemberKeyIssued, StaffMemberSignedIn
from teilhabe.events.volunteers import (
    ClearanceReinspectionDue,
    HelpRequestAccepted,
    HelpRequested,
    HelpRequestWithdrawn,
    MentorshipEnded,
    ShiftCancelled,
    VolunteerKeyIssued,
    VolunteerMatched,
    VolunteerRegistered,
)
from teilhabe.messaging.inbox import HandlerMap, PermanentError, ReceivedEvent
from teilhabe.sealing import Unreadable, decode_key, keep_key, key_of, unseal
from teilhabe.staff_directory import keep_sign_in_keys, open_sign_ins

from notifications import erasure, service
from notifications.config import get_settings
from notifications.models import subject_key


async def on_household_assigned(
    session: AsyncSession, events: Sequence[ReceivedEvent[HouseholdAssigned]]
) -> None:
    households = await service.record_households(
        session=session, events=[e.payload for e in events]
    )
    await service.notify(session=session, events=events, households=households)


async def on_caseworker_assigned(
    session: AsyncSession, events: Sequence[ReceivedEvent[CaseworkerAssigned]]
) -> None:
    await service.record_caseworkers(session=session, events=events)
    await service.notify(session=session, events=events)


async def on_household_moved_in(
    session: AsyncSession, events: Sequence[ReceivedEvent[HouseholdMovedIn]]
) -> None:
    await service.notify(session=session, events=events)


async def on_household_moved_out(
    session: AsyncSession, events: Sequence[ReceivedEvent[HouseholdMovedOut]]
) -> None:
    await service.notify(session=session, events=events)


async def on_course_enrolled(
    session: AsyncSession, events: Sequence[ReceivedEvent[CourseEnrolled]]
) -> None:
    await service.notify(session=session, events=events)


async def on_course_waitlisted(
    session: AsyncSession, events: Sequence[ReceivedEvent[CourseWaitlisted]]
) -> None:
    await service.notify(session=session, events=events)


async def on_course_attendance_recorded(
    session: AsyncSession, events: Sequence[ReceivedEvent[CourseAttendanceRecorded]]
) -> None:
    await service.notify(session=session, events=events)


async def on_course_completed(
    session: AsyncSession, events: Sequence[ReceivedEvent[CourseCompleted]]
) -> None:
    await service.notify(session=session, events=events)


async def on_course_withdrawn(
    session: AsyncSession, events: Sequence[ReceivedEvent[CourseWithdrawn]]
) -> None:
    await service.notify(session=session, events=events)


async def on_seat_offer(
    session: AsyncSession,
    events: Sequence[ReceivedEvent[Any]],
) -> None:
    """Every seat offer event: the rules say who hears of which (domain.RULES)."""
    await service.notify(session=session, events=events)


async def on_volunteer_key_issued(
    session: AsyncSession, events: Sequence[ReceivedEvent[VolunteerKeyIssued]]
) -> None:
    for event in events:
        await keep_key(
            session, subject_key, event.payload.volunteer_id, decode_key(event.payload.key)
        )


async def on_volunteer_registered(
    session: AsyncSession, events: Sequence[ReceivedEvent[VolunteerRegistered]]
) -> None:
    opened = [await _unsealed(session, event) for event in events]
    await service.record_volunteers(session=session, events=[e.payload for e in opened])
    await service.notify(session=session, events=opened)


class KeyNotYetKnown(RuntimeError):
    """The volunteer's key has not arrived (or was shredded): retried, then dead-lettered."""


async def _unsealed(
    session: AsyncSession, event: ReceivedEvent[VolunteerRegistered]
) -> ReceivedEvent[VolunteerRegistered]:
    """The event with the volunteer's name and address opened with their key."""
    volunteer = event.payload.volunteer_id
    key = await key_of(session, subject_key, volunteer)
    if key is None:
        raise KeyNotYetKnown(f"no key for volunteer {volunteer} (not yet issued, or erased)")
    try:
        fields = {
            "display_name": unseal(key, volunteer, event.payload.display_name),
            "email": unseal(key, volunteer, event.payload.email),
        }
    except Unreadable as error:
        raise PermanentError(f"volunteer {volunteer}: sealed fields do not open") from error
    # Opened values bypass the sealed-format check: they are for this transaction only.
    return replace(event, payload=event.payload.model_copy(update=fields))


async def on_volunteer_matched(
    session: AsyncSession, events: Sequence[ReceivedEvent[VolunteerMatched]]
) -> None:
    await service.record_matches(session=session, events=[e.payload for e in events])
    await service.notify(session=session, events=events)


async def on_staff_member_key_issued(
    session: AsyncSession, events: Sequence[ReceivedEvent[StaffMemberKeyIssued]]
) -> None:
    await keep_sign_in_keys(session, subject_key, [e.payload for e in events])


async def on_staff_member_signed_in(
    session: AsyncSession, events: Sequence[ReceivedEvent[StaffMemberSignedIn]]
) -> None:
    # Opened with each sign-in's key, which goes once it has been used.
    opened = await open_sign_ins(
        session, subject_key, [(e.payload, e.envelope.time) for e in events]
    )
    await service.record_staff_members(session=session, events=opened)


async def on_residence_status_expiring(
    session: AsyncSession, events: Sequence[ReceivedEvent[ResidenceStatusExpiring]]
) -> None:
    await service.notify(session=session, events=events)


async def on_residence_obligation_ending(
    session: AsyncSession, events: Sequence[ReceivedEvent[ResidenceObligationEnding]]
) -> None:
    await service.notify(session=session, events=events)


async def on_residence_status_changed(
    session: AsyncSession, events: Sequence[ReceivedEvent[ResidenceStatusChanged]]
) -> None:
    await service.notify(session=session, events=events)


async def on_follow_up_due(
    session: AsyncSession, events: Sequence[ReceivedEvent[FollowUpDue]]
) -> None:
    await service.notify(session=session, events=events)


async def on_clearance_reinspection_due(
    session: AsyncSession, events: Sequence[ReceivedEvent[ClearanceReinspectionDue]]
) -> None:
    await service.notify(session=session, events=events)


async def on_mentorship_ended(
    session: AsyncSession, events: Sequence[ReceivedEvent[MentorshipEnded]]
) -> None:
    await service.record_mentorship_ends(session=session, events=[e.payload for e in events])
    await service.notify(session=session, events=events)


async def on_unit_capacity_changed(
    session: AsyncSession, events: Sequence[ReceivedEvent[UnitCapacityChanged]]
) -> None:
    await service.notify(session=session, events=events)


async def on_volunteer_notice(
    session: AsyncSession,
    events: Sequence[
        ReceivedEvent[ShiftCancelled | HelpRequested | HelpRequestAccepted | HelpRequestWithdrawn]
    ],
) -> None:
    """Shifts and help requests: the volunteers and staff they name are told."""
    await service.notify(session=session, events=events)


HANDLERS: HandlerMap = {
    ErasureRequested: erasure_handler("notifications", service.outbox, erasure.erase, get_settings),
    HouseholdAssigned: on_household_assigned,
    CaseworkerAssigned: on_caseworker_assigned,
    HouseholdMovedIn: on_household_moved_in,
    HouseholdMovedOut: on_household_moved_out,
    CourseEnrolled: on_course_enrolled,
    CourseWaitlisted: on_course_waitlisted,
    CourseAttendanceRecorded: on_course_attendance_recorded,
    CourseCompleted: on_course_completed,
    CourseWithdrawn: on_course_withdrawn,
    SeatOffered: on_seat_offer,
    SeatOfferAccepted: on_seat_offer,
    SeatOfferDeclined: on_seat_offer,
    SeatOfferExpired: on_seat_offer,
    VolunteerKeyIssued: on_volunteer_key_issued,
    VolunteerRegistered: on_volunteer_registered,
    VolunteerMatched: on_volunteer_matched,
    StaffMemberKeyIssued: on_staff_member_key_issued,
    StaffMemberSignedIn: on_staff_member_signed_in,
    ResidenceStatusExpiring: on_residence_status_expiring,
    ResidenceObligationEnding: on_residence_obligation_ending,
    ResidenceStatusChanged: on_residence_status_changed,
    FollowUpDue: on_follow_up_due,
    ClearanceReinspectionDue: on_clearance_reinspection_due,
    MentorshipEnded: on_mentorship_ended,
    UnitCapacityChanged: on_unit_capacity_changed,
    ShiftCancelled: on_volunteer_notice,
    HelpRequested: on_volunteer_notice,
    HelpRequestAccepted: on_volunteer_notice,
    HelpRequestWithdrawn: on_volunteer_notice,
}


# What notifications reads of each event, for its read model, its routing and the texts
# of its messages (the event contract; see teilhabe.events.contract).
READS: FieldsRead = {
    **ERASURE_READS,
    HouseholdAssigned: reads(
        "household_id",
        "allocation_notice_number",
        "allocated_on",
        "expected_arrival_on",
        "member_count",
        "minor_count",
        "members.age_group",
    ),
    CaseworkerAssigned: reads("household_id", "caseworker_id", "previous_caseworker_id"),
    HouseholdMovedIn: reads("household_id", "site_kind", "bed_count", "moved_in_on"),
    HouseholdMovedOut: reads("household_id", "reason", "moved_out_on"),
    CourseEnrolled: reads("household_id", "course_title", "course_kind", "starts_on"),
    CourseWaitlisted: reads("household_id", "course_title", "course_kind", "waitlist_position"),
    CourseAttendanceRecorded: reads("household_id", "course_title", "held_on", "attendance"),
    CourseCompleted: reads("household_id", "course_title", "course_kind", "completed_on", "result"),
    CourseWithdrawn: reads(
        "household_id", "course_title", "course_kind", "withdrawn_on", "was_waitlisted"
    ),
    SeatOffered: reads("household_id", "course_title", "course_kind", "expires_at"),
    SeatOfferExpired: reads("household_id", "course_title", "expired_at"),
    SeatOfferAccepted: reads("household_id"),
    SeatOfferDeclined: reads("household_id"),
    VolunteerKeyIssued: reads("volunteer_id", "key"),
    VolunteerRegistered: reads(
        "volunteer_id",
        "display_name",
        "email",
        "preferred_language",
        "account_subject",
        "languages",
        "skills",
    ),
    VolunteerMatched: reads("household_id", "volunteer_id", "matched_on"),
    StaffMemberKeyIssued: reads("key_id", "key"),
    StaffMemberSignedIn: reads(
        "account_subject", "key_id", "display_name", "email", "locale", "roles"
    ),
    ResidenceStatusExpiring: reads("household_id", "expires_on"),
    ResidenceObligationEnding: reads("household_id", "ends_on"),
    FollowUpDue: reads("household_id", "caseworker_id", "due_on"),
    ResidenceStatusChanged: reads(
        "household_id", "residence_status", "previous_residence_status", "valid_from", "expires_on"
    ),
    ClearanceReinspectionDue: reads("volunteer_id", "due_on"),
    MentorshipEnded: reads("match_id", "household_id", "volunteer_id", "matched_on", "ended_on"),
    UnitCapacityChanged: reads(
        "site_name",
        "unit_name",
        "change",
        "beds",
        "beds_changed",
        "closed_from",
        "closed_until",
        "closure_reason",
        "households_to_move",
    ),
    ShiftCancelled: reads(
        "shift_id", "facility_name", "title", "starts_at", "ends_at", "volunteer_ids"
    ),
    HelpRequested: reads(
        "help_request_id",
        "language_needed",
        "skill_needed",
        "starts_at",
        "ends_at",
        "volunteer_ids",
    ),
    HelpRequestAccepted: reads(
        "help_request_id",
        "volunteer_id",
        "requested_by",
        "language_needed",
        "skill_needed",
        "starts_at",
        "ends_at",
    ),
    HelpRequestWithdrawn: reads(
        "help_request_id", "volunteer_id", "volunteer_ids", "starts_at", "ends_at"
    ),
}
