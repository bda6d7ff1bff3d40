"""`make demo`, the README's first command, runs the main job and prints what landed."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest

from tests.e2e.demo_runs import environment

ROOT = Path(__file__).parents[2]


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_demo(tmp_path):
    env = environment()
    result = subprocess.run(
        ["make", "--no-print-directory", "demo", f"HOME_DIR={tmp_path}", "ARGS=--seed 0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    assert result.stdout.startswith("The built-in sandbox (seed 0,")  # BROKERLAKE_SANDBOX=1
    assert "Sample query:" in result.stdout
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM orders").fetchone()[0] > 0
    assert (tmp_path / "dagster").is_dir()  # the runs are kept for `make ui`
