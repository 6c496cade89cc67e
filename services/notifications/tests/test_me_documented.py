"""`PUT /me`'s body is given where a newcomer looks: the README and the OpenAPI example."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
from teilhabe.auth import Role
from teilhabe_dev.testing.auth import RunningDevProvider
from teilhabe_dev.testing.identity import auth_headers

README = Path(__file__).parents[3] / "README.md"


async def test_the_readme_and_openapi_example_of_put_me_is_accepted(
    notifications: httpx.AsyncClient, identity: RunningDevProvider
) -> None:
    found = re.search(
        r"curl -X PUT http://127\.0\.0\.1:8005/me .*?-d '([^']+)'", README.read_text(), re.S
    )
    assert found, "the README shows PUT /me with its body"
    body = json.loads(found.group(1))
    document = (await notifications.get("/openapi.json")).json()
    assert document["components"]["schemas"]["MeIn"]["examples"] == [body]

    headers = auth_headers(identity, Role.HOUSING_OFFICER, subject="jonas-readme")
    response = await notifications.put("/me", json=body, headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["email"] == body["email"]
