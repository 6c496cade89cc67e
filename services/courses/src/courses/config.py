"""Settings of the courses service."""

from __future__ import annotations

from functools import lru_cache

from teilhabe.config import ServiceSettings


class CoursesSettings(ServiceSettings):
    service_name: str = "courses"
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/teilhabe_courses"
    http_port: int = 8003


@lru_cache
def get_settings() -> CoursesSettings:
    return CoursesSettings()
