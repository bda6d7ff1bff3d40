"""`brokerlake demo` in a fresh process, as a user runs it, and what its warehouse holds."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from schemas import TABLES
from tests.oracle import warehouse_rows

CLOCK = datetime(2026, 11, 20, 15, 30, tzinfo=UTC)


def demo(home: Path, *extra: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    clock = ["--sandbox-clock", CLOCK.isoformat(), "--seed", "0"]
    return cli(home, "demo", "--home", str(home), *clock, *extra, env=env, timeout=300)


def cli(
    cwd: Path, *args: str, env: dict[str, str] | None = None, timeout: float = 600
) -> subprocess.CompletedProcess:
    """`brokerlake ARGS` in a fresh process run from `cwd`, as a user runs it."""
    command = [sys.executable, "-m", "pipelines.cli", *args]
    return subprocess.run(
        command, cwd=cwd, env=environment(env), capture_output=True, text=True, timeout=timeout
    )


def environment(extra: dict[str, str] | None = None) -> dict[str, str]:
    """This process's environment without a Dagster home, sources file or sandbox of its
    own."""
    own = {"DAGSTER_HOME", "BROKERLAKE_SOURCES", "BROKERLAKE_SANDBOX", "BROKERLAKE_HOME"}
    env = {k: v for k, v in os.environ.items() if k not in own}
    env.update(extra or {})
    return env


def steps(output: str, source: str) -> dict[str, str]:
    """{step: "ok" or "FAILED"} for a source, from the progress lines a run prints."""
    pattern = rf"^  {re.escape(source)} +(snapshots|orders|activities) +(ok|FAILED)"
    return {m[1]: m[2] for m in re.finditer(pattern, output, re.MULTILINE)}


def snapshot(database: Path) -> dict[str, list[dict]]:
    return {name: warehouse_rows(database, name, TABLES[name].key) for name in TABLES}
