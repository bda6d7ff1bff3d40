"""One clean demo run, shared by the suites that compare against it (demo, crash, faults)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.e2e.demo_runs import demo


@pytest.fixture(scope="session")
def first_run(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    """One clean demo run, shared by the suites that compare against it."""
    home = tmp_path_factory.mktemp("demo")
    result = demo(home)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return home, result
