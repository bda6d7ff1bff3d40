"""`python -m benchmarks.run --scale S|M|L` (`make bench [SCALE=L]`): the sandbox at a
scale in its own process, then each measured run in a fresh process, and one table of
figures with the targets, pass or fail.

Runs, in order: the raw download twice (the first has the sandbox render every page
once, which also gives its serve rate while rendering; the second is the baseline), the
full sync through the library, the full Dagster materialization, then, with the world one
hour on, the raw download of an incremental orders sync (twice, likewise) and the
incremental sync itself. At scale S (the demo world) also: `brokerlake demo` and the
`sync_all` job through the code location's default executor, as users run them, and the
share of a rate limit a sync uses.

Each target applies at the scale it is meant for (a run at another scale prints it as
n/a): the demo and code location at S, Dagster at M, the full sync's ratio and memory at
L, the incremental sync's shares at M and L (at S a handful of requests are fixed costs).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil

from assets.order_sync import OrdersRead, plan_read
from assets.resources import sandbox_manifest
from benchmarks import minimum, user_paths
from benchmarks.scales import CLOCK, MOVED, SCALES, Scale
from benchmarks.sources import sandbox_sources_of, write_sources
from brokers.config import SourceConfig
from brokers.registry import connector_for
from sandbox import World
from warehouse import Lake

TABLES = ("accounts", "balances", "positions", "orders")
RSS_LIMIT_MB = 1536  # 1.5 GB
MOVED_FRACTION = 0.10  # an incremental sync's share of a full one's requests and time
LOCATION_RATIO = 2.0  # the code location's run against the demo's, same machine
WARM_DEMO_SECONDS = 20.0
RATE_USED = 0.8  # of the allowed rate, with no 429


@dataclass
class Run:
    label: str
    figures: dict[str, Any]
    minimum: int | None = None
    sandbox_cpu: float = 0.0

    @property
    def seconds(self) -> float:
        return float(self.figures["seconds"])

    @property
    def requests(self) -> int:
        return int(self.figures["requests"])


class Bench:
    def __init__(self, scale: Scale, work: Path) -> None:
        self.scale = scale
        self.work = work
        self.sandbox = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.serve", scale.name],
            stdout=subprocess.PIPE,
            text=True,
        )
        line = self.sandbox.stdout.readline() if self.sandbox.stdout else ""
        if not line:
            raise SystemExit("the sandbox did not start (see its output above)")
        self.manifest = json.loads(line)
        self.process = psutil.Process(self.sandbox.pid)
        self.env = {**os.environ}
        self.env.update(write_sources(self.manifest, scale.kinds, work / "sources.yaml"))
        moved = sandbox_manifest(self.manifest["replay"].format(instant=MOVED.isoformat()))
        self.env.update(write_sources(moved, scale.kinds, work / "sources-moved.yaml"))
        self.moved_manifest = moved

    def close(self) -> None:
        self.sandbox.terminate()
        self.sandbox.wait(timeout=30)

    def phase(self, label: str, phase: str, home: Path, moved: bool = False) -> Run:
        sources = self.work / ("sources-moved.yaml" if moved else "sources.yaml")
        before = self.process.cpu_times()
        print(f"  {label} ...", flush=True)
        result = subprocess.run(
            [sys.executable, "-m", "benchmarks.phase", phase, "--sources", str(sources),
             "--home", str(home), "--day", CLOCK.date().isoformat()],
            env=self.env, capture_output=True, text=True,
        )  # fmt: skip
        if result.returncode != 0:
            raise SystemExit(f"{label} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
        after = self.process.cpu_times()
        cpu = (after.user - before.user) + (after.system - before.system)
        figures = json.loads(result.stdout.strip().splitlines()[-1])
        return Run(label, figures, sandbox_cpu=cpu)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="benchmarks.run", description=__doc__)
    parser.add_argument("--scale", choices=sorted(SCALES), default="S")
    parser.add_argument("--keep", type=Path, help="keep the lakes here (default: a temp dir)")
    parser.add_argument(
        "--core",
        action="store_true",
        help="the sync runs only: at S, no demo, code location or rate-use runs (the test "
        "suite's check that the benchmark runs)",
    )
    args = parser.parse_args(argv)
    scale = SCALES[args.scale]
    work = args.keep or Path(tempfile.mkdtemp(prefix="brokerlake-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"brokerlake benchmark, scale {scale.name}: {scale.describe()}")
    print(_machine())
    began = time.perf_counter()
    bench = Bench(scale, work)
    try:
        runs = measure(bench, work)
    finally:
        bench.close()
    if scale.name == "S" and not args.core:
        runs["paths"] = Run("as users run it", user_paths.measure(work / "demo"))
        runs["rate"] = Run("rate use", rate_use())
    print(f"(whole benchmark: {time.perf_counter() - began:.0f} s; lakes under {work})")
    print()
    failed = report(scale, runs, print)
    return 1 if failed else 0


def rate_use() -> dict[str, Any]:
    print("  rate use against an enforced limit ...", flush=True)
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks.rate_use"], capture_output=True, text=True
    )
    if result.returncode != 0:
        raise SystemExit(f"rate use failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def measure(bench: Bench, work: Path) -> dict[str, Run]:
    world = World(0, CLOCK, bench.scale.sizes)
    sources = sandbox_sources_of(bench.manifest, bench.scale.kinds)
    print("  the fewest requests, from the world ...", flush=True)
    full_minimum = sum(sum(minimum.full_sync(world, s, bench.manifest).values()) for s in sources)
    runs = {}
    runs["render"] = bench.phase("raw download, sandbox rendering", "raw", work / "raw")
    runs["raw"] = bench.phase("raw download", "raw", work / "raw")
    runs["sync"] = bench.phase("full sync (library)", "sync", work / "library")
    runs["dagster"] = bench.phase("full materialization (Dagster)", "dagster", work / "dagster")
    for key in ("render", "raw", "sync", "dagster"):
        runs[key].minimum = full_minimum
    lake = Lake(work / "library")
    moved_world = World(0, CLOCK, bench.scale.sizes).at(MOVED)
    moved_sources = sandbox_sources_of(bench.moved_manifest, bench.scale.kinds)
    orders_minimum = sum(
        minimum.incremental_sync(moved_world, s, bench.moved_manifest, _planned(lake, s))
        for s in moved_sources
    )
    home = work / "library"
    runs["render-orders"] = bench.phase(
        "raw incremental, sandbox rendering", "raw-orders", home, moved=True
    )
    runs["raw-orders"] = bench.phase("raw incremental", "raw-orders", home, moved=True)
    runs["sync-orders"] = bench.phase("incremental sync (library)", "sync-orders", home, moved=True)
    for key in ("render-orders", "raw-orders", "sync-orders"):
        runs[key].minimum = orders_minimum
    return runs


def user_targets(runs: dict[str, Run], out: Any) -> list[tuple[str, bool, bool]]:
    """The demo world as users run it, and the rate a sync uses: figures and targets."""
    paths, rate = runs["paths"].figures, runs["rate"].figures
    demo, location = paths["demo"], paths["location"]
    share = rate["used_per_second"] / rate["allowed_per_second"]
    out(f"brokerlake demo (warm): {demo:.1f} s")
    out(f"sync_all through the code location (multiprocess): {location:.1f} s")
    out(
        f"rate use: {rate['requests']:,} requests, {rate['throttled']} answered 429, "
        f"{rate['used_per_second']:.1f} a second of {rate['allowed_per_second']:.1f} allowed"
    )
    out("")
    return [
        (
            f"warm demo at S: {demo:.1f} s <= {WARM_DEMO_SECONDS:.0f}",
            demo <= WARM_DEMO_SECONDS,
            True,
        ),
        (
            f"code location / demo at S: {location / demo:.2f} <= {LOCATION_RATIO:.0f}",
            location / demo <= LOCATION_RATIO,
            True,
        ),
        (
            f"rate use at S: {share:.0%} of the allowed rate >= {RATE_USED:.0%}, no 429",
            share >= RATE_USED and rate["throttled"] == 0,
            True,
        ),
    ]


def _planned(lake: Lake, source: SourceConfig) -> OrdersRead:
    """How an incremental sync of `source` reads its orders from this lake."""

    async def plan() -> OrdersRead:
        connector = connector_for(source)
        try:
            return await plan_read(connector, lake, source.name, lake.read("accounts", source.name))
        finally:
            await connector.aclose()

    return asyncio.run(plan())


def _machine() -> str:
    import platform

    memory = psutil.virtual_memory().total / 2**30
    return (
        f"machine: {os.cpu_count()} cores, {memory:.0f} GiB, {platform.platform()}, "
        f"Python {platform.python_version()}"
    )


def report(scale: Scale, runs: dict[str, Run], out: Any) -> list[str]:
    """The table and the targets; returns the targets missed."""
    header = f"{'run':<34}{'wall s':>8}{'requests':>10}{'minimum':>9}"
    header += "".join(f"{t + ' rows/s':>18}" for t in TABLES) + f"{'peak RSS MB':>13}"
    out(header)
    out("-" * len(header))
    for key in ("raw", "sync", "dagster", "raw-orders", "sync-orders"):
        run = runs[key]
        tables = run.figures.get("tables", {})
        cells = ""
        for name in TABLES:
            table = tables.get(name)
            if table and table["seconds"] > 0:
                cells += f"{table['rows'] / table['seconds']:>18,.0f}"
            else:
                cells += f"{'-':>18}"
        out(
            f"{run.label:<34}{run.seconds:>8.1f}{run.requests:>10,}{run.minimum or 0:>9,}"
            f"{cells}{run.figures['peak_rss_mb']:>13,.0f}"
        )
    out("")
    for key in ("render", "raw", "render-orders", "raw-orders"):
        run = runs[key]
        rate = run.requests / run.sandbox_cpu if run.sandbox_cpu else float("inf")
        out(
            f"sandbox alone, {run.label}: {rate:,.0f} requests per CPU-second "
            f"({run.sandbox_cpu:.1f} s CPU for {run.requests:,} requests)"
        )
    raw, sync, dagster, moved = runs["raw"], runs["sync"], runs["dagster"], runs["sync-orders"]
    ratio = sync.seconds / raw.seconds
    out("")
    out(f"pipeline / raw download (full sync): {ratio:.2f}x wall time")
    out(f"pipeline / raw download (incremental): {moved.seconds / runs['raw-orders'].seconds:.2f}x")
    out("")
    targets = user_targets(runs, out) if "paths" in runs else []
    targets += [
        (
            f"full sync at L: pipeline / raw download {ratio:.2f} <= 1.5",
            ratio <= 1.5,
            scale.name == "L",
        ),
        (
            f"full sync at L: peak RSS {sync.figures['peak_rss_mb']:,.0f} MB <= {RSS_LIMIT_MB:,}",
            sync.figures["peak_rss_mb"] <= RSS_LIMIT_MB,
            scale.name == "L",
        ),
        (
            f"Dagster full materialization at M: {dagster.seconds:.1f} s < 60",
            dagster.seconds < 60,
            scale.name == "M",
        ),
        (
            f"incremental sync at M and L: {moved.requests:,} requests <= 10% of {sync.requests:,}",
            moved.requests <= MOVED_FRACTION * sync.requests,
            scale.name in ("M", "L"),
        ),
        (
            f"incremental sync at M and L: {moved.seconds:.1f} s <= 10% of {sync.seconds:.1f} s",
            moved.seconds <= MOVED_FRACTION * sync.seconds,
            scale.name in ("M", "L"),
        ),
    ]
    for key in ("raw", "sync", "dagster", "raw-orders", "sync-orders"):
        run = runs[key]
        targets.append(
            (
                f"no page fetched twice, {run.label}: {run.requests:,} requests = "
                f"{run.minimum:,} the fewest",
                run.requests == run.minimum,
                True,
            )
        )
    failed = []
    for text, passed, applies in targets:
        if not applies:
            out(f"  n/a   {text} (a target at another scale)")
            continue
        out(f"  {'PASS' if passed else 'FAIL'}  {text}")
        if not passed:
            failed.append(text)
    return failed


if __name__ == "__main__":
    sys.exit(main())
