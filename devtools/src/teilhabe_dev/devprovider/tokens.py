"""Minting access tokens shaped like the ones Keycloak issues."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterable
from typing import Any

import jwt
from teilhabe.auth.roles import Role

from teilhabe_dev.devprovider.keys import PrivateKey, SigningKey

# Development mail domain: the local mail catcher takes everything, nothing leaves.
DEV_MAIL_DOMAIN = "duelmen.de"
_PLAIN_SUBJECT = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def dev_email(subject: str) -> str | None:
    """The e-mail address the development provider gives a plain subject (`anna@…`)."""
    return f"{subject}@{DEV_MAIL_DOMAIN}" if _PLAIN_SUBJECT.match(subject) else None


def mint_token(
    key: SigningKey | PrivateKey,
    *,
    issuer: str,
    audience: str,
    subject: str,
    roles: Iterable[Role | str],
    expires_in: int = 300,
    kid: str | None = None,
    teams: Iterable[str] = (),
    **claims: Any,
) -> str:
    """A signed access token.

    `roles` go to `realm_access.roles`; plain strings are allowed so tests can include
    roles this system does not know. `teams` go to `groups` as full group paths, as
    Keycloak's group mapper sends them by default. `claims` are added last and override
    the defaults; None values are left out. A negative `expires_in` yields an expired token.
    """
    signing_key = key if isinstance(key, SigningKey) else SigningKey.from_private_key(key)
    now = int(time.time())
    payload: dict[str, Any] = {
        "iss": issuer,
        "aud": audience,
        "sub": subject,
        "iat": now,
        "exp": now + expires_in,
        "jti": str(uuid.uuid4()),
        "typ": "Bearer",
        "realm_access": {"roles": list(dict.fromkeys(str(role) for role in roles))},
    }
    if teams:
        payload["groups"] = ["/" + team.removeprefix("/") for team in dict.fromkeys(teams)]
    payload.update({name: value for name, value in claims.items() if value is not None})
    return jwt.encode(
        payload,
        signing_key.private_key,
        algorithm=signing_key.algorithm,
        headers={"kid": kid or signing_key.kid, "typ": "JWT"},
    )
