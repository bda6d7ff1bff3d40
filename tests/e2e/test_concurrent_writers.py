"""Writers in processes of their own, at once, on one lake: runs of different sources
into the same tables both land; two runs of the same source never lose or double a row
(a run that another overtook merges instead of appending, or retries its commit)."""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import polars as pl

from tests.e2e.demo_runs import environment
from tests.factories import NOW
from tests.lake_truth import assert_delta_equals_catalog
from warehouse import Catalog, Lake

WRITER = """
import sys, time
from datetime import timedelta
from tests.factories import NOW, frame, row
from warehouse import Lake
from warehouse.keyed import KeyedWriter

home, source, first, last, minutes, start = sys.argv[1:7]
first, last, minutes, start = int(first), int(last), int(minutes), float(start)
run = f"run-{source}-{first}"
while time.time() < start:
    time.sleep(0.001)
lake = Lake(home)
writer = KeyedWriter(lake, "orders", source, run)
for part in range(first, last, 40):
    orders = [
        row("orders", source=source, order_id=f"o{n}", run_id=run, filled_at=None,
            updated_at=NOW + timedelta(minutes=minutes))
        for n in range(part, min(part + 40, last))
    ]
    writer.write(frame("orders", *orders))
    account = row("accounts", source=source, account_id=f"a{part}", run_id=run)
    lake.write("accounts", source, frame("accounts", account), run_id=run)
    lake.write("positions", source, frame("positions", row("positions", source=source)),
               run_id=run)
print("done", flush=True)
"""


def start(home: Path, source: str, first: int, last: int, minutes: int, at: float):
    command = [sys.executable, "-c", WRITER, str(home), source, str(first), str(last)]
    command += [str(minutes), str(at)]
    return subprocess.Popen(
        command, cwd=Path.cwd(), env=environment(), stdout=subprocess.PIPE, text=True
    )


def test_runs_of_different_and_of_the_same_source_at_once(tmp_path):
    at = time.time() + 3  # every process is up and waiting by then
    runs = [
        start(tmp_path, "a", 0, 200, 1, at),
        start(tmp_path, "b", 0, 200, 1, at),
        start(tmp_path, "same", 0, 200, 1, at),  # both begin on no rows of theirs
        start(tmp_path, "same", 100, 300, 2, at),
    ]
    for process in runs:
        output, _ = process.communicate(timeout=300)
        assert process.returncode == 0 and output == "done\n"

    lake = Lake(tmp_path)
    orders = lake.read("orders")
    assert orders.group_by("source").len().sort("source").rows() == [
        ("a", 200), ("b", 200), ("same", 300),
    ]  # fmt: skip
    assert orders.select("source", "account_id", "order_id").is_duplicated().sum() == 0
    same = orders.filter(pl.col("source") == "same")
    overlap = same.filter(pl.col("order_id").str.slice(1).cast(pl.Int64).is_between(100, 199))
    assert set(overlap["updated_at"]) == {NOW + timedelta(minutes=2)}  # the newer won
    assert lake.read("accounts").group_by("source").len().sort("source").rows() == [
        ("a", 1), ("b", 1), ("same", 1),
    ]  # fmt: skip
    assert lake.read("positions").height == 3
    Catalog(tmp_path).refresh()
    with Catalog(tmp_path).connect() as con:
        assert_delta_equals_catalog(lake, con)
