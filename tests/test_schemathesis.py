"""Schemathesis against every service's OpenAPI document, in-process, with each role's token.

For every operation, requests that fit the schema and requests that do not are generated
(bounded: a few examples per operation and mode) and sent with a token of each role and
without one. No answer may be a server error, and none sent without a token may be
anything but a refusal.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.python import asgi
from teilhabe.auth import Role
from teilhabe_dev.testing.apps import given_environment, migrated_database
from teilhabe_dev.testing.auth import RunningDevProvider
from teilhabe_dev.testing.identity import oidc_env
from teilhabe_dev.testing.infrastructure import Infrastructure

from tests.support import SERVICES

EXAMPLES_PER_OPERATION = int(os.environ.get("TEILHABE_SCHEMATHESIS_EXAMPLES", "4"))
NOT_SIGNED_IN = "(no token)"


@pytest.fixture(scope="module", params=list(SERVICES))
async def service_app(
    request: pytest.FixtureRequest, infra: Infrastructure, identity: RunningDevProvider
) -> Any:
    """The service's app, built with its environment; Schemathesis runs its lifespan."""
    service = SERVICES[request.param]
    async with migrated_database(infra, service) as url:
        env = {"DATABASE_URL": url, "AMQP_URL": infra.amqp_url, **oidc_env(identity)}
        # Given for as long as the app runs: its requests read the settings too.
        with given_environment(service, env):
            app = service.create_app()
            try:
                yield app
            finally:
                asgi.shutdown_lifespans()


def _tokens(identity: RunningDevProvider) -> dict[str, str | None]:
    tokens: dict[str, str | None] = {
        role.value: identity.mint(
            subject=f"schemathesis-{role.value}",
            roles=[role],
            teams=["Soziale Betreuung Nord"],
            expires_in=3600,
        )
        for role in Role
    }
    tokens[NOT_SIGNED_IN] = None
    return tokens


def _operations(schema: Any) -> Iterator[Any]:
    for result in schema.get_all_operations():
        yield result.ok()


def test_no_server_error_and_no_answer_without_authentication(
    service_app: Any, identity: RunningDevProvider
) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", service_app)
    tokens = _tokens(identity)
    failures: list[str] = []
    sent = 0

    for operation in _operations(schema):
        strategy = st.one_of(
            operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
            operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
        )

        @settings(
            max_examples=EXAMPLES_PER_OPERATION * 2,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
            phases=[Phase.generate],
        )
        @given(case=strategy)
        def probe(case: Any) -> None:
            nonlocal sent
            for role, token in tokens.items():
                headers = {"Authorization": f"Bearer {token}"} if token else {}
                response = case.call(headers=headers)
                sent += 1
                label = f"{case.method} {case.formatted_path} as {role}"
                if response.status_code >= 500:
                    failures.append(f"{label}: {response.status_code} {response.text[:300]}")
                if token is None and response.status_code < 400:
                    failures.append(f"{label}: {response.status_code} without a token")

        if operation.path.startswith(("/health", "/metrics", "/asyncapi", "/events/schemas")):
            continue  # public by design
        probe()

    assert not failures, "\n".join(dict.fromkeys(failures))
    print(f"schemathesis: {sent} requests")
    assert sent > 0


def test_the_public_operations_are_only_health_metrics_and_the_contract(
    service_app: Any,
) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", service_app)
    public = {
        operation.path
        for operation in _operations(schema)
        if not operation.definition.raw.get("security")
        and not any(
            parameter.get("in") == "header" and parameter.get("name") == "authorization"
            for parameter in operation.definition.raw.get("parameters", [])
        )
    }
    assert public <= {
        "/health/live",
        "/health/ready",
        "/metrics",
        "/asyncapi.json",
        "/events/schemas/{event_type}/{version}",
    }, public
