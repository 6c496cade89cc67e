"""HTTP API of work: permits, employment started and ended, the handover to the
Jobcenter, and the city's monthly figure (JSON and CSV). Thin: the rules are in work."""

from __future__ import annotations

import csv
import io
import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status
from teilhabe.api.dependencies import DbSession
from teilhabe.clock import today
from teilhabe.scope import applies_scope

from courses import work
from courses.schemas import (
    EmploymentEndIn,
    EmploymentOut,
    EmploymentStartIn,
    HandoverIn,
    HandoverOut,
    PermitIn,
    PermitOut,
    WorkingPersonOut,
    WorkRecordOut,
)
from courses.work import WORKERS, FigureReaders, MonthFigure, WorkStaff

router = APIRouter(prefix="/work", tags=["work"])
Months = Annotated[int, Query(ge=1, le=36, description="Months up to this one")]


def _employment(e: object) -> EmploymentOut:
    return EmploymentOut.model_validate(e, from_attributes=True)


@router.get(
    "/persons",
    summary="The people in the caller's care in work or in job readiness today",
    dependencies=[applies_scope(WORKERS)],
)
async def working_people(session: DbSession, principal: WorkStaff) -> list[WorkingPersonOut]:
    return await work.list_working(session=session, principal=principal, today=today())


@router.get(
    "/persons/{member_id}",
    summary="A person's work: permit status with its history, employments, handovers "
    "to the Jobcenter with the consent to it, placements",
    dependencies=[applies_scope(WORKERS)],
)
async def work_record(
    member_id: uuid.UUID, session: DbSession, principal: WorkStaff
) -> WorkRecordOut:
    return await work.get_work_record(
        session=session, principal=principal, member_id=member_id, today=today()
    )


@router.put("/permits", summary="Record a person's work permit status")
async def record_permit(body: PermitIn, session: DbSession, principal: WorkStaff) -> PermitOut:
    permit = await work.record_permit(session=session, principal=principal, permit_in=body)
    return PermitOut.model_validate(permit, from_attributes=True)


@router.post(
    "/employment-starts",
    status_code=status.HTTP_201_CREATED,
    summary="A person started work (employer category and hours; never the employer's name)",
)
async def start_employment(
    body: EmploymentStartIn, session: DbSession, principal: WorkStaff
) -> EmploymentOut:
    return _employment(
        await work.start_employment(session=session, principal=principal, start_in=body)
    )


@router.post("/employment-ends", summary="A person's running employment ended")
async def end_employment(
    body: EmploymentEndIn, session: DbSession, principal: WorkStaff
) -> EmploymentOut:
    return _employment(await work.end_employment(session=session, principal=principal, end_in=body))


@router.post(
    "/jobcenter-handovers",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Hand a person over to the Jobcenter (reaches it only with their consent)",
)
async def hand_over(body: HandoverIn, session: DbSession, principal: WorkStaff) -> HandoverOut:
    handover_id = await work.hand_over(session=session, principal=principal, handover_in=body)
    return HandoverOut(handover_id=handover_id)


@router.get("/figures", summary="People in work, training or courses per month (counts only)")
async def figures(
    session: DbSession, principal: FigureReaders, months: Months = 12
) -> list[MonthFigure]:
    return await work.monthly_figures(
        session=session, principal=principal, months=work.months_back(today(), months)
    )


@router.get(
    "/figures.csv",
    summary="The monthly figure as CSV",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}},
)
async def figures_csv(
    session: DbSession, principal: FigureReaders, months: Months = 12
) -> Response:
    rows = await work.monthly_figures(
        session=session, principal=principal, months=work.months_back(today(), months)
    )
    return Response(
        figures_as_csv(rows),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="arbeit-kennzahlen.csv"'},
    )


def figures_as_csv(rows: list[MonthFigure]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(["Monat", "In Arbeit", "In Maßnahmen", "In Kursen", "Insgesamt"])
    for r in rows:
        writer.writerow(
            [r.month.strftime("%Y-%m"), r.in_work, r.in_training, r.in_courses, r.total]
        )
    return out.getvalue()
