"""Settings every service reads from its environment.

Each service subclasses `ServiceSettings` and sets `service_name`; nothing here has a
default that would be wrong in production except the development OIDC provider, which a
deployment overrides with its own issuer.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from teilhabe.events.catalogue import DEFAULT_SCHEMA_BASE_URL


class ServiceSettings(BaseSettings):
    """Environment of one service process (API, relay or consumer)."""

    model_config = SettingsConfigDict(env_prefix="", extra="ignore", frozen=True)

    service_name: str = Field(description="Name of the service; also its queue and source.")
    database_url: str = Field(
        default="postgresql+asyncpg://postgres@127.0.0.1:5432/teilhabe",
        description="SQLAlchemy URL of this service's own database, as its app role.",
    )
    database_migration_url: str | None = Field(
        default=None,
        description="The same database as its owner role, for `migrate` only; unset: DATABASE_URL.",
    )
    audit_key: SecretStr | None = Field(
        default=None,
        description="Secret key (32+ characters) sealing the audit chain; the API needs it.",
    )
    amqp_url: str = Field(
        default="amqp://guest:guest@127.0.0.1:5672/",
        description="RabbitMQ URL including the virtual host.",
    )
    event_exchange: str = Field(
        default="teilhabe.events", description="Durable topic exchange of domain events."
    )
    event_schema_base_url: str = Field(
        default=DEFAULT_SCHEMA_BASE_URL,
        description="Public address under which the services serve the events' JSON Schemas "
        "(`<address>/<type>/<version>`); every event's `dataschema` points there.",
    )
    oidc_issuer: str = Field(
        default="http://127.0.0.1:8090/realms/teilhabe",
        description="Issuer (iss) the tokens must carry.",
    )
    oidc_audience: str = Field(
        default="teilhabe", description="Audience (aud) the tokens must carry."
    )
    oidc_jwks_url: str = Field(
        default="http://127.0.0.1:8090/realms/teilhabe/protocol/openid-connect/certs",
        description="Where the identity provider publishes its signing keys.",
    )
    oidc_algorithms: tuple[str, ...] = Field(
        default=("RS256", "ES256"), description="Signature algorithms accepted, nothing else."
    )
    oidc_teams_claim: str = Field(
        default="groups",
        description="Claim listing the person's teams (Keycloak group mapper); "
        "a dotted name reaches into nested claims.",
    )
    http_host: str = Field(default="127.0.0.1", description="Address the HTTP server binds.")
    http_port: int = Field(
        default=8000, description="Port of the API, or of a worker's health server."
    )
    api_workers: int = Field(
        default=1, ge=1, le=32, description="API processes on one port; on Kubernetes scale pods."
    )
    max_request_body_bytes: int = Field(
        default=8 * 1024 * 1024,
        ge=1024,
        description="Largest request body accepted; larger ones answer 413 before any work. "
        "The ingress's proxy-body-size must match.",
    )
    city_name: str = Field(
        default="Dülmen", description="The city running the system, as staff and people read it."
    )
    city_mail_domain: str = Field(
        default="duelmen.de", description="The city's mail domain, for examples and hints."
    )
    log_level: str = Field(default="INFO")
    log_json: bool = Field(
        default=True, description="JSON logs; false gives readable console logs."
    )
    consumer_prefetch: int = Field(default=100, ge=1, le=1000)
    consumer_batch_size: int = Field(default=50, ge=1, le=500)
    consumer_linger_seconds: float = Field(
        default=0.005,
        ge=0,
        le=1,
        description="How long a consumer waits, after a message, for more to handle in the "
        "same transaction: each waits up to this long, and a batch costs a transaction, a "
        "round trip per statement and an acknowledgement however many messages it holds.",
    )
    relay_batch_size: int = Field(default=200, ge=1, le=2000)
    publish_timeout_seconds: float = Field(default=10.0, gt=0)
    amqp_heartbeat_seconds: int = Field(default=15, ge=5, le=60)
    timer_batch_size: int = Field(
        default=50, ge=1, le=1000, description="Timers fired in one transaction."
    )
    timer_max_attempts: int = Field(
        default=8, ge=1, le=100, description="Attempts of a failing timer before it is dead."
    )
    timer_poll_seconds: float = Field(
        default=60.0,
        gt=0,
        description="Longest sleep of the timer worker (it wakes earlier for a due timer).",
    )
    retention_interval_seconds: float = Field(
        default=6 * 3600,
        gt=0,
        description="Pause between two retention runs of a rule (a run goes on in slices "
        "without pause while it finds a full slice).",
    )
    archive_offer_dir: Path | None = Field(
        default=None,
        description="Directory where files the city must offer to its archive (ArchivG NRW) "
        "are written before retention deletes them; unset, such files are not deleted.",
    )
    retention_slice: int = Field(
        default=500, ge=1, le=10_000, description="Records one retention slice removes at most."
    )
    run_timers_in_consumer: bool = Field(
        default=True,
        description="Fire the service's timers inside its consumer process; false when "
        "`teilhabe-<service> timers` runs as a process of its own.",
    )
    # Connections by budget: every process's pool counts against the database server's
    # max_connections (see "Connection budget" in deploy/README.md).
    database_pool_size: int = Field(
        default=5,
        ge=1,
        le=100,
        description="Connections each API process (each of its workers) keeps to the database.",
    )
    database_max_overflow: int = Field(
        default=0,
        ge=0,
        le=100,
        description="Connections opened beyond the pool under load and closed after use.",
    )
    database_pool_timeout_seconds: float = Field(
        default=5.0,
        gt=0,
        description="How long a request waits for a free connection before it is answered "
        "503 with Retry-After.",
    )
    http_keep_alive_seconds: int = Field(
        default=75,
        ge=1,
        le=3600,
        description="Idle keep-alive connections are kept open this long; longer than any "
        "client's or proxy's idle timeout, so that the server never closes a connection a "
        "client is about to reuse.",
    )

    @property
    def migration_url(self) -> str:
        return self.database_migration_url or self.database_url
