"""The Dagster instance the command line runs in: `DAGSTER_HOME` when set, else
`<home>/dagster` beside the lake (`./dagster` for a lake on object storage), so every
run's log is kept and `make ui` shows it.

A new instance gets the repository's `dagster.yaml` settings: one slot per concurrency
pool (a source's steps never overlap, across runs too) and no telemetry."""

from __future__ import annotations

import os
from pathlib import Path

import dagster as dg
import yaml

SETTINGS = {
    "concurrency": {"pools": {"default_limit": 1}},
    "telemetry": {"enabled": False},
}


def dagster_home(home: Path | str) -> Path:
    """DAGSTER_HOME, else beside the lake; a lake on object storage keeps its runs' logs
    in `./dagster` (the instance is a local folder)."""
    explicit = os.environ.get("DAGSTER_HOME")
    if explicit:
        return Path(explicit)
    return Path("dagster") if "://" in str(home) else Path(home) / "dagster"


def prepared(path: Path) -> Path:
    """`path` holding a dagster.yaml (written with SETTINGS when it has none)."""
    path.mkdir(parents=True, exist_ok=True)
    config = path / "dagster.yaml"
    if not config.exists():
        config.write_text(yaml.safe_dump(SETTINGS, sort_keys=False))
    return path


def dagster_instance(home: Path | str) -> dg.DagsterInstance:
    return dg.DagsterInstance.from_config(str(prepared(dagster_home(home).resolve())))
