"""`python -m benchmarks.phase PHASE ...`: one measured run in a process of its own, so
its peak memory is its own; prints one JSON line of figures.

Phases: `raw` (download the pages of a full sync and discard them), `sync` (a full sync
through the library), `raw-orders` / `sync-orders` (an incremental orders sync from the
cursors of the orders already landed), `dagster` (the `sync_all` job of every asset,
materialized in process for the day).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import resource
import time
from datetime import date
from pathlib import Path
from typing import Any

from assets.order_sync import plan_read
from assets.sync import sync_source
from assets.tables_common import TABLE_NAMES
from benchmarks.raw import download
from brokers.config import SourceConfig, load_sources
from brokers.registry import connector_for
from warehouse import Lake

log = logging.getLogger("brokerlake.benchmark")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


async def raw(sources: list[SourceConfig], lake: Lake, orders_only: bool) -> dict[str, Any]:
    requests = {}
    for source in sources:
        connector = connector_for(source)
        try:
            read = None
            if orders_only:
                accounts = lake.read("accounts", source.name)
                read = await plan_read(connector, lake, source.name, accounts)
            await download(connector, read)
        finally:
            await connector.aclose()
        requests[source.name] = connector.requests_sent
    return {"requests_by_source": requests}


async def sync(
    sources: list[SourceConfig], lake: Lake, day: date, orders_only: bool
) -> dict[str, Any]:
    tables: dict[str, dict[str, float]] = {}
    by_source = {}
    for source in sources:
        report = await sync_source(
            source,
            lake,
            day=day,
            log=log,
            tables=("orders",) if orders_only else TABLE_NAMES,
        )
        by_source[source.name] = {name: t.requests for name, t in report.tables.items()}
        for name, table in report.tables.items():
            total = tables.setdefault(name, {"rows": 0, "seconds": 0.0, "requests": 0})
            total["rows"] += table.counts.written
            total["seconds"] += table.seconds
            total["requests"] += table.requests
    return {"tables": tables, "requests_by_source": by_source}


def dagster(sources_file: Path, home: Path, day: date) -> dict[str, Any]:
    import dagster as dg

    from pipelines.definitions import SYNC_JOB
    from pipelines.demo import in_process_job
    from pipelines.progress import plain
    from pipelines.settings import Settings

    settings = Settings(home=home, sources_file=sources_file, sandbox_seed=0, sandbox_clock=None)
    job, _, _ = in_process_job(settings, SYNC_JOB, day)
    instance = dg.DagsterInstance.ephemeral()
    result = job.execute_in_process(
        partition_key=day.isoformat(), instance=instance, raise_on_error=False
    )
    if not result.success:
        failures = [plain(e.step_failure_data.error) for e in result.get_step_failure_events()]
        raise SystemExit("the Dagster run failed:\n" + "\n".join(failures))
    tables: dict[str, dict[str, float]] = {}
    requests = 0
    for event in result.get_asset_materialization_events():
        materialization = event.step_materialization_data.materialization
        metadata = {k: getattr(v, "value", v) for k, v in materialization.metadata.items()}
        name = materialization.asset_key.path[-1]
        total = tables.setdefault(name, {"rows": 0, "seconds": 0.0, "requests": 0})
        total["rows"] += int(metadata.get("rows_written", 0))
        total["seconds"] += float(metadata.get("seconds", 0.0))
        if name != "users" and name != "connections":  # the accounts call's requests once
            total["requests"] += int(metadata.get("requests", 0))
            requests += int(metadata.get("requests", 0))
    return {"tables": tables, "requests": requests}


def main() -> None:
    parser = argparse.ArgumentParser(prog="benchmarks.phase")
    parser.add_argument("phase", choices=["raw", "sync", "raw-orders", "sync-orders", "dagster"])
    parser.add_argument("--sources", type=Path, required=True)
    parser.add_argument("--home", type=Path, required=True)
    parser.add_argument("--day", type=date.fromisoformat, required=True)
    args = parser.parse_args()
    sources = load_sources(args.sources)
    lake = Lake(args.home)
    began = time.perf_counter()
    if args.phase == "dagster":
        figures = dagster(args.sources, args.home, args.day)
    elif args.phase.startswith("raw"):
        figures = asyncio.run(raw(sources, lake, args.phase == "raw-orders"))
    else:
        figures = asyncio.run(sync(sources, lake, args.day, args.phase == "sync-orders"))
    figures["seconds"] = time.perf_counter() - began
    if "requests" not in figures:
        figures["requests"] = sum(
            v if isinstance(v, int) else sum(v.values())
            for v in figures["requests_by_source"].values()
        )
    figures["peak_rss_mb"] = peak_rss_mb()
    print(json.dumps(figures), flush=True)


if __name__ == "__main__":
    main()
