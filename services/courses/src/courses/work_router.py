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

from courses import work, work_placements
from courses.schemas import (
    EmploymentEndIn,
    EmploymentOut,
    EmploymentStartIn,
    HandoverIn,
    HandoverOut,
    OpportunityIn,
    OpportunityOut,
    PermitIn,
    PermitOut,
    PlacementEndIn,
    PlacementIn,
    PlacementOut,
    PlacementStartIn,
    WorkingPersonOut,
    WorkRecordOut,
)
from courses.work import WORKERS, FigureReaders, MonthFigure, WorkStaff
from courses.work_placements import OPPORTUNITIES, PLACEMENTS

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


@router.post(
    "/opportunities",
    status_code=status.HTTP_201_CREATED,
    summary="A work opportunity: job readiness, internship or Arbeitsgelegenheit (no employer"
    " name)",
)
async def create_opportunity(
    body: OpportunityIn, session: DbSession, principal: WorkStaff
) -> OpportunityOut:
    return await work_placements.create_opportunity(
        session=session, principal=principal, opportunity_in=body
    )


@router.get(
    "/opportunities",
    summary="Work opportunities not ended, with their open placements counted",
    dependencies=[applies_scope(OPPORTUNITIES)],
)
async def opportunities(session: DbSession, principal: WorkStaff) -> list[OpportunityOut]:
    return await work_placements.list_opportunities(
        session=session, principal=principal, today=today()
    )


@router.get(
    "/opportunities/{opportunity_id}",
    summary="A work opportunity",
    dependencies=[applies_scope(OPPORTUNITIES)],
)
async def opportunity(
    opportunity_id: uuid.UUID, session: DbSession, principal: WorkStaff
) -> OpportunityOut:
    found, _ = await work_placements.get_opportunity(
        session=session, principal=principal, opportunity_id=opportunity_id
    )
    return found


@router.post(
    "/opportunities/{opportunity_id}/placements",
    status_code=status.HTTP_201_CREATED,
    summary="Propose a person for a work opportunity (under the work permit rules)",
    dependencies=[applies_scope(OPPORTUNITIES, WORKERS)],
)
async def propose_placement(
    opportunity_id: uuid.UUID, body: PlacementIn, session: DbSession, principal: WorkStaff
) -> PlacementOut:
    return await work_placements.propose(
        session=session, principal=principal, opportunity_id=opportunity_id, placement_in=body
    )


@router.post(
    "/placements/{placement_id}/start",
    summary="The person started in the opportunity (publishes work_placement.started)",
    dependencies=[applies_scope(PLACEMENTS)],
)
async def start_placement(
    placement_id: uuid.UUID, body: PlacementStartIn, session: DbSession, principal: WorkStaff
) -> PlacementOut:
    return await work_placements.start(
        session=session, principal=principal, placement_id=placement_id, start_in=body
    )


@router.post(
    "/placements/{placement_id}/end",
    summary="The placement ended with an outcome (publishes work_placement.ended)",
    dependencies=[applies_scope(PLACEMENTS)],
)
async def end_placement(
    placement_id: uuid.UUID, body: PlacementEndIn, session: DbSession, principal: WorkStaff
) -> PlacementOut:
    return await work_placements.end(
        session=session, principal=principal, placement_id=placement_id, end_in=body
    )


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
