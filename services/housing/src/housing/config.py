"""Settings of the housing service."""

from __future__ import annotations

from functools import lru_cache

from teilhabe.config import ServiceSettings


class HousingSettings(ServiceSettings):
    service_name: str = "housing"
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/teilhabe_housing"
    http_port: int = 8002
    # A move-out recorded later than this is refused: beds would have been free unseen.
    move_out_backdating_limit_days: int = 30


@lru_cache
def get_settings() -> HousingSettings:
    return HousingSettings()
