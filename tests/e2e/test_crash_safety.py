"""A run killed with SIGKILL at any moment, then run again, gives the tables of an
uninterrupted run, with no partial or orphan file left in the lake."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import polars as pl

from schemas import TABLES
from tests.e2e.demo_runs import CLOCK, demo, snapshot
from warehouse.lake import MARKS

KILL_AFTER_SECONDS = [1.0, 1.6, 2.2, 2.8, 3.4]


def start_demo(home: Path) -> subprocess.Popen:
    command = [sys.executable, "-m", "pipelines.cli", "demo", "--home", str(home)]
    command += ["--sandbox-clock", CLOCK.isoformat(), "--seed", "0"]
    env = {k: v for k, v in os.environ.items() if k not in {"DAGSTER_HOME", "BROKERLAKE_SOURCES"}}
    return subprocess.Popen(
        command, cwd=home, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def test_killed_runs_then_a_rerun_equal_a_clean_run(tmp_path, first_run):
    clean, _ = first_run

    crashed = tmp_path / "crashed"
    crashed.mkdir()
    killed_mid_run = 0
    for delay in KILL_AFTER_SECONDS:
        process = start_demo(crashed)
        time.sleep(delay)
        if process.poll() is None:
            killed_mid_run += 1
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    assert killed_mid_run >= 3  # most kills landed while the run was working

    result = demo(crashed)
    assert result.returncode == 0, result.stdout[-3000:]
    assert snapshot(crashed / "warehouse.duckdb") == snapshot(clean / "warehouse.duckdb")

    lake = crashed / "lake"
    marks = list((lake / MARKS).rglob("*.json"))
    assert marks  # every source's orders landed whole: a mark each (Broker API)
    others = [p for p in lake.rglob("*") if p.is_file() and p.suffix != ".parquet"]
    assert sorted(others) == sorted(marks)
    for path in marks:
        json.loads(path.read_text())  # whole
    for path in lake.rglob("*.parquet"):
        pl.read_parquet(path)  # every file whole
    for name in TABLES:
        assert (lake / name).is_dir()
