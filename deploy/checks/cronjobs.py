"""Scheduled jobs: city time zone, no overlap, short history, the pod of the service."""

from __future__ import annotations

import re
from collections.abc import Iterator

from model import Doc, Rendering, ref, selector_matches

# Scheduled jobs (CronJobs) count the days of the city. In Europe/Berlin the hour from
# 02:00 to 02:59 is skipped on the last Sunday of March and repeated on the last Sunday of
# October: a job scheduled in it would not run, or run twice, on those days.
CRONJOB_TIME_ZONE = "Europe/Berlin"
CRONJOB_AMBIGUOUS_HOURS = {2}
CRONJOB_MAX_HISTORY = 5
CRONJOB_MACROS = {
    "@yearly": 0,
    "@annually": 0,
    "@monthly": 0,
    "@weekly": 0,
    "@daily": 0,
    "@midnight": 0,
    "@hourly": None,
}
# What a CronJob's pod takes over from its service's migration Job (deploy/k8s/components/
# service copies it): the same image, security, settings, credentials and /tmp.
CRONJOB_POD_FIELDS = (
    "serviceAccountName",
    "automountServiceAccountToken",
    "enableServiceLinks",
    "securityContext",
    "volumes",
)
CRONJOB_CONTAINER_FIELDS = (
    "image",
    "imagePullPolicy",
    "securityContext",
    "envFrom",
    "env",
    "volumeMounts",
)
# What the migration Job holds and a CronJob must not: the database owner's credentials.
MIGRATION_ONLY_ENV = {"DATABASE_OWNER_USER", "DATABASE_OWNER_PASSWORD", "DATABASE_MIGRATION_URL"}


def cron_hours(field: str) -> set[int] | None:
    """The hours of a cron hour field; None for every hour ("*", "*/n") or an unreadable field."""
    if field.startswith("*"):
        return None
    hours: set[int] = set()
    for part in field.split(","):
        match = re.fullmatch(r"(\d+)(?:-(\d+))?(?:/(\d+))?", part)
        if not match:
            return None
        start = int(match.group(1))
        end = int(match.group(2)) if match.group(2) else start
        step = int(match.group(3)) if match.group(3) else 1
        if match.group(3) and not match.group(2):
            end = 23
        hours.update(range(start, end + 1, step))
    return hours


def check_cronjobs(rendering: Rendering) -> Iterator[str]:
    """Scheduled jobs: city time, no overlap, short history, bounded, the pod of the service."""
    for cronjob in rendering.kind("CronJob"):
        name = ref(cronjob)
        spec = cronjob.get("spec", {}) or {}
        job = (spec.get("jobTemplate") or {}).get("spec", {}) or {}
        pod = job.get("template", {}) or {}
        schedule = str(spec.get("schedule", "")).split()
        if spec.get("timeZone") != CRONJOB_TIME_ZONE:
            yield (
                f"{name}: timeZone is {spec.get('timeZone')!r}, not {CRONJOB_TIME_ZONE!r} "
                "(without it the schedule follows the zone of the controller manager)"
            )
        if len(schedule) == 1 and schedule[0] in CRONJOB_MACROS:
            hour = CRONJOB_MACROS[schedule[0]]
            hours = None if hour is None else {hour}
        elif len(schedule) == 5:
            hours = cron_hours(schedule[1])
        else:
            yield f"{name}: schedule {spec.get('schedule')!r} is not five cron fields"
            hours = None
        if hours and hours & CRONJOB_AMBIGUOUS_HOURS:
            yield (
                f"{name}: schedule {spec.get('schedule')!r} runs between 02:00 and 02:59, an hour "
                "skipped in March and repeated in October in Europe/Berlin"
            )
        if spec.get("concurrencyPolicy") != "Forbid":
            yield f"{name}: concurrencyPolicy is {spec.get('concurrencyPolicy')!r}, not 'Forbid'"
        for key in ("successfulJobsHistoryLimit", "failedJobsHistoryLimit"):
            limit = spec.get(key)
            if not isinstance(limit, int) or not 0 <= limit <= CRONJOB_MAX_HISTORY:
                yield f"{name}: {key} is {limit!r}, not set to at most {CRONJOB_MAX_HISTORY}"
        for key in ("backoffLimit", "activeDeadlineSeconds"):
            if not isinstance(job.get(key), int):
                yield f"{name}: jobTemplate sets no {key}"
        if (pod.get("spec") or {}).get("restartPolicy") not in ("Never", "OnFailure"):
            yield f"{name}: restartPolicy of its pods is not Never or OnFailure"
        yield from same_pod_as_migration(rendering, cronjob, pod)


def same_pod_as_migration(rendering: Rendering, cronjob: Doc, pod: Doc) -> Iterator[str]:
    """A CronJob's pod runs like its service's migration Job: image, security, settings."""
    service = (pod.get("metadata", {}).get("labels") or {}).get("app.kubernetes.io/name")
    wanted = {"app.kubernetes.io/name": service, "app.kubernetes.io/component": "migrate"}
    migration = next(
        (
            job
            for job in rendering.kind("Job")
            if selector_matches(
                {"matchLabels": wanted}, job["spec"]["template"]["metadata"].get("labels") or {}
            )
        ),
        None,
    )
    if migration is None:
        yield f"{ref(cronjob)}: no migration Job of service {service!r} to run like"
        return
    spec, reference = pod.get("spec", {}) or {}, migration["spec"]["template"]["spec"]
    for key in CRONJOB_POD_FIELDS:
        if spec.get(key) != reference.get(key):
            yield f"{ref(cronjob)}: pod {key} differs from {ref(migration)}"

    def app(pod_spec: Doc) -> Doc:
        found = (c for c in pod_spec.get("containers", []) or [] if c.get("name") == "app")
        return next(found, {})

    container, reference_container = app(spec), app(reference)
    if not container:
        yield f"{ref(cronjob)}: no container app"
        return
    for key in CRONJOB_CONTAINER_FIELDS:
        expected = reference_container.get(key)
        if key == "env":
            expected = [v for v in expected or [] if v.get("name") not in MIGRATION_ONLY_ENV]
        if container.get(key) != expected:
            yield f"{ref(cronjob)}: container app {key} differs from {ref(migration)}"
