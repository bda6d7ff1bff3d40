"""A run killed with SIGKILL at any moment, a merge killed halfway, then run again: the
tables of an uninterrupted run, every Delta table whole, read the same by deltalake as
through the catalog, one row per key, and the change feed's mark where the rows are."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from deltalake import DeltaTable

from sandbox import Sandbox, SandboxConfig
from sandbox.world import WorldSizes
from tests.e2e.demo_runs import CLOCK, demo, environment, snapshot
from tests.lake_truth import assert_delta_equals_catalog
from tests.oracle import warehouse_rows
from warehouse import Catalog, Lake

# Kill points: once a run has written this many files to the lake, so each kill lands
# mid-run, whatever the machine's speed (a demo run writes about a hundred).
KILL_AT_FILES = [1, 12, 40]
STUCK_SECONDS = 300


def start_demo(home: Path) -> subprocess.Popen:
    command = [sys.executable, "-m", "pipelines.cli", "demo", "--home", str(home)]
    command += ["--sandbox-clock", CLOCK.isoformat(), "--seed", "0"]
    return subprocess.Popen(
        command, cwd=home, env=environment(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def written_since(lake: Path, began: int) -> int:
    """Files of the lake written since `began` (nanoseconds since the epoch)."""
    if not lake.is_dir():
        return 0
    return sum(1 for path in lake.rglob("*") if path.is_file() and path.stat().st_mtime_ns >= began)


def kill_when(process: subprocess.Popen, lake: Path, files: int, began: int) -> bool:
    """SIGKILL the run once it has written `files` files; False if it ended before. (A
    run that writes nothing for minutes is stuck: it is killed and the test fails.)"""
    deadline = time.monotonic() + STUCK_SECONDS
    while written_since(lake, began) < files:
        if process.poll() is not None:
            return False
        if time.monotonic() > deadline:
            process.kill()
            written = written_since(lake, began)
            raise AssertionError(f"the demo wrote {written} files in {STUCK_SECONDS} s: stuck")
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    return True


def test_killed_runs_then_a_rerun_equal_a_clean_run(tmp_path, first_run):
    clean, _ = first_run

    crashed = tmp_path / "crashed"
    crashed.mkdir()
    for files in KILL_AT_FILES:
        began = time.time_ns()
        process = start_demo(crashed)
        killed = kill_when(process, crashed / "lake", files, began)
        assert killed, process.returncode  # a demo run writes more files than any point

    result = demo(crashed)
    assert result.returncode == 0, result.stdout[-3000:]
    assert snapshot(crashed / "warehouse.duckdb") == snapshot(clean / "warehouse.duckdb")
    lake = Lake(crashed)
    for uri in lake.uris().values():
        if DeltaTable.is_deltatable(uri):
            DeltaTable(uri).to_pyarrow_table()  # every file of every version read whole
    with Catalog(crashed).connect() as con:
        assert_delta_equals_catalog(lake, con)
    assert lake.read_mark("orders", "sandbox-alpaca-broker") == CLOCK  # the API's clock


SIZES = WorldSizes(
    alpaca_accounts=0, snaptrade_users=0, tradr_users=0, broker_accounts=60,
    positions_per_account=2, orders_per_account=150,
)  # fmt: skip
SYNC_ORDERS = """
import asyncio, logging, sys
from datetime import date
import warehouse.keyed
from assets.resources import sandbox_manifest
from assets.sync import TABLE_NAMES, sync_source
from benchmarks.sources import sandbox_sources_of
from warehouse import Lake

merge = warehouse.keyed.KeyedWriter._merge

def announced(self, *args, **kwargs):
    print("merging", flush=True)
    return merge(self, *args, **kwargs)

warehouse.keyed.KeyedWriter._merge = announced
[source] = sandbox_sources_of(sandbox_manifest(sys.argv[1]), {"alpaca_broker"})
day = date.fromisoformat(sys.argv[3])
tables = TABLE_NAMES if sys.argv[4] == "all" else ("orders",)
asyncio.run(sync_source(source, Lake(sys.argv[2]), day=day, log=logging.getLogger(),
                        tables=tables))
print("done", flush=True)
"""


def sync_orders(sandbox: Sandbox, home: Path, tables: str = "orders") -> subprocess.Popen:
    """A library sync of the Broker API source in a process of its own (`tables`: "all",
    or "orders"), saying "merging" as each merge begins."""
    command = [sys.executable, "-c", SYNC_ORDERS, sandbox.base_url, str(home)]
    command += [sandbox.world.clock.date().isoformat(), tables]
    return subprocess.Popen(
        command, cwd=Path.cwd(), env=environment(), stdout=subprocess.PIPE, text=True
    )


def test_a_merge_killed_halfway_then_run_again_lands_the_truth(tmp_path):
    began = datetime(2026, 11, 20, 15, 30, tzinfo=UTC)
    with Sandbox(SandboxConfig(seed=0, clock=began, sizes=SIZES)) as sandbox:
        home = tmp_path / "home"
        process = sync_orders(sandbox, home, "all")
        assert process.wait(timeout=300) == 0
        sandbox.set_clock(began + timedelta(days=1))
        process = sync_orders(sandbox, home)
        assert process.stdout is not None
        assert process.stdout.readline().strip() == "merging"
        os.kill(process.pid, signal.SIGKILL)  # inside delta-rs's merge, or just before it
        process.wait(timeout=30)
        lake = Lake(home)
        assert lake.read_mark("orders", "sandbox-alpaca-broker") == began  # not moved
        Catalog(home).refresh()
        with Catalog(home).connect() as con:
            assert_delta_equals_catalog(lake, con)

        process = sync_orders(sandbox, home)
        output, _ = process.communicate(timeout=300)
        assert process.returncode == 0 and output.endswith("done\n")
        fresh = tmp_path / "fresh"
        process = sync_orders(sandbox, fresh, "all")
        assert process.wait(timeout=300) == 0

    assert lake.read_mark("orders", "sandbox-alpaca-broker") == began + timedelta(days=1)
    for folder in (home, fresh):
        Catalog(folder).refresh()
    key = ("source", "account_id", "order_id")
    assert warehouse_rows(home / "warehouse.duckdb", "orders", key) == warehouse_rows(
        fresh / "warehouse.duckdb", "orders", key
    )
    with Catalog(home).connect() as con:
        rows = assert_delta_equals_catalog(lake, con)
    assert rows["orders"] > 0
