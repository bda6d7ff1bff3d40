"""`brokerlake demo`: the sandbox (or sources.yaml) -> every asset through Dagster -> the
warehouse, then what landed."""

from __future__ import annotations

import os
from collections.abc import Callable

import dagster as dg

from assets import WarehouseResource
from pipelines.definitions import SYNC_JOB, build_definitions, sources_for
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


def warning_messages(result: dg.ExecuteInProcessResult) -> list[str]:
    """The warnings steps put in their metadata (a user skipped, ...), each once."""
    messages: list[str] = []
    for event in result.get_asset_materialization_events():
        materialization = event.step_materialization_data.materialization
        value = materialization.metadata.get("warnings")
        for line in str(getattr(value, "value", "") or "").splitlines():
            message = line.removeprefix("- ").strip()
            if message and message not in messages:
                messages.append(message)
    return messages


def run_demo(settings: Settings, out: Callable[[str], None] = print) -> int:
    """Materialize every asset for every source; returns the number of failed sources."""
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
    sources, names = sources_for(settings)
    home = settings.home.resolve()
    defs = build_definitions(sources, names, str(home))
    job = defs.resolve_job_def(SYNC_JOB)
    instance = dagster_instance()
    failed = 0
    for name in names:
        out(f"Materializing every asset for source {name} ...")
        result = job.execute_in_process(
            partition_key=name, instance=instance, raise_on_error=False, run_config=QUIET
        )
        if result.success:
            out(f"  {name}: ok (run {result.run_id})")
            for message in warning_messages(result):
                out(f"    warning: {message}")
        else:
            failed += 1
            out(f"  {name}: FAILED (run {result.run_id})")
            for message in failure_messages(result):
                out(f"    {message}")
    catalog = WarehouseResource(home=str(home)).catalog
    catalog.refresh()
    out("")
    out(render(catalog.path))
    out("")
    out(f"Query it with SQL: duckdb.connect({str(catalog.path)!r}, read_only=True)")
    return failed
