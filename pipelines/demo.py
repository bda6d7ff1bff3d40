"""`brokerlake demo`: the sandbox (or sources.yaml) -> every asset through Dagster -> the
warehouse, then what landed."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import date, timedelta

import dagster as dg

from assets import WarehouseResource
from assets.tables_common import group
from pipelines.definitions import SNAPSHOT_JOB, SYNC_JOB, build_definitions, sources_for
from pipelines.report import render
from pipelines.settings import Settings

QUIET = {"loggers": {"console": {"config": {"log_level": "INFO"}}}}


def dagster_instance() -> dg.DagsterInstance:
    """The persistent instance under DAGSTER_HOME when set (the UI then shows the runs)."""
    return (
        dg.DagsterInstance.get()
        if os.environ.get("DAGSTER_HOME")
        else dg.DagsterInstance.ephemeral()
    )


def failure_messages(result: dg.ExecuteInProcessResult) -> list[str]:
    messages = []
    for event in result.get_step_failure_events():
        error = event.step_failure_data.error
        text = error.message.strip() if error else "step failed"
        messages.append(f"{event.step_key}: {text}")
    return messages


def warning_messages(result: dg.ExecuteInProcessResult) -> dict[str, list[str]]:
    """The warnings steps put in their metadata (a user skipped, ...), each once, by the
    source (the first part of the asset key) they came from."""
    messages: dict[str, list[str]] = {}
    for event in result.get_asset_materialization_events():
        materialization = event.step_materialization_data.materialization
        source = materialization.asset_key.path[0]
        value = materialization.metadata.get("warnings")
        for line in str(getattr(value, "value", "") or "").splitlines():
            message = line.removeprefix("- ").strip()
            if message and message not in messages.setdefault(source, []):
                messages[source].append(message)
    return messages


def in_process_job(
    settings: Settings, name: str, first_day: date
) -> tuple[dg.JobDefinition, list[str], str]:
    """A job of these settings' definitions, run in this process without step retries (a
    failure is reported at once; the schedules retry); with the source names and home."""
    sources, kinds = sources_for(settings)
    home = settings.home_uri
    defs = build_definitions(sources, kinds, home, first_day, retries=False)
    return defs.resolve_job_def(name), sorted(kinds), home


def source_of(step_key: str, sources: list[str]) -> str | None:
    """Which source a step belongs to (its key starts with the source's group name)."""
    matches = [name for name in sources if step_key.startswith(group(name) + "__")]
    return max(matches, key=len) if matches else None


def run_demo(settings: Settings, out: Callable[[str], None] = print) -> int:
    """Materialize every asset of every source for the day; returns the number of sources
    that failed."""
    if settings.sources_file is None:
        clock = (
            settings.sandbox_clock.isoformat() if settings.sandbox_clock else "start of today (UTC)"
        )
        out(
            "No sources.yaml: using the built-in sandbox sources "
            f"(seed {settings.sandbox_seed}, clock {clock})."
        )
    else:
        out(f"Sources from {settings.sources_file}.")
    job, names, home = in_process_job(settings, SYNC_JOB, settings.first_day)
    day = settings.day.isoformat()
    out(f"Materializing every asset of {len(names)} sources for {day} ...")
    result = job.execute_in_process(
        partition_key=day, instance=dagster_instance(), raise_on_error=False, run_config=QUIET
    )
    failed = report(result, names, out)
    catalog = WarehouseResource(home=home).catalog
    catalog.refresh()
    out("")
    out(render(catalog))
    out("")
    if catalog.remote:
        out(f"Query it with SQL: warehouse.Catalog({home!r}).connect()")
    else:
        out(f"Query it with SQL: duckdb.connect({str(catalog.path)!r}, read_only=True)")
    return len(failed)


def report(
    result: dg.ExecuteInProcessResult, names: list[str], out: Callable[[str], None]
) -> set[str]:
    """Each source's outcome in one run; returns the sources that failed."""
    failures: dict[str, list[str]] = {}
    for message in failure_messages(result):
        failures.setdefault(source_of(message, names) or "?", []).append(message)
    warnings = warning_messages(result)
    for name in names:
        if name in failures:
            out(f"  {name}: FAILED (run {result.run_id})")
            for message in failures[name]:
                out(f"    {message}")
        else:
            out(f"  {name}: ok (run {result.run_id})")
            for message in warnings.get(name, []):
                out(f"    warning: {message}")
    for message in failures.get("?", []):
        out(f"  {message}")
    return set(failures)


def run_backfill(
    settings: Settings, first: date, last: date, out: Callable[[str], None] = print
) -> int:
    """The daily snapshots of every day in [first, last], oldest first, one run a day (as a
    backfill from the UI launches them); returns the number of failed (day, source)."""
    job, names, home = in_process_job(settings, SNAPSHOT_JOB, min(first, settings.first_day))
    instance = dagster_instance()
    failed = 0
    day = first
    while day <= last:
        out(f"Snapshots of {len(names)} sources for {day} ...")
        result = job.execute_in_process(
            partition_key=day.isoformat(), instance=instance, raise_on_error=False, run_config=QUIET
        )
        failed += len(report(result, names, out))
        day += timedelta(days=1)
    WarehouseResource(home=home).catalog.refresh()
    out(f"Backfilled {first} to {last} into {home}.")
    return failed
