"""A run killed with SIGKILL at any moment, then run again, gives the tables of an
uninterrupted run, with no partial or orphan file left in the lake."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import polars as pl

from schemas import TABLES
from tests.e2e.demo_runs import CLOCK, demo, environment, snapshot
from warehouse.lake import MARKS

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
