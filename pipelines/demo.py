"""`brokerlake demo`: the sandbox (or a sources file) -> every asset through Dagster -> the
warehouse, then what landed; `brokerlake backfill`: the daily snapshots of a range of
days. Each says its progress per source in a line per step, failures in plain words;
Dagster's own log of the run stays in the run's log (the UI shows it)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import dagster as dg

from assets import WarehouseResource
from brokers.kinds import BY_KIND
from pipelines.definitions import (
    ANALYTICS_JOB,
    SNAPSHOT_JOB,
    SYNC_JOB,
    build_definitions,
    sources_for,
)
from pipelines.instance import dagster_instance
from pipelines.progress import PROGRESS_LOGGER, Progress, progress_logger
from pipelines.report import render
from pipelines.settings import Settings

Out = Callable[[str], None]


def in_process_job(
    settings: Settings, name: str, first_day: date, say: Progress | None = None
) -> tuple[dg.JobDefinition, list[str], str]:
    """A job of these settings' definitions, to run in this process (no step retries, no
    pool slots: see `build_definitions`); with the source names and home (a folder, or
    object storage). With `say`, the run's events go to that progress (told the sources)
    rather than to the terminal."""
    sources, kinds = sources_for(settings)
    names, home = sorted(kinds), settings.home_uri
    defs = build_definitions(sources, kinds, home, first_day, in_process=True)
    if say is not None:
        say.follow(names, {n: k for n, k in kinds.items() if not BY_KIND[k].has_orders})
        loggers = {PROGRESS_LOGGER: progress_logger(say), "console": dg.colored_console_logger}
        defs = dg.Definitions.merge(defs, dg.Definitions(loggers=loggers))
    return defs.resolve_job_def(name), names, home


def run_config(verbose: bool) -> dict[str, object]:
    """Progress lines only; with `verbose`, Dagster's own log of every event too."""
    loggers: dict[str, object] = {PROGRESS_LOGGER: {}}
    if verbose:
        loggers["console"] = {"config": {"log_level": "INFO"}}
    return {"loggers": loggers}


def describe(settings: Settings) -> str:
    if not settings.uses_sandbox:
        return f"Sources from {settings.sources_file}."
    clock = settings.sandbox_clock.isoformat() if settings.sandbox_clock else "start of today"
    return f"The built-in sandbox (seed {settings.sandbox_seed}, clock {clock}): simulated data."


def run_demo(settings: Settings, out: Out = print, *, verbose: bool = False) -> int:
    """Materialize every asset of every source for the day; returns the number of sources
    that failed."""
    out(describe(settings))
    progress = Progress(out, verbose=verbose)
    job, names, home = in_process_job(settings, SYNC_JOB, settings.first_day, progress)
    out(f"Syncing {len(names)} sources for {settings.day} into {home} ...")
    progress.say_without_orders()
    instance = dagster_instance(home)
    result = job.execute_in_process(
        partition_key=settings.day.isoformat(),
        instance=instance,
        raise_on_error=False,
        run_config=run_config(verbose),
    )
    failed = conclude(result, names, progress, out)
    if settings.uses_sandbox:
        run_analytics(settings, instance, out, verbose=verbose)
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


def run_analytics(
    settings: Settings, instance: dg.DagsterInstance, out: Out, *, verbose: bool = False
) -> bool:
    """The analytics job (the sandbox's ECB rates, Alpaca's portfolio history, the
    models) after a sandbox sync; real sources run it on its schedule."""
    quiet = Progress(lambda line: None, verbose=verbose)  # one line for the whole job
    job, _, _ = in_process_job(settings, ANALYTICS_JOB, settings.first_day, quiet)
    result = job.execute_in_process(
        instance=instance, raise_on_error=False, run_config=run_config(verbose)
    )
    models = sum(
        1 for e in result.get_asset_materialization_events() if e.asset_key.path[0] == "analytics"
    )
    if result.success:
        out(f"Analytics ok: the ECB's rates, reported histories and {models} models")
    else:
        failures = [e.step_key for e in result.all_events if e.is_step_failure]
        out(f"Analytics FAILED ({', '.join(str(f) for f in failures)}): see the run's log")
    return result.success


def conclude(
    result: dg.ExecuteInProcessResult, names: list[str], progress: Progress, out: Out
) -> list[str]:
    """One line on the whole run; returns the sources that failed."""
    failed = sorted(set(progress.failed_sources()) | ({*names} - {*_reported(progress)}))
    if not result.success and not failed:  # a failure outside any source's steps
        failed = ["(the run)"]
    where = f"run {result.run_id[:8]}; its log is in the UI: make ui"
    ok = len(names) - len([name for name in failed if name in names])
    failures = f"; failed: {', '.join(failed)}" if failed else ""
    out(f"{ok} of {len(names)} sources ok{failures} ({where})")
    return failed


def _reported(progress: Progress) -> set[str]:
    return {outcome.source for outcome in progress.steps.values()}


def run_backfill(
    settings: Settings, first: date, last: date, out: Out = print, *, verbose: bool = False
) -> int:
    """The daily snapshots of every day in [first, last], oldest first, one run a day (as a
    backfill from the UI launches them); returns the number of failed (day, source)."""
    out(describe(settings))
    progress = Progress(out, verbose=verbose)
    job, names, home = in_process_job(
        settings, SNAPSHOT_JOB, min(first, settings.first_day), progress
    )
    instance = dagster_instance(home)
    failed = 0
    day = first
    while day <= last:
        out(f"Snapshots of {len(names)} sources for {day} ...")
        progress.steps.clear()
        result = job.execute_in_process(
            partition_key=day.isoformat(),
            instance=instance,
            raise_on_error=False,
            run_config=run_config(verbose),
        )
        failed += len(conclude(result, names, progress, out))
        day += timedelta(days=1)
    WarehouseResource(home=home).catalog.refresh()
    out(f"Backfilled {first} to {last} into {home}.")
    return failed
