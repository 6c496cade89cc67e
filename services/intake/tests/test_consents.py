"""Consent to share with partner agencies: recorded and revoked by the caseworker, with
its event in the same transaction, refused at the field when it breaks a rule."""

from __future__ import annotations

import json

import asyncpg
import httpx
from teilhabe.auth import Role
from teilhabe.clock import today
from teilhabe.db import asyncpg_dsn
from teilhabe_dev.testing.auth import RunningDevProvider
from teilhabe_dev.testing.identity import auth_headers

from .test_api import allocation


async def test_a_consent_is_granted_revoked_and_told_by_events(
    intake: httpx.AsyncClient, identity: RunningDevProvider, intake_database: str
) -> None:
    headers = auth_headers(identity, Role.CASEWORKER, subject="cw-consent")
    household = (await intake.post("/households", json=allocation(), headers=headers)).json()
    other = (await intake.post("/households", json=allocation(), headers=headers)).json()
    path = f"/households/{household['id']}/consents"
    consent = {
        "member_id": household["members"][0]["id"],
        "agency": "jobcenter-kreis-coesfeld",
        "purpose": "arbeitsvermittlung",
        "granted_on": "2026-11-21",
        "evidence_reference": "Akte 4711",
    }

    refused = await intake.post(
        path,
        json={**consent, "member_id": other["members"][0]["id"], "granted_on": "2999-01-01"},
        headers=headers,
    )
    assert refused.status_code == 422
    assert {e["field"] for e in refused.json()["errors"]} == {"member_id", "granted_on"}
    assert (
        await intake.post(path, json={**consent, "agency": "Job Center"}, headers=headers)
    ).status_code == 422
    # Well-formed, but not an agency consents may name (CONSENT_AGENCIES): at the field.
    unknown = await intake.post(
        path, json={**consent, "agency": "jobcenter-nirgendwo"}, headers=headers
    )
    assert unknown.status_code == 422
    assert [(e["field"], e["message"]) for e in unknown.json()["errors"]] == [
        ("agency", "not a partner agency a consent may name")
    ]

    granted = await intake.post(path, json=consent, headers=headers)
    assert granted.status_code == 201, granted.text
    consent_id = granted.json()["id"]
    again = await intake.post(path, json=consent, headers=headers)
    assert again.status_code == 409
    assert again.json()["type"] == "urn:teilhabe:problem:consent-exists"

    revoke = f"{path}/{consent_id}/revocation"
    elsewhere = f"/households/{other['id']}/consents/{consent_id}/revocation"
    assert (await intake.post(elsewhere, json={}, headers=headers)).status_code == 404
    revoked = await intake.post(revoke, json={}, headers=headers)
    assert revoked.status_code == 200, revoked.text
    assert revoked.json()["revoked_on"] == today().isoformat()
    assert (await intake.post(revoke, json={}, headers=headers)).status_code == 409
    # Revoked, a consent may be given anew.
    assert (await intake.post(path, json=consent, headers=headers)).status_code == 201

    listed = await intake.get(path, headers=headers)
    assert [c["revoked_on"] is None for c in listed.json()] == [True, False]

    db = await asyncpg.connect(asyncpg_dsn(intake_database))
    try:
        rows = await db.fetch(
            "SELECT event_type, convert_from(body, 'UTF8') AS body FROM outbox_message"
            " WHERE event_type LIKE 'consent.%' AND convert_from(body, 'UTF8') LIKE $1"
            " ORDER BY id",
            f"%{consent_id}%",
        )
    finally:
        await db.close()
    assert [row["event_type"] for row in rows] == ["consent.granted", "consent.revoked"]
    data = json.loads(rows[0]["body"])["data"]
    # References, the agency and the purpose: no evidence, no name.
    assert set(data) == {
        "consent_id",
        "household_id",
        "member_id",
        "agency",
        "purpose",
        "granted_on",
    }
