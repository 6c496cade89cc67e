"""Reports course providers send in: attendance at a session, a participant's completion.

Courses' inbound consumer (queue `courses.inbound`, inbox `inbound_inbox`;
teilhabe.messaging.inbound) admits them only from the senders `INBOUND_SENDERS` names,
speaking as themselves. A provider reports only on courses it runs: the course's
`provider` must be one the setting `AGENCY_PROVIDERS` names for the sending agency.
The report is applied through the coordinator's use cases, under the same rules, so that
`course.attendance_recorded` and `course.completed` follow as they would; the sending
agency is who recorded it, in the records and the audit log. Anything refused goes to
`courses.inbound.dlq` with the reason (`teilhabe-courses dead-letters list --queue
courses.inbound`). Idempotent by event id (the inbox); a report repeating what is
recorded (the same attendance, a completion already recorded) changes nothing. The
Jobcenter reports employment starts (`employment.start_reported`), recorded through the
same use case as the staff form (courses.work), so `employment.started` follows; one for
a person courses does not know, or without a recorded permit that allows it, is
dead-lettered with the reason.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from teilhabe.api.problems import ProblemError
from teilhabe.config import ServiceSettings
from teilhabe.events.contract import FieldsRead, reads
from teilhabe.events.inbound import (
    CourseAttendanceReported,
    CourseCompletionReported,
    EmploymentStartReported,
)
from teilhabe.messaging.inbound import InboundConsumer, agency_principal, sender
from teilhabe.messaging.inbox import HandlerMap, PermanentError, ReceivedEvent

from courses import domain, service, work
from courses.config import CoursesSettings, get_settings
from courses.domain import EnrollmentStatus
from courses.models import Course, CourseSession, Enrollment, Person, inbound_inbox
from courses.schemas import AttendanceEntryIn, AttendanceIn, CompletionIn, EmploymentStartIn

log = structlog.get_logger(__name__)


async def on_attendance_reported(
    session: AsyncSession, events: Sequence[ReceivedEvent[CourseAttendanceReported]]
) -> None:
    for event in events:
        report = event.payload
        held = await session.scalar(
            select(CourseSession)
            .where(CourseSession.id == report.session_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        if held is None:
            raise PermanentError(f"no session {report.session_id}")
        await _check_provider(session, sender(event), held.course_id)
        entries = [
            AttendanceEntryIn(enrollment_id=e.enrollment_id, attendance=e.attendance)
            for e in report.entries
        ]
        try:
            await service.record_session_attendance(
                session, agency_principal(event), held, AttendanceIn(entries=entries)
            )
        except ProblemError as error:
            raise PermanentError(f"invalid attendance: {_reasons(error)}") from error


async def on_completion_reported(
    session: AsyncSession, events: Sequence[ReceivedEvent[CourseCompletionReported]]
) -> None:
    for event in events:
        report = event.payload
        found = await session.get(Enrollment, report.enrollment_id)
        if found is None:
            raise PermanentError(f"no enrollment {report.enrollment_id}")
        await _check_provider(session, sender(event), found.course_id)
        course, enrollment = await service.lock_enrollment(session, found)
        if enrollment.status is EnrollmentStatus.COMPLETED:
            log.info("completion recorded already", enrollment=str(enrollment.id))
            continue
        refusal = domain.completion_problem(enrollment.status)
        if refusal is not None:
            raise PermanentError(f"invalid completion: {refusal.reason}")
        completion = CompletionIn(result=report.result)
        await service.record_completion(
            session, agency_principal(event), course, enrollment, completion
        )


async def _check_provider(session: AsyncSession, agency: str, course_id: uuid.UUID) -> None:
    """Refuse a report on a course the sending agency does not provide."""
    provider = await session.scalar(select(Course.provider).where(Course.id == course_id))
    provides = {name.strip().casefold() for name in get_settings().agency_providers.get(agency, [])}
    if provider is None or provider.strip().casefold() not in provides:
        raise PermanentError(f"agency {agency!r} does not provide course {course_id}")


def _reasons(error: ProblemError) -> str:
    problems = error.extensions.get("errors") or []
    if not problems:
        return error.detail
    return "; ".join(f"{p['field']}: {p['message']}" for p in problems)


async def on_employment_start_reported(
    session: AsyncSession, events: Sequence[ReceivedEvent[EmploymentStartReported]]
) -> None:
    """The Jobcenter's report of an employment start, recorded as the staff form would."""
    for event in events:
        report = event.payload
        person = await session.get(Person, report.member_id, with_for_update=True)
        if person is None:
            raise PermanentError(f"no person {report.member_id}")
        start = EmploymentStartIn(
            member_id=report.member_id,
            started_on=report.started_on,
            employer_category=report.employer_category,
            hours_per_week=report.hours_per_week,
        )
        try:
            await work.record_start(session, agency_principal(event), person, start)
        except ProblemError as error:
            raise PermanentError(f"invalid employment start: {_reasons(error)}") from error


HANDLERS: HandlerMap = {
    CourseAttendanceReported: on_attendance_reported,
    CourseCompletionReported: on_completion_reported,
    EmploymentStartReported: on_employment_start_reported,
}
READS: FieldsRead = {
    CourseAttendanceReported: reads("session_id", "entries.enrollment_id", "entries.attendance"),
    CourseCompletionReported: reads("enrollment_id", "result"),
    EmploymentStartReported: reads(
        "member_id", "started_on", "employer_category", "hours_per_week"
    ),
}


def consumer(settings: ServiceSettings) -> InboundConsumer:
    """Courses' inbound consumer, run inside its consumer process."""
    assert isinstance(settings, CoursesSettings)
    return InboundConsumer(settings, inbox=inbound_inbox, handlers=HANDLERS)
