"""An analyst's connection, read-only, open in another process through a whole demo run:
the run succeeds (the catalog is replaced, never written in place), the open connection
keeps answering from the catalog it opened, and a new connection sees the new rows."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta

import duckdb

from tests.e2e.demo_runs import CLOCK, demo

HOLD = """
import sys, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
print(con.execute("SELECT count(*) FROM balances").fetchone()[0], flush=True)
sys.stdin.readline()  # held open until the test says
print(con.execute("SELECT count(*) FROM balances").fetchone()[0], flush=True)
"""


def test_an_open_read_only_connection_never_blocks_a_run(tmp_path):
    first = demo(tmp_path)
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    database = tmp_path / "warehouse.duckdb"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(database)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdin is not None
        before = int(holder.stdout.readline())
        next_day = (CLOCK + timedelta(days=1)).isoformat()
        second = demo(tmp_path, "--sandbox-clock", next_day)  # a new day's snapshots
        assert second.returncode == 0, second.stdout[-3000:] + second.stderr[-3000:]
        holder.stdin.write("\n")
        holder.stdin.flush()
        assert int(holder.stdout.readline()) == before  # still the catalog it opened
        assert holder.wait(timeout=30) == 0
    finally:
        holder.kill()
        holder.wait()
    with duckdb.connect(str(database), read_only=True) as con:
        after = con.execute("SELECT count(*) FROM balances").fetchone()
        days = con.execute("SELECT count(DISTINCT as_of_date) FROM balances").fetchone()
    assert after is not None and after[0] > before > 0
    assert days == (2,)
