"""Prometheus metrics of the event backbone, the same names in every service."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

EVENTS_PUBLISHED = Counter(
    "teilhabe_events_published_total", "Events confirmed by the broker", ["service", "event_type"]
)
PUBLISH_FAILURES = Counter(
    "teilhabe_publish_failures_total", "Publish attempts the broker did not confirm", ["service"]
)
EVENTS_CONSUMED = Counter(
    "teilhabe_events_consumed_total",
    "Events taken off the queue, by outcome (handled, duplicate, retried, dead_lettered); "
    "by queue too, since one process may run two consumers (notifications' gateway)",
    ["service", "queue", "event_type", "outcome"],
)
EVENTS_DEAD_LETTERED = Counter(
    "teilhabe_events_dead_lettered_total",
    "Messages sent to the dead-letter queue",
    ["service", "reason"],
)
OUTBOX_PENDING = Gauge("teilhabe_outbox_pending", "Outbox rows not yet published", ["service"])
OUTBOX_LAG = Gauge(
    "teilhabe_outbox_lag_seconds", "Age of the oldest unpublished outbox row", ["service"]
)
CONSUMER_BATCH_SECONDS = Histogram(
    "teilhabe_consumer_batch_seconds",
    "Time to handle one batch of messages in one transaction",
    ["service"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
)
CONSUMER_DATABASE_WAITS = Counter(
    "teilhabe_consumer_database_waits_total",
    "Times a consumer held its batch because the database could not be reached",
    ["service"],
)
TIMERS_FIRED = Counter(
    "teilhabe_timers_fired_total", "Timers whose handler ran and committed", ["service", "kind"]
)
TIMER_FAILURES = Counter(
    "teilhabe_timer_failures_total",
    "Attempts of a timer's handler that failed",
    ["service", "kind"],
)
TIMERS_DEAD = Counter(
    "teilhabe_timers_dead_total",
    "Timers given up after their last attempt (never tried again unless scheduled anew)",
    ["service", "kind"],
)
TIMERS_KEPT = Gauge(
    "teilhabe_timers", "Timers kept, by state (pending, dead, paused)", ["service", "state"]
)
RETENTION_LAST_RUN = Gauge(
    "teilhabe_retention_last_run_timestamp_seconds",
    "When a retention rule last ran (a slice of expired records removed, maybe none)",
    ["service", "table"],
)
RETENTION_REMOVED = Counter(
    "teilhabe_retention_removed_total",
    "Records a retention rule deleted or anonymised",
    ["service", "table", "action"],
)
DATABASE_POOL_EXHAUSTED = Counter(
    "teilhabe_database_pool_exhausted_total",
    "Requests answered 503 because no database connection came free in time "
    "or the server took none",
    ["service"],
)
