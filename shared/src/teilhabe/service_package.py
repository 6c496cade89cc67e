"""A service defined by its package: the modules every service has, found by their names.

Every service package has the same layout (`config.get_settings`, `models.messaging`,
`handlers.HANDLERS` and `READS`, `retention.RETENTION`, `processing.PROCESSING`,
`migrations/`); its `main` module names only what is its own: the app's title, routers
and pages, its timers, companions and commands.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from fastapi import APIRouter, FastAPI

from teilhabe.api.app import create_service_app
from teilhabe.config import ServiceSettings
from teilhabe.events.contract import FieldsRead
from teilhabe.messaging.tables import MessagingTables
from teilhabe.processing import Processing
from teilhabe.retention import Retention
from teilhabe.runtime import Command, Companion, ServiceDefinition
from teilhabe.timers import TimerHandlers

T = TypeVar("T")


@dataclass(frozen=True)
class ServiceApi:
    """What a service's HTTP app serves: its API routers and, under /ui, its staff pages."""

    title: str
    description: str
    routers: Sequence[APIRouter]
    pages: Callable[[FastAPI, ServiceSettings], None] | None = None


@dataclass(frozen=True)
class ServiceExtras:
    """What only some services have."""

    timers: TimerHandlers = field(default_factory=dict)
    companions: Sequence[Callable[[ServiceSettings], Companion]] = ()
    side_reads: FieldsRead = field(default_factory=dict)
    commands: Mapping[str, Command] = field(default_factory=dict)


def _attribute(package: str, module: str, name: str, kind: type[T]) -> T:
    value: Any = getattr(importlib.import_module(f"{package}.{module}"), name)
    if not isinstance(value, kind):
        raise TypeError(f"{package}.{module}.{name} is not a {kind.__name__}")
    return value


def service_of_package(
    package: str, api: ServiceApi, extras: ServiceExtras | None = None
) -> ServiceDefinition:
    """The service whose code is the package `package` (its name is the service's)."""
    extras = extras or ServiceExtras()
    config = importlib.import_module(f"{package}.config")
    get_settings: Callable[[], ServiceSettings] = config.get_settings

    def create_app() -> FastAPI:
        settings = get_settings()
        app = create_service_app(
            settings, title=api.title, description=api.description, routers=api.routers
        )
        if api.pages is not None:
            api.pages(app, settings)  # the staff pages at /ui
        return app

    root = importlib.import_module(package)
    assert root.__file__ is not None
    return ServiceDefinition(
        name=package,
        settings=get_settings,
        create_app=create_app,
        app_factory=f"{package}.main:SERVICE.create_app",
        migrations_dir=Path(root.__file__).parent / "migrations",
        messaging=_attribute(package, "models", "messaging", MessagingTables),
        handlers=_attribute(package, "handlers", "HANDLERS", dict),
        reads=_attribute(package, "handlers", "READS", dict),
        retention=_attribute(package, "retention", "RETENTION", Retention),
        processing=_attribute(package, "processing", "PROCESSING", Processing),
        timers=extras.timers,
        companions=extras.companions,
        side_reads=extras.side_reads,
        commands=extras.commands,
    )


__all__ = ["ServiceApi", "ServiceExtras", "service_of_package"]
