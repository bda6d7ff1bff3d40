"""The demo world the way users run it, timed from outside: `brokerlake demo` (in one
process), and the `sync_all` job through the code location with its default executor
(a process per step, as a run launched from the UI or a schedule), both over the
built-in sandbox at the benchmark's clock, into the same home.

The demo runs twice; the second run (warm: bytecode compiled, the lake holding a run)
is the one measured, and the code location's run comes third, on that same lake."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.scales import CLOCK
from pipelines.definitions import SYNC_JOB


def environment(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "BROKERLAKE_SOURCES"}
    env.update(
        BROKERLAKE_SANDBOX="1",
        BROKERLAKE_SANDBOX_CLOCK=CLOCK.isoformat(),
        BROKERLAKE_HOME=str(home),
        DAGSTER_HOME=str(home / "dagster"),
    )
    return env


def timed(label: str, command: list[str], home: Path, success: str) -> float:
    """Wall seconds of `command`; exits the benchmark when it fails."""
    print(f"  {label} ...", flush=True)
    began = time.perf_counter()
    result = subprocess.run(
        command, env=environment(home), cwd=home, capture_output=True, text=True
    )
    seconds = time.perf_counter() - began
    output = result.stdout + result.stderr
    if result.returncode != 0 or success not in output:
        raise SystemExit(f"{label} failed:\n{output[-3000:]}")
    return seconds


def measure(home: Path) -> dict[str, float]:
    home.mkdir(parents=True, exist_ok=True)
    demo = [sys.executable, "-m", "pipelines.cli", "demo", "--home", str(home)]
    ok = "7 of 7 sources ok"
    timed("brokerlake demo, first run", demo, home, ok)
    figures = {"demo": timed("brokerlake demo, warm", demo, home, ok)}
    dagster = str(Path(sys.executable).parent / "dagster")
    tags = json.dumps({"dagster/partition": CLOCK.date().isoformat()})
    location = [dagster, "job", "execute", "-m", "pipelines.definitions", "-j", SYNC_JOB]
    figures["location"] = timed(
        "sync_all through the code location (multiprocess)",
        [*location, "--tags", tags],
        home,
        "RUN_SUCCESS",
    )
    return figures
