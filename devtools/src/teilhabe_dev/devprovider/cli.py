"""`teilhabe-dev-oidc`: serve the development provider, or print a token for curl."""

from __future__ import annotations

import argparse
import ipaddress
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

import uvicorn
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict
from teilhabe.auth.roles import Role

from teilhabe_dev.devprovider.app import DEFAULT_AUDIENCE, MAX_EXPIRES_IN, REALM_PATH, create_app
from teilhabe_dev.devprovider.keys import DEFAULT_KEY_FILE, load_or_create_key
from teilhabe_dev.devprovider.tokens import dev_email, mint_token

log = logging.getLogger(__name__)


class DevProviderSettings(BaseSettings):
    """Environment of the development provider (`DEV_OIDC_*`)."""

    model_config = SettingsConfigDict(env_prefix="DEV_OIDC_", extra="ignore")

    key_file: Path = Field(default=DEFAULT_KEY_FILE, description="PEM file of the signing key.")
    host: str = "127.0.0.1"
    port: int = Field(default=8090, ge=1, le=65535)
    issuer: str | None = Field(
        default=None,
        description="Issuer URL if clients reach the provider under another address "
        "than host:port (containers); defaults to http://{host}:{port}/realms/teilhabe.",
    )
    audience: str = DEFAULT_AUDIENCE

    def resolved_issuer(self) -> str:
        if self.issuer:
            return self.issuer.rstrip("/")
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}{REALM_PATH}"


def main(argv: Sequence[str] | None = None, settings: DevProviderSettings | None = None) -> None:
    """The command line; `settings` default to the environment's (`DEV_OIDC_*`)."""
    args = _parser().parse_args(argv)
    # stderr, so that `TOKEN=$(teilhabe-dev-oidc token ...)` captures only the token.
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    settings = settings or DevProviderSettings()
    if args.command == "token":
        _print_token(settings, args)
    else:
        _serve(settings)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="teilhabe-dev-oidc",
        description="Development identity provider. Never run it in production.",
    )
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("serve", help="serve the provider (default)")
    token = commands.add_parser("token", help="print an access token signed with the key file")
    token.add_argument(
        "--role",
        dest="roles",
        action="append",
        default=[],
        choices=[role.value for role in Role],
        help="realm role; repeat for several",
    )
    token.add_argument("--subject", default="dev-user")
    token.add_argument("--name")
    token.add_argument("--email")
    token.add_argument("--locale")
    token.add_argument(
        "--team", dest="teams", action="append", default=[], help="team; repeat for several"
    )
    token.add_argument("--agency")
    token.add_argument("--expires-in", type=int, default=3600, help="seconds")
    return parser


def _print_token(settings: DevProviderSettings, args: argparse.Namespace) -> None:
    if not 1 <= args.expires_in <= MAX_EXPIRES_IN:
        sys.exit(f"--expires-in must be between 1 and {MAX_EXPIRES_IN}")
    # Minted offline with the provider's key file, so the provider need not be running.
    token = mint_token(
        load_or_create_key(settings.key_file),
        issuer=settings.resolved_issuer(),
        audience=settings.audience,
        subject=args.subject,
        roles=[Role(role) for role in args.roles],
        expires_in=args.expires_in,
        preferred_username=args.name,
        email=args.email or dev_email(args.subject),
        locale=args.locale,
        teams=[team for team in args.teams if team],
        agency=args.agency,
    )
    print(token)


def _serve(settings: DevProviderSettings) -> None:
    issuer = settings.resolved_issuer()
    if not _is_loopback(settings.host):
        log.warning("listening on %s, which other machines can reach", settings.host)
    app = create_app(settings.key_file, issuer=issuer, audience=settings.audience)
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="info")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
