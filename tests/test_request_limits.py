"""Limits before work, on every service: oversized bodies, NUL characters, huge numbers.

Each service runs in-process on its own migrated database; every operation of its OpenAPI
document that takes a string or number (path, query or JSON body) is sent a NUL character
and, for numbers, one beyond PostgreSQL's bigint, with a token admitted everywhere. None
may answer 500; the refusal names the field.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from teilhabe.auth import Role, public_endpoint
from teilhabe_dev.testing.auth import RunningDevProvider, api_routes

LIMIT = 8 * 1024 * 1024
HUGE = 10**30
ALL_ROLES = [role.value for role in Role]


def _token(identity: RunningDevProvider) -> dict[str, str]:
    token = identity.mint(subject="probe", roles=ALL_ROLES, team="Nord", agency="Caritas")
    return {"Authorization": f"Bearer {token}"}


def _operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                yield method.upper(), path, operation


def _scalar_type(schema: dict[str, Any]) -> str | None:
    options = schema.get("anyOf", [schema])
    types = {option.get("type") for option in options}
    for kind in ("integer", "string"):
        if kind in types:
            return kind
    return "string" if any("$ref" in option for option in options) else None


def _probes(method: str, path: str, operation: dict[str, Any]) -> Iterator[tuple[str, str, Any]]:
    """(field, url, json body) for each string or integer parameter, and one body probe."""
    params = operation.get("parameters", [])
    path_values = {p["name"]: "1" for p in params if p["in"] == "path"}

    def url(path_values: dict[str, str], query: str = "") -> str:
        return path.format(**path_values) + (f"?{query}" if query else "")

    for parameter in params:
        kind = _scalar_type(parameter.get("schema", {}))
        name = parameter["name"]
        if parameter["in"] == "path":
            yield "path", url({**path_values, name: "a%00b"}), None
        elif parameter["in"] == "query" and kind:
            yield name, url(path_values, f"{name}=a%00b"), None
            if kind == "integer":
                yield name, url(path_values, f"{name}={HUGE}"), None
                # The largest number PostgreSQL takes: far beyond any table, yet no error.
                yield "", url(path_values, f"{name}={2**63 - 1}"), None
    if "requestBody" in operation and method != "GET":
        yield "probe", url(path_values), {"probe": "a\u0000b"}
        yield "probe", url(path_values), {"probe": HUGE}


async def test_nul_and_huge_numbers_are_refused_naming_the_field(
    service_api: httpx.AsyncClient, identity: RunningDevProvider
) -> None:
    document = (await service_api.get("/openapi.json")).json()
    headers = _token(identity)
    probed = 0
    for method, path, operation in _operations(document):
        for field, url, body in _probes(method, path, operation):
            response = await service_api.request(method, url, json=body, headers=headers)
            probed += 1
            if not field:
                assert response.status_code < 500, (method, url, response.text)
                continue
            assert response.status_code in {401, 403, 404, 422}, (method, url, response.text)
            if response.status_code == 422:
                fields = [error["field"] for error in response.json()["errors"]]
                assert field in fields, (method, url, fields)
    assert probed > 5


async def test_every_staff_tool_page_refuses_nul_and_huge_numbers(
    service_api: httpx.AsyncClient,
) -> None:
    app = service_api.app  # type: ignore[attr-defined]
    probed = 0
    for route in api_routes(app):
        if not route.path.startswith("/ui/"):
            continue
        path = route.path.format_map(_Ones())
        for method in sorted(route.methods):
            if method == "GET":
                probes = [
                    ("suche", f"{path}?suche=a%00b", None),
                    ("page", f"{path}?page={HUGE}", None),
                ]
            else:
                probes = [("text", path, b"csrf_token=x&text=a%00b")]
            if "{" in route.path:
                probes.append(("path", route.path.format_map(_Nul()), None))
            for field, url, form in probes:
                response = await service_api.request(
                    method,
                    url,
                    content=form,
                    headers={"content-type": "application/x-www-form-urlencoded"} if form else {},
                )
                probed += 1
                assert response.status_code == 422, (method, url, response.status_code)
                assert field in [error["field"] for error in response.json()["errors"]]
    assert probed > 5


async def test_nul_in_a_staff_tool_form_and_query_is_refused(
    service_api: httpx.AsyncClient,
) -> None:
    response = await service_api.get("/ui/?suche=a%00b")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "suche"
    response = await service_api.post(
        "/ui/abmelden",
        content=b"csrf=x&text=a%00b",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "text"


async def test_oversized_body_is_refused_before_authentication(
    service_api: httpx.AsyncClient,
) -> None:
    document = (await service_api.get("/openapi.json")).json()
    method, path, _ = next(
        (method, path, op) for method, path, op in _operations(document) if "requestBody" in op
    )
    url = path.format_map(_Ones())
    body = b"[" + b"0," * (LIMIT // 2) + b"0]"
    response = await service_api.request(
        method, url, content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 413, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == 413

    async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: read up to the limit
        for _ in range(LIMIT // 65536 + 2):
            yield b" " * 65536

    response = await service_api.request(
        method, url, content=chunks(), headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert "content-length" not in response.request.headers

    response = await service_api.request(
        method, url, content=b" " * LIMIT, headers={"content-type": "application/json"}
    )
    assert response.status_code in {401, 422}  # at the limit: read, and judged as usual


class _Ones(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "1"


class _Nul(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "a%00b"


async def test_every_answer_carries_the_security_headers(service_api: httpx.AsyncClient) -> None:
    for url in ("/health/live", "/openapi.json", "/asyncapi.json"):
        response = await service_api.get(url)
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["cache-control"] == "no-store"


async def test_an_unexpected_error_is_a_problem_document_with_the_headers(
    service_api: httpx.AsyncClient,
) -> None:
    app = service_api.app  # type: ignore[attr-defined]
    pages = next(route.app for route in app.routes if getattr(route, "path", "") == "/ui")

    async def broken() -> None:
        raise RuntimeError("a fault nobody foresaw")

    app.add_api_route("/__broken", broken, dependencies=[public_endpoint()])
    pages.add_api_route("/__broken", broken, dependencies=[public_endpoint()])
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        for url in ("/__broken", "/ui/__broken"):
            response = await client.get(url)
            assert response.status_code == 500
            assert response.headers["content-type"] == "application/problem+json"
            assert response.json()["status"] == 500
            assert "nobody foresaw" not in response.text
            assert response.headers["x-content-type-options"] == "nosniff"
            assert response.headers["cache-control"] == "no-store"
            assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


async def test_a_list_of_a_thousand_households_is_admitted(
    service_api: httpx.AsyncClient, request: pytest.FixtureRequest
) -> None:
    if "intake" not in request.node.callspec.id:
        pytest.skip("the allocation list is intake's")
    members = [
        {
            "given_name": "Mohammad-Reza",
            "family_name": "Al-Hashimi Karimzadeh",
            "date_of_birth": "1988-03-14",
            "sex": "female",
            "nationality": "SYR",
            "languages": ["ar", "ku", "en"],
            "residence_status": "aufenthaltsgestattung",
            "residence_status_expires_on": "2027-05-20",
            "special_needs": "Rollstuhl; " * 40,
        }
    ] * 6
    allocations = [
        {
            "allocation_notice_number": f"BRA-2026-{number:06d}",
            "allocated_on": "2026-11-20",
            "allocating_authority": "Bezirksregierung Arnsberg",
            "expected_arrival_on": "2026-12-01",
            "members": members,
        }
        for number in range(1000)
    ]
    response = await service_api.post("/households/import", json={"allocations": allocations})
    assert len(response.request.content) > 4 * 1024 * 1024
    assert response.status_code == 401  # read and validated whole; only the token is missing
