"""The OpenAPI document says what the API enforces: the residence-status expiry."""

from __future__ import annotations

from typing import Any

import httpx
import jsonschema_rs
import pytest
from teilhabe.auth import Role
from teilhabe_dev.testing.auth import RunningDevProvider
from teilhabe_dev.testing.identity import auth_headers

MEMBER = {
    "given_name": "Amina",
    "family_name": "Haddad",
    "date_of_birth": "1988-03-14",
    "sex": "female",
    "nationality": "SYR",
    "languages": ["ar"],
}


def _validator(document: dict[str, Any]) -> Any:
    schema = {"$ref": "#/components/schemas/MemberIn", "components": document["components"]}
    return jsonschema_rs.Draft202012Validator(schema)


@pytest.mark.parametrize(
    ("status", "expires_on", "schema_admits"),
    [
        ("aufenthaltsgestattung", None, False),
        ("duldung", None, False),
        ("aufenthaltserlaubnis", None, False),
        ("fiktionsbescheinigung", None, False),
        ("aufenthaltsgestattung", "2027-05-20", True),
        ("niederlassungserlaubnis", None, True),
        ("ungeklaert", None, True),
    ],
)
async def test_the_schema_and_the_api_agree_on_the_expiry(
    intake: httpx.AsyncClient,
    identity: RunningDevProvider,
    status: str,
    expires_on: str | None,
    schema_admits: bool,
) -> None:
    document = (await intake.get("/openapi.json")).json()
    member = {**MEMBER, "residence_status": status}
    if expires_on is not None:
        member["residence_status_expires_on"] = expires_on
    assert _validator(document).is_valid(member) is schema_admits

    number = f"EXP-{status}-{expires_on or 'none'}"
    response = await intake.post(
        "/households",
        json={
            "allocation_notice_number": number,
            "allocated_on": "2026-11-20",
            "allocating_authority": "Bezirksregierung Arnsberg",
            "members": [member],
        },
        headers=auth_headers(identity, Role.CASEWORKER, subject="anna"),
    )
    assert (response.status_code == 201) is schema_admits, response.text
    if not schema_admits:
        fields = [error["field"] for error in response.json()["errors"]]
        assert "members[0].residence_status_expires_on" in fields
