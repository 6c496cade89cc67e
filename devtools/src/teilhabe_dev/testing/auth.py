"""Helpers for the test suites of services that use `teilhabe.auth`."""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypedDict

import uvicorn
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, APIWebSocketRoute, iter_route_contexts
from starlette.routing import BaseRoute, Mount
from teilhabe.auth.dependencies import PublicEndpoint
from teilhabe.auth.roles import Role

from teilhabe_dev.devprovider.app import DEFAULT_AUDIENCE, JWKS_PATH, REALM_PATH, create_app
from teilhabe_dev.devprovider.keys import KeyRing, SigningKey
from teilhabe_dev.devprovider.tokens import mint_token


def routes_without_declared_roles(app: FastAPI) -> list[str]:
    """Routes (as "METHOD /path") that declare neither required roles nor `public_endpoint()`.

    A service's test suite asserts this is empty, so that a route added without a
    decision about who may call it fails the build instead of shipping open.
    """
    return [route.label for route in api_routes(app) if not _declares(route.dependant, _roles_of)]


def routes_without_declared_scope(app: FastAPI) -> list[str]:
    """Routes taking a record id (a path parameter named `*_id`) that declare no scope.

    Such a route must load its record through a `teilhabe.scope.RecordScope` and say so
    with `applies_scope(...)`, so that a record out of the caller's scope answers 404.
    """
    return [
        route.label
        for route in api_routes(app)
        if route.record_ids and not _declares(route.dependant, _scopes_of)
    ]


@dataclass(frozen=True)
class ApiRoute:
    """One route an app serves, wherever it was included or mounted."""

    path: str
    methods: frozenset[str]
    dependant: Dependant

    @property
    def label(self) -> str:
        return f"{','.join(sorted(self.methods))} {self.path}"

    @property
    def record_ids(self) -> list[str]:
        return [name for name in _path_parameters(self.path) if name.endswith("_id")]


def api_routes(app: FastAPI) -> list[ApiRoute]:
    """Every FastAPI route of `app`, through included routers and mounted sub-apps.

    FastAPI (since 0.16x) keeps included routers wrapped in `app.routes`; walking their
    effective routes is the only way to see what the app really serves.
    """
    return list(_walk(app.routes, prefix=""))


def _walk(routes: Sequence[BaseRoute], *, prefix: str) -> Iterator[ApiRoute]:
    for context in iter_route_contexts(routes):
        route = context.original_route
        if isinstance(route, Mount):
            yield from _walk(route.routes, prefix=prefix + route.path)
            continue
        dependant = getattr(context, "dependant", None)
        if not isinstance(route, APIRoute | APIWebSocketRoute) or dependant is None:
            continue  # the framework's own documentation routes and static files
        methods = frozenset(route.methods or ()) if isinstance(route, APIRoute) else {"WEBSOCKET"}
        yield ApiRoute(prefix + (context.path or route.path), frozenset(methods), dependant)


def _path_parameters(path: str) -> list[str]:
    return [part.split(":")[0] for part in re.findall(r"{([^}]+)}", path)]


def _roles_of(call: object) -> bool:
    return isinstance(call, PublicEndpoint) or bool(getattr(call, "declared_roles", None))


def _scopes_of(call: object) -> bool:
    return bool(getattr(call, "declared_scopes", None))


def _declares(dependant: Dependant, check: Callable[[object], bool]) -> bool:
    if check(dependant.call):
        return True
    return any(_declares(sub, check) for sub in dependant.dependencies)


class OidcSettings(TypedDict):
    oidc_issuer: str
    oidc_audience: str
    oidc_jwks_url: str


@dataclass(frozen=True)
class RunningDevProvider:
    """A development identity provider serving on 127.0.0.1 in a background thread."""

    keys: KeyRing
    issuer: str
    audience: str

    @property
    def jwks_url(self) -> str:
        return self.issuer.removesuffix(REALM_PATH) + JWKS_PATH

    def oidc_settings(self) -> OidcSettings:
        """Keyword arguments for `ServiceSettings` pointing a service at this provider."""
        return OidcSettings(
            oidc_issuer=self.issuer, oidc_audience=self.audience, oidc_jwks_url=self.jwks_url
        )

    def mint(
        self, *, subject: str, roles: Iterable[Role | str], expires_in: int = 300, **claims: Any
    ) -> str:
        """A token this provider would issue, signed with its current key."""
        return mint_token(
            self.keys.signing_key,
            issuer=self.issuer,
            audience=self.audience,
            subject=subject,
            roles=roles,
            expires_in=expires_in,
            **claims,
        )


@contextmanager
def run_dev_provider(
    keys: KeyRing | None = None, *, audience: str = DEFAULT_AUDIENCE, startup_timeout: float = 10.0
) -> Iterator[RunningDevProvider]:
    """Serve a development provider over real HTTP for the duration of the block.

    Without `keys` a fresh in-memory key is used, so tests never touch `.dev/`.
    """
    keyring = keys if keys is not None else KeyRing(SigningKey.generate())
    # Binding before starting the server leaves no window for another process to take the port.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    issuer = f"http://127.0.0.1:{port}{REALM_PATH}"
    config = uvicorn.Config(
        create_app(keyring, issuer=issuer, audience=audience),
        log_level="warning",
        loop="asyncio",
        lifespan="on",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="dev-oidc", daemon=True
    )
    thread.start()
    try:
        deadline = time.monotonic() + startup_timeout
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("development identity provider did not start")
            time.sleep(0.01)
        yield RunningDevProvider(keys=keyring, issuer=issuer, audience=audience)
    finally:
        server.should_exit = True
        thread.join(timeout=startup_timeout)
        sock.close()
