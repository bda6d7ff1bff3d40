"""`brokerlake demo` in a fresh process, as a user runs it, and what its warehouse holds."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from schemas import TABLES
from tests.oracle import warehouse_rows

CLOCK = datetime(2026, 11, 20, 15, 30, tzinfo=UTC)


def demo(home: Path, *extra: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "pipelines.cli", "demo", "--home", str(home)]
    command += ["--sandbox-clock", CLOCK.isoformat(), "--seed", "0", *extra]
    return subprocess.run(
        command, cwd=home, env=environment(env), capture_output=True, text=True, timeout=300
    )


def environment(extra: dict[str, str] | None = None) -> dict[str, str]:
    """This process's environment without a Dagster home or sources file of its own."""
    env = {k: v for k, v in os.environ.items() if k not in {"DAGSTER_HOME", "BROKERLAKE_SOURCES"}}
    env.update(extra or {})
    return env


def snapshot(database: Path) -> dict[str, list[dict]]:
    return {name: warehouse_rows(database, name, TABLES[name].key) for name in TABLES}
