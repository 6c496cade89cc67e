"""The seal of an audit entry: HMAC-SHA256 over its predecessor's seal and its content.

The key is a secret of the deployment (setting `audit_key`), never stored in the
database, so that whoever can write the table (even a superuser) cannot forge a seal.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from collections.abc import Mapping
from datetime import UTC
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

GENESIS = bytes(32)  # the "predecessor" of a chain's first entry
# Serialises appends to one database's chain; any constant of our own will do.
CHAIN_LOCK = 0x7E11_4AB3_A0D1
SESSION_KEY_INFO = "teilhabe.audit_key"
KEY_SETTING = "AUDIT_KEY"
MIN_KEY_LENGTH = 32


def content_of(entry: Mapping[str, Any]) -> bytes:
    """The sealed fields of an entry, in one canonical byte form."""
    return json.dumps(
        [
            entry["at"].astimezone(UTC).isoformat(),
            entry["actor"],
            list(entry["actor_roles"]),
            entry["action"],
            entry["resource_type"],
            entry["resource_id"],
            entry["trace_id"],
        ],
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode()


def seal(key: bytes, previous: bytes, entry: Mapping[str, Any]) -> bytes:
    return hmac.new(key, previous + content_of(entry), hashlib.sha256).digest()


def key_bytes(secret: str) -> bytes:
    if len(secret) < MIN_KEY_LENGTH:
        raise ValueError(f"the audit key must have at least {MIN_KEY_LENGTH} characters")
    return secret.encode()


def session_info(secret: str | None) -> dict[str, bytes]:
    """What a session factory carries so that its sessions can seal audit entries."""
    return {SESSION_KEY_INFO: key_bytes(secret)} if secret is not None else {}


def chain_key(session: AsyncSession) -> bytes:
    """The key of the session's factory, else the process's setting AUDIT_KEY."""
    key = session.info.get(SESSION_KEY_INFO)
    if isinstance(key, bytes):
        return key
    secret = os.environ.get(KEY_SETTING)
    if not secret:
        raise RuntimeError(f"no audit key: set {KEY_SETTING}")
    return key_bytes(secret)
