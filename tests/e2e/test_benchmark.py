"""`python -m benchmarks.run --scale S --core` runs from start to end: the sandbox in its
own process, every measured run in its own, one table of figures, and each run sends
exactly the fewest requests computed from the world (no page fetched twice). Timings are
the benchmark's to print, not this test's to assert. (The demo and code location runs
`make bench` adds are what the demo, code location and UI tests run.)"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

RUNS = (
    "raw download",
    "full sync (library)",
    "full materialization (Dagster)",
    "raw incremental",
    "incremental sync (library)",
)


def test_the_benchmark_runs_and_no_page_is_fetched_twice(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks.run", "--scale", "S", "--core", "--keep", str(tmp_path)],
        cwd=Path(__file__).parents[2],
        capture_output=True,
        text=True,
        timeout=600,
    )
    out = result.stdout
    assert "failed" not in out, out[-3000:] + result.stderr[-3000:]
    assert "pipeline / raw download (full sync):" in out
    for run in RUNS:
        assert any(line.startswith(run) for line in out.splitlines()), run
        assert f"PASS  no page fetched twice, {run}:" in out, out[-3000:]
    assert "sandbox alone, raw download:" in out
    assert any((tmp_path / "library" / "lake" / "orders").rglob("*.parquet"))
