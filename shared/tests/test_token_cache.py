"""A verified token is remembered until it expires, and not a moment longer."""

from __future__ import annotations

import asyncio
import time

import pytest
from teilhabe.auth import AuthenticationError, Principal, Role, TokenValidator
from teilhabe.auth.token_cache import VerifiedTokens
from teilhabe.config import ServiceSettings
from teilhabe_dev.testing.auth import RunningDevProvider


class WallClock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


def officer(subject: str = "officer-1") -> Principal:
    return Principal(subject=subject, roles=frozenset({Role.HOUSING_OFFICER}))


def test_entry_lives_until_the_tokens_expiry() -> None:
    clock = WallClock()
    cache = VerifiedTokens(clock=clock)
    key = cache.key("token-a")
    cache.put(key, officer(), expires_at=clock.now + 60)

    assert cache.get(key) == officer()
    assert cache.get(cache.key("token-a ")) is None  # one byte more is another token
    clock.now += 60
    assert cache.get(key) is None
    assert len(cache) == 0


def test_a_full_cache_forgets_expired_entries_then_the_oldest() -> None:
    clock = WallClock()
    cache = VerifiedTokens(max_entries=2, clock=clock)
    cache.put(cache.key("old"), officer("old"), expires_at=clock.now + 10)
    cache.put(cache.key("short"), officer("short"), expires_at=clock.now + 1)
    clock.now += 2
    cache.put(cache.key("new"), officer("new"), expires_at=clock.now + 10)
    assert cache.get(cache.key("old")) == officer("old")  # the expired one went first
    cache.put(cache.key("newer"), officer("newer"), expires_at=clock.now + 10)

    assert cache.get(cache.key("old")) is None
    assert cache.get(cache.key("newer")) == officer("newer")
    assert len(cache) == 2


async def test_a_remembered_token_is_refused_once_it_expires(
    identity: RunningDevProvider,
) -> None:
    settings = ServiceSettings(service_name="auth-test", **identity.oidc_settings())
    validator = TokenValidator.from_settings(settings, leeway=0)
    token = identity.mint(subject="officer-1", roles=[Role.HOUSING_OFFICER], expires_in=2)
    try:
        first = await validator.authenticate(token)
        assert await validator.authenticate(token) == first
        await asyncio.sleep(2.1)
        with pytest.raises(AuthenticationError, match="expired"):
            await validator.authenticate(token)
    finally:
        await validator.aclose()
