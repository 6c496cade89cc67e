"""Work: a caseworker records the permit status, employment started and ended (with the
events the Jobcenter may receive by consent), hands a person over to the Jobcenter, and
reads the city's monthly figure; a person out of their care is unknown to them."""

from __future__ import annotations

import csv
import io

import asyncpg
import httpx
from teilhabe.auth import Role
from teilhabe.db import asyncpg_dsn
from teilhabe.events.households import AgeGroup
from teilhabe_dev.testing.auth import RunningDevProvider
from teilhabe_dev.testing.identity import auth_headers

from .test_api import people


async def test_employment_needs_a_permit_and_is_told_by_events_and_counted(
    courses: httpx.AsyncClient, identity: RunningDevProvider, courses_database: str
) -> None:
    caseworker = auth_headers(identity, Role.CASEWORKER, subject="cw-work")
    stranger = auth_headers(identity, Role.CASEWORKER, subject="cw-other", teams=("team-süd",))
    [member, child] = await people(courses_database, AgeGroup.ADULT, AgeGroup.SCHOOL)
    start = {
        "member_id": member,
        "started_on": "2026-11-02",
        "employer_category": "care",
        "hours_per_week": "30",
    }
    refused = await courses.post("/work/employment-starts", json=start, headers=caseworker)
    assert refused.status_code == 422
    assert [e["field"] for e in refused.json()["errors"]] == ["member_id"]

    permit = {"member_id": member, "status": "permitted", "valid_until": "2027-06-30"}
    other = await courses.put("/work/permits", json=permit, headers=stranger)
    assert other.status_code == 422  # not their person: unknown to them
    ok = await courses.put("/work/permits", json=permit, headers=caseworker)
    assert ok.status_code == 200, ok.text
    started = await courses.post("/work/employment-starts", json=start, headers=caseworker)
    assert started.status_code == 201, started.text
    assert started.json()["work_permit_status"] == "permitted"
    again = await courses.post("/work/employment-starts", json=start, headers=caseworker)
    assert again.status_code == 409
    bad = await courses.post(
        "/work/employment-starts", json={**start, "employer_name": "Firma X"}, headers=caseworker
    )
    assert bad.status_code == 422  # no employer names

    handover = {"member_id": member, "handed_over_on": "2026-11-03"}
    handed = await courses.post("/work/jobcenter-handovers", json=handover, headers=caseworker)
    assert handed.status_code == 202, handed.text

    figures = await courses.get("/work/figures", params={"months": 2}, headers=caseworker)
    assert figures.status_code == 200
    november = [f for f in figures.json() if f["month"] == "2026-11-01"]
    if november:  # the test runs in the months the figure covers
        assert november[0]["in_work"] >= 1

    end = {"member_id": member, "ended_on": "2026-11-30", "reason": "contract_ended"}
    ended = await courses.post("/work/employment-ends", json=end, headers=caseworker)
    assert ended.status_code == 200, ended.text
    assert (
        await courses.post("/work/employment-ends", json=end, headers=caseworker)
    ).status_code == 409

    table = await courses.get("/work/figures.csv", headers=caseworker)
    assert table.status_code == 200
    assert table.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(table.text), delimiter=";"))
    assert rows[0] == ["Monat", "In Arbeit", "In Maßnahmen", "In Kursen", "Insgesamt"]
    assert len(rows) == 13
    agency = auth_headers(identity, Role.AGENCY, subject="agency-work")
    assert (await courses.get("/work/figures", headers=agency)).status_code == 403

    connection = await asyncpg.connect(asyncpg_dsn(courses_database))
    try:
        staged = await connection.fetch(
            "SELECT event_type FROM outbox_message WHERE position($1::bytea IN body) > 0 "
            "ORDER BY id",
            member.encode(),
        )
    finally:
        await connection.close()
    assert [row["event_type"] for row in staged] == [
        "employment.started",
        "work.handed_over_to_jobcenter",
        "employment.ended",
    ]
    assert child  # a child of the household, untouched
