"""Staff pages of a course's progress: its dated sessions, who attended each, completion.

Every change goes through the use case the API calls (`service.add_session`,
`service.record_attendance`); a page turns a form into the API's request model and a
refusal back into errors next to the fields.
"""

# No `from __future__ import annotations`: FastAPI reads the route signatures at runtime.

import uuid
from collections.abc import Mapping
from datetime import datetime, time
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from teilhabe import ui
from teilhabe.api.dependencies import DbSession
from teilhabe.clock import on_day
from teilhabe.events.courses import Attendance
from teilhabe.scope import applies_scope

from courses import service
from courses.dependencies import COURSES_RUN, ENROLLMENTS, SESSIONS
from courses.pages import Coordinator
from courses.schemas import AttendanceIn, CompletionIn, SessionAttendanceOut, SessionIn

router = APIRouter()

SESSION_FIELDS = ("day", "starts_at", "ends_at", "topic")
SESSION_LABELS = {
    "day": ui.N_("Day"),
    "starts_at": ui.N_("From"),
    "ends_at": ui.N_("Until"),
    "topic": ui.N_("Topic"),
}
ATTENDANCE_LABELS = {
    Attendance.PRESENT: ui.N_("present"),
    Attendance.EXCUSED: ui.N_("excused"),
    Attendance.ABSENT: ui.N_("absent"),
}
# The rules' own messages (courses.domain), for the catalogue.
RULE_MESSAGES = (ui.N_("a session ends after it starts"),)
NOT_A_TIME = ui.N_("Please enter a time as hours and minutes, e.g. 08:30.")
NOTHING_CHOSEN = ui.N_("Please choose the attendance of at least one participant.")


# --- a course's sessions -------------------------------------------------------------


@router.get(
    "/kurse/{course_id}/termine", name="sessions", dependencies=[applies_scope(COURSES_RUN)]
)
async def sessions(
    request: Request, course_id: uuid.UUID, session: DbSession, principal: Coordinator
) -> Response:
    return await _sessions_page(
        request, session, principal, course_id, dict.fromkeys(SESSION_FIELDS, "")
    )


@router.post(
    "/kurse/{course_id}/termine", name="add_session", dependencies=[applies_scope(COURSES_RUN)]
)
async def add_session(
    request: Request, course_id: uuid.UUID, session: DbSession, principal: Coordinator
) -> Response:
    form = await ui.FormAction.read(request, session, fields=SESSION_FIELDS)
    values = form.values(SESSION_FIELDS)
    data: dict[str, Any] = {"topic": values["topic"] or None}
    day: dict[str, Any] = {}
    form.put_date(day, "day", values["day"])
    times: dict[str, time] = {}
    for name in ("starts_at", "ends_at"):
        form.put_time(times, name, values[name], message=NOT_A_TIME)
        if name in times and "day" in day:
            # Typed in the city's local time: the session is where the city is.
            data[name] = on_day(day["day"], times[name])
    session_in = form.model(SessionIn, data)
    if session_in is not None:
        held = await form.call(
            service.add_session(
                session=session, principal=principal, course_id=course_id, session_in=session_in
            )
        )
        if held is not None:
            return form.done(
                ui.page_path(request, "sessions", course_id=course_id),
                form.texts.gettext("The session is added."),
            )
    return await form.again(
        lambda errors: _sessions_page(request, session, principal, course_id, values, errors=errors)
    )


async def _sessions_page(
    request: Request,
    session: DbSession,
    principal: Coordinator,
    course_id: uuid.UUID,
    values: Mapping[str, str],
    *,
    errors: ui.FormErrors | None = None,
) -> Response:
    offer = await service.get_offer(session=session, principal=principal, course_id=course_id)
    held = await service.get_sessions(session=session, principal=principal, course_id=course_id)
    return await ui.render(
        request,
        "courses/sessions.html",
        {
            "course": offer,
            "sessions": held,
            "values": values,
            "labels": ui.field_labels(SESSION_LABELS, ui.texts(request)),
            "local": _local,
        },
        section="ui_home",
        errors=errors,
    )


# --- attendance at one session -------------------------------------------------------


@router.get("/termine/{session_id}", name="attendance", dependencies=[applies_scope(SESSIONS)])
async def attendance(
    request: Request, session_id: uuid.UUID, session: DbSession, principal: Coordinator
) -> Response:
    found = await service.get_attendance(
        session=session, principal=principal, session_id=session_id
    )
    values = {_field(p.enrollment_id): p.attendance or "" for p in found.participants}
    return await _attendance_page(request, found, values)


@router.post(
    "/termine/{session_id}", name="record_attendance", dependencies=[applies_scope(SESSIONS)]
)
async def record_attendance(
    request: Request, session_id: uuid.UUID, session: DbSession, principal: Coordinator
) -> Response:
    form = await ui.FormAction.read(request, session)
    found = await service.get_attendance(
        session=session, principal=principal, session_id=session_id
    )
    fields = tuple(_field(p.enrollment_id) for p in found.participants)
    form.fields = (*fields, "entries")
    values = form.values(fields)
    entries = [
        {"enrollment_id": str(p.enrollment_id), "attendance": values[_field(p.enrollment_id)]}
        for p in found.participants
        if values[_field(p.enrollment_id)]
    ]
    if not entries:
        form.refuse(ui.FORM, NOTHING_CHOSEN)
    attendance_in = form.model(AttendanceIn, {"entries": entries})
    if attendance_in is not None:
        recorded = await form.call(
            service.record_attendance(
                session=session,
                principal=principal,
                session_id=session_id,
                attendance_in=attendance_in,
            )
        )
        if recorded is not None:
            return form.done(
                ui.page_path(request, "sessions", course_id=recorded.session.course_id),
                form.texts.gettext("The attendance is recorded."),
            )

    async def again(errors: ui.FormErrors) -> Response:
        shown = await service.get_attendance(
            session=session, principal=principal, session_id=session_id
        )
        return await _attendance_page(request, shown, values, errors=errors)

    return await form.again(again)


def _field(enrollment_id: uuid.UUID) -> str:
    return f"attendance-{enrollment_id}"


def _local(moment: datetime) -> datetime:
    return moment.astimezone(on_day(moment.date()).tzinfo)


async def _attendance_page(
    request: Request,
    found: SessionAttendanceOut,
    values: Mapping[str, str],
    *,
    errors: ui.FormErrors | None = None,
) -> Response:
    page_texts = ui.texts(request)
    labels = {
        _field(p.enrollment_id): page_texts.gettext("Person %(position)s, household %(number)s")
        % {
            "position": p.member_position or "–",
            "number": p.allocation_notice_number or page_texts.gettext("not known"),
        }
        for p in found.participants
    }
    return await ui.render(
        request,
        "courses/attendance.html",
        {
            "held": found.session,
            "participants": found.participants,
            "values": values,
            "field": _field,
            "labels": labels,
            "attendance_options": ui.options(ATTENDANCE_LABELS, page_texts),
            "local": _local,
        },
        section="ui_home",
        errors=errors,
    )


# --- completing: the participant finished the offer, with its result ------------------

COMPLETION_FIELDS = ("result",)
COMPLETION_LABELS = {"result": ui.N_("Result")}
COMPLETION_CONFLICTS = {
    "already-completed": (ui.FORM, ui.N_("This participant has already completed the offer.")),
    "not-enrolled": (ui.FORM, ui.N_("Only a participant holding a seat can complete the offer.")),
}


@router.get(
    "/anmeldungen/{enrollment_id}/abschluss",
    name="completion",
    dependencies=[applies_scope(ENROLLMENTS, COURSES_RUN)],
)
async def completion(
    request: Request, enrollment_id: uuid.UUID, session: DbSession, principal: Coordinator
) -> Response:
    return await _completion_page(request, session, principal, enrollment_id, {"result": ""})


@router.post(
    "/anmeldungen/{enrollment_id}/abschluss",
    name="complete",
    dependencies=[applies_scope(ENROLLMENTS, COURSES_RUN)],
)
async def complete(
    request: Request, enrollment_id: uuid.UUID, session: DbSession, principal: Coordinator
) -> Response:
    form = await ui.FormAction.read(
        request, session, fields=COMPLETION_FIELDS, conflicts=COMPLETION_CONFLICTS
    )
    values = form.values(COMPLETION_FIELDS)
    completion_in = form.model(CompletionIn, {"result": values["result"] or None})
    if completion_in is not None:
        done = await form.call(
            service.complete(
                session=session,
                principal=principal,
                enrollment_id=enrollment_id,
                completion_in=completion_in,
            )
        )
        if done is not None:
            return form.done(
                ui.page_path(request, "course", course_id=done.course_id),
                form.texts.gettext("The participant has completed the offer."),
            )
    return await form.again(
        lambda errors: _completion_page(
            request, session, principal, enrollment_id, values, errors=errors
        )
    )


async def _completion_page(
    request: Request,
    session: DbSession,
    principal: Coordinator,
    enrollment_id: uuid.UUID,
    values: Mapping[str, str],
    *,
    errors: ui.FormErrors | None = None,
) -> Response:
    course_id = await service.get_enrollment_course(
        session=session, principal=principal, enrollment_id=enrollment_id
    )
    detail = await service.get_course(session=session, principal=principal, course_id=course_id)
    participant = next((p for p in detail.participants if p.enrollment_id == enrollment_id), None)
    return await ui.render(
        request,
        "courses/completion.html",
        {
            "course": detail,
            "participant": participant,
            "enrollment_id": enrollment_id,
            "values": values,
            "labels": ui.field_labels(COMPLETION_LABELS, ui.texts(request)),
        },
        section="ui_home",
        errors=errors,
    )
