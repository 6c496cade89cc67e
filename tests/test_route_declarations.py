"""Every route of every app (API and staff tool) declares who may call it and, when it
takes a record id, the scope its use case loads the record through."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from teilhabe_dev.testing.auth import (
    api_routes,
    routes_without_declared_roles,
    routes_without_declared_scope,
)
from teilhabe_dev.testing.infrastructure import Infrastructure

from .support import SERVICES

# Routes each app must be seen to serve, so that a walk that finds nothing cannot pass.
KNOWN = {
    "intake": {"GET /households/{household_id}", "GET /ui/haushalte/{household_id}"},
    "housing": {"GET /sites/{site_id}", "POST /ui/belegungen/{placement_id}/umzug"},
    "courses": {"GET /courses/{course_id}", "POST /ui/kurse/{course_id}/anmelden"},
    "volunteers": {"GET /volunteers/{volunteer_id}", "GET /ui/haushalte/{household_id}"},
    "notifications": {
        "GET /inbox/{notification_id}",
        "GET /ui/benachrichtigungen/{notification_id}",
        "POST /webhooks/deliveries/{delivery_id}/replays",
        "POST /webhooks/endpoints/{endpoint_id}/secret",
    },
}


@pytest.fixture(scope="module")
def apps(infra: Infrastructure) -> dict[str, FastAPI]:
    # `infra` gives the run its settings (the audit key every app needs to start).
    return {name: service.create_app() for name, service in SERVICES.items()}


def test_the_walk_sees_every_api_route_and_every_page(apps: dict[str, FastAPI]) -> None:
    for name, app in apps.items():
        labels = {route.label for route in api_routes(app)}
        assert KNOWN[name] <= labels, name
        assert any(label.split(" ")[1].startswith("/ui/") for label in labels), name
        assert len(labels) >= 15, (name, len(labels))


def test_every_route_declares_its_roles(apps: dict[str, FastAPI]) -> None:
    assert {name: routes_without_declared_roles(app) for name, app in apps.items()} == {
        name: [] for name in apps
    }


def test_every_route_with_a_record_id_declares_its_scope(apps: dict[str, FastAPI]) -> None:
    with_ids = sum(bool(route.record_ids) for app in apps.values() for route in api_routes(app))
    assert with_ids >= 40
    assert {name: routes_without_declared_scope(app) for name, app in apps.items()} == {
        name: [] for name in apps
    }
