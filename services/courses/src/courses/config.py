"""Settings of the courses service."""

from __future__ import annotations

from teilhabe.config import ServiceSettings
from teilhabe.settings_source import SettingsSource


class CoursesSettings(ServiceSettings):
    service_name: str = "courses"
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/teilhabe_courses"
    http_port: int = 8003


# Read from the environment once; an app run in-process is given its own
# (teilhabe.settings_source).
get_settings: SettingsSource[CoursesSettings] = SettingsSource(CoursesSettings)
