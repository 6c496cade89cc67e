"""Nothing is lost when the broker goes away or a consumer dies mid-stream."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from teilhabe.auth import Role
from teilhabe_dev.testing.tcp_proxy import TcpProxy

from .support import System, eventually, register_households


async def test_broker_outage_loses_nothing_and_duplicates_nothing(system: System) -> None:
    broker = urlsplit(system.amqp_url)
    proxy = TcpProxy(broker.hostname or "127.0.0.1", broker.port or 5672).start()
    via_proxy = urlunsplit(
        broker._replace(netloc=f"{broker.username}:{broker.password}@127.0.0.1:{proxy.port}")
    )
    try:
        intake_api = system.start("intake", "api", amqp_url=via_proxy)
        system.start("intake", "relay", amqp_url=via_proxy)
        system.start("housing", "consumer", amqp_url=via_proxy)
        headers = system.headers(Role.CASEWORKER)
        await register_households(intake_api, headers, ["BEFORE-1"])
        await eventually(lambda: _queued(system, 1))

        proxy.cut()
        during = await register_households(intake_api, headers, [f"DURING-{n}" for n in range(30)])
        assert len(during) == 30, "the API answers and commits while the broker is away"
        assert await system.query("intake", UNPUBLISHED_REFERRALS) == 30

        proxy.restore()
        await eventually(lambda: _queued(system, 31), timeout=60)
        assert await system.query("housing", HANDLED_REFERRALS) == 31
        assert await system.query("intake", UNPUBLISHED_REFERRALS) == 0
    finally:
        proxy.close()


async def test_consumer_killed_mid_stream_loses_nothing(system: System) -> None:
    intake_api = system.start("intake", "api")
    system.start("intake", "relay")
    consumer = system.start("housing", "consumer")
    consumer.stop()  # let a backlog build up in its durable queue

    total = 400
    await register_households(
        intake_api, system.headers(Role.CASEWORKER), [f"STREAM-{n}" for n in range(total)]
    )
    await eventually(
        lambda: _equals(
            system.query("intake", UNPUBLISHED_REFERRALS),
            0,
        )
    )

    # Small batches make a stream of many transactions, so the kill lands inside it.
    consumer = system.start(
        "housing", "consumer", env={"CONSUMER_BATCH_SIZE": "2", "CONSUMER_PREFETCH": "4"}
    )
    await eventually(
        lambda: _at_least(system.query("housing", "SELECT count(*) FROM waiting_household"), 1),
        interval=0.005,
    )
    consumer.kill()
    handled_before_kill = await system.query("housing", "SELECT count(*) FROM waiting_household")
    assert 0 < handled_before_kill < total, "the kill must land mid-stream"

    system.start("housing", "consumer")
    await eventually(lambda: _queued(system, total), timeout=60)
    assert await system.query("housing", HANDLED_REFERRALS) == total


# Housing learns of a household by its referral (and of its persons by household.assigned,
# which the counts leave out: each referral handled once is what this test is about).
UNPUBLISHED_REFERRALS = (
    "SELECT count(*) FROM outbox_message WHERE published_at IS NULL"
    " AND event_type = 'household.referred_to_housing'"
)
HANDLED_REFERRALS = (
    "SELECT count(*) FROM inbox_message WHERE event_type = 'household.referred_to_housing'"
)


async def _queued(system: System, expected: int) -> bool:
    return await system.query("housing", "SELECT count(*) FROM waiting_household") == expected


async def _equals(value: object, expected: int) -> bool:
    return await value == expected  # type: ignore[misc]


async def _at_least(value: object, expected: int) -> bool:
    return await value >= expected  # type: ignore[misc,operator]
