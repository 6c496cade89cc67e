"""The agency registry and subscription table: an administrator's, refused at the field
when a subscription names what agencies may not have."""

from __future__ import annotations

import httpx
from teilhabe.auth import Role
from teilhabe_dev.testing.auth import RunningDevProvider
from teilhabe_dev.testing.identity import auth_headers


async def test_an_administrator_registers_an_agency_and_subscribes_it(
    notifications: httpx.AsyncClient, identity: RunningDevProvider
) -> None:
    admin = auth_headers(identity, Role.ADMIN, subject="admin-agencies")
    assert (
        await notifications.put("/agencies/Job Center", json={"display_name": "x"}, headers=admin)
    ).status_code == 422
    created = await notifications.put(
        "/agencies/jobcenter-test", json={"display_name": "Jobcenter"}, headers=admin
    )
    assert created.status_code == 200, created.text
    path = "/agencies/jobcenter-test/subscriptions"

    refused = await notifications.post(
        path,
        json={"event_type": "household.assigned", "purpose": "vermittlung", "statutory": True},
        headers=admin,
    )
    assert refused.status_code == 422
    assert {e["field"] for e in refused.json()["errors"]} == {"event_type", "legal_basis"}
    unknown_field = {
        "event_type": "household.moved_in",
        "purpose": "vermittlung",
        "fields": ["site_name", "names"],
    }
    refused = await notifications.post(path, json=unknown_field, headers=admin)
    assert [e["field"] for e in refused.json()["errors"]] == ["fields"]

    subscription = {
        "event_type": "household.moved_in",
        "purpose": "vermittlung",
        "fields": ["moved_in_on"],
    }
    created = await notifications.post(path, json=subscription, headers=admin)
    assert created.status_code == 201, created.text
    assert (await notifications.post(path, json=subscription, headers=admin)).status_code == 409
    listed = await notifications.get("/agencies", headers=admin)
    [agency] = [a for a in listed.json() if a["id"] == "jobcenter-test"]
    assert [s["fields"] for s in agency["subscriptions"]] == [["moved_in_on"]]

    caseworker = auth_headers(identity, Role.CASEWORKER, subject="cw-agencies")
    assert (await notifications.get("/agencies", headers=caseworker)).status_code == 403
    gone = await notifications.delete(f"{path}/{created.json()['id']}", headers=admin)
    assert gone.status_code == 204
    assert (
        await notifications.delete(f"{path}/{created.json()['id']}", headers=admin)
    ).status_code == 404
