"""The identity provider's public signing keys, fetched over HTTP and cached."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Mapping
from typing import Any

import httpx
import structlog
from jwt import PyJWK, PyJWKSet
from jwt.exceptions import PyJWKSetError

from teilhabe.auth.errors import SigningKeysUnavailableError

log = structlog.get_logger(__name__)


class JwksCache:
    """Signing keys by `kid`, refreshed when stale or when a token names an unknown key.

    Refreshes are rate-limited by `min_refresh_interval` (counted from the last attempt,
    successful or not) so that a flood of tokens with invented key ids, or an outage of
    the provider, cannot turn into a flood of requests against the provider. Concurrent
    refreshes share one request. Once keys are known, the periodic refetch runs in the
    background: requests go on with the cached keys rather than wait for the provider.
    """

    def __init__(
        self,
        url: str,
        *,
        client: httpx.AsyncClient | None = None,
        min_refresh_interval: float = 10.0,
        max_age: float = 900.0,
        timeout: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._url = url
        self._client = client
        # Only a client this cache created is closed by it; a passed-in one is borrowed.
        self._owns_client = client is None
        self._min_refresh_interval = min_refresh_interval
        self._max_age = max_age
        self._timeout = timeout
        self._clock = clock
        self._lock = asyncio.Lock()
        self._keys: dict[str, PyJWK] | None = None
        self._fetched_at: float | None = None
        self._last_attempt: float | None = None
        self._last_attempt_failed = False
        self._attempts = 0
        self._background: asyncio.Task[None] | None = None

    @property
    def url(self) -> str:
        return self._url

    async def get(self, kid: str) -> PyJWK | None:
        """The key for `kid`, or None if the provider does not publish it.

        Raises `SigningKeysUnavailableError` when the key is not cached and the provider
        could not be asked, since then a valid token cannot be told from a forged one.
        """
        if self._keys is None:
            await self._refresh(seen_attempts=self._attempts)
        elif self._is_stale():
            self._refresh_in_background()
        key = self._lookup(kid)
        if key is None:
            await self._refresh(seen_attempts=self._attempts)
            key = self._lookup(kid)
        if key is None and self._last_attempt_failed:
            raise SigningKeysUnavailableError(f"could not fetch signing keys from {self._url}")
        return key

    async def aclose(self) -> None:
        if self._background is not None:
            self._background.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._background
        if self._client is not None and self._owns_client:
            await self._client.aclose()
            self._client = None

    def _lookup(self, kid: str) -> PyJWK | None:
        return None if self._keys is None else self._keys.get(kid)

    def _refresh_in_background(self) -> None:
        if self._background is None or self._background.done():
            self._background = asyncio.create_task(self._refresh(seen_attempts=self._attempts))

    def _is_stale(self) -> bool:
        # Periodic refetch lets keys the provider has withdrawn stop being trusted.
        return self._fetched_at is None or self._clock() - self._fetched_at >= self._max_age

    async def _refresh(self, *, seen_attempts: int) -> None:
        async with self._lock:
            if self._attempts != seen_attempts:
                return  # Another task refreshed while this one waited for the lock.
            now = self._clock()
            if (
                self._last_attempt is not None
                and now - self._last_attempt < self._min_refresh_interval
            ):
                return
            self._last_attempt = now
            self._attempts += 1
            try:
                keys = await self._fetch()
            except (httpx.HTTPError, ValueError, PyJWKSetError) as exc:
                # Previously fetched keys stay in use: a provider hiccup must not log
                # everybody out.
                self._last_attempt_failed = True
                log.warning("jwks_refresh_failed", url=self._url, error=str(exc))
                return
            self._keys = keys
            self._fetched_at = now
            self._last_attempt_failed = False
            log.info("jwks_refreshed", url=self._url, kids=sorted(keys))

    async def _fetch(self) -> dict[str, PyJWK]:
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=self._timeout, follow_redirects=False)
        response = await self._client.get(self._url, headers={"Accept": "application/json"})
        response.raise_for_status()
        document = response.json()
        if not isinstance(document, Mapping):
            raise ValueError("JWKS document is not a JSON object")
        return parse_signing_keys(document)


def parse_signing_keys(document: Mapping[str, Any]) -> dict[str, PyJWK]:
    """Usable signature-verification keys of a JWKS document, by `kid`.

    Keycloak publishes encryption keys next to signing keys; those, symmetric keys (which
    have no business in a public document) and keys without `kid` are left out.
    """
    entries = document.get("keys")
    if not isinstance(entries, list):
        raise ValueError("JWKS document has no 'keys' list")
    candidates = [
        entry
        for entry in entries
        if isinstance(entry, dict)
        and isinstance(entry.get("kid"), str)
        and entry.get("kid")
        and entry.get("use", "sig") == "sig"
        and entry.get("kty") != "oct"
    ]
    keys: dict[str, PyJWK] = {}
    for key in PyJWKSet(candidates):
        if key.key_id is not None:
            keys.setdefault(key.key_id, key)
    return keys
