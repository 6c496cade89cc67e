"""Where a process's settings come from: its environment, read once, or settings given.

A service's `get_settings` is a `SettingsSource`: production reads the environment the
first time it is asked. Whoever runs a service's app in-process (a test, a tool) gives it
its settings with `given(...)` instead of changing the process environment, which every
other app in the same process would read too; `from_environment(model, values)` makes
settings with environment-style names (`DATABASE_URL`, `UI_TOOLS`) set, without setting them.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any, Generic, TypeVar, cast

from pydantic_settings import BaseSettings, EnvSettingsSource, PydanticBaseSettingsSource

S = TypeVar("S", bound=BaseSettings)


class SettingsSource(Generic[S]):
    """Callable like the `lru_cache`d factory it replaces: the settings of this process."""

    def __init__(self, model: type[S]) -> None:
        self.model = model
        self._lock = threading.Lock()
        self._read: S | None = None
        self._given: list[S] = []

    def __call__(self) -> S:
        if self._given:
            return self._given[-1]
        with self._lock:
            if self._read is None:
                self._read = self.model()
            return self._read

    def cache_clear(self) -> None:
        """Read the environment again at the next call."""
        with self._lock:
            self._read = None

    @contextmanager
    def given(self, settings: S) -> Iterator[S]:
        """Within the block, `settings` are this process's (innermost wins)."""
        self._given.append(settings)
        try:
            yield settings
        finally:
            self._given.remove(settings)


def from_environment(model: type[S], values: Mapping[str, str]) -> S:
    """`model`'s settings as if the environment also had `values` (names as variables).

    The process environment is read, never changed; `values` win over it.
    """

    class _Given(EnvSettingsSource):
        def _load_env_vars(self) -> Mapping[str, str | None]:
            found = dict(super()._load_env_vars())
            for name, value in values.items():
                found[name if self.case_sensitive else name.lower()] = value
            return found

    class _FromValues(model):  # type: ignore[valid-type,misc]
        @classmethod
        def settings_customise_sources(
            cls,
            settings_cls: type[BaseSettings],
            *sources: PydanticBaseSettingsSource,
            **named: Any,
        ) -> tuple[PydanticBaseSettingsSource, ...]:
            # The environment and the values: no .env file, no secrets directory.
            return (_Given(settings_cls),)

    made = _FromValues()
    # The model's own class, so that nothing downstream sees a stand-in type.
    # (validated already: constructing copies the values as they are, nested ones too)
    return cast(S, model.model_construct(_fields_set=made.model_fields_set, **dict(made)))
