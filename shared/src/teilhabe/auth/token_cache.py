"""Principals of access tokens already verified, so that a token is checked once, not per call.

A signature check costs about as much CPU as the rest of a small request. A client sends
the same token for minutes, so each process remembers the principal of a verified token,
keyed by the token's SHA-256 (the token itself is not kept), until the token's `exp`
(without the leeway the first check grants). A token that differs in any byte misses.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable

from teilhabe.auth.principal import Principal

DEFAULT_MAX_ENTRIES = 10_000


class VerifiedTokens:
    """A bounded map from token hash to (principal, expiry); the oldest entry goes first."""

    def __init__(
        self,
        *,
        max_entries: int = DEFAULT_MAX_ENTRIES,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._max_entries = max_entries
        self._clock = clock
        self._entries: dict[bytes, tuple[Principal, float]] = {}

    @staticmethod
    def key(token: str) -> bytes:
        return hashlib.sha256(token.encode()).digest()

    def get(self, key: bytes) -> Principal | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        principal, expires_at = entry
        if self._clock() >= expires_at:
            del self._entries[key]
            return None
        return principal

    def put(self, key: bytes, principal: Principal, expires_at: float) -> None:
        if self._max_entries <= 0 or self._clock() >= expires_at:
            return
        if len(self._entries) >= self._max_entries:
            self._evict()
        self._entries[key] = (principal, expires_at)

    def __len__(self) -> int:
        return len(self._entries)

    def _evict(self) -> None:
        now = self._clock()
        for key in [k for k, (_, expires_at) in self._entries.items() if now >= expires_at]:
            del self._entries[key]
        while len(self._entries) >= self._max_entries:
            del self._entries[next(iter(self._entries))]
