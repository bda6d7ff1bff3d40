"""A partner's book at the size one asks for: `brokerlake sandbox serve --broker-accounts
N` serves a Broker API partner with N customer accounts, and `brokerlake demo
--sandbox-broker-accounts N` lands them."""

from __future__ import annotations

import asyncio
import json
import logging
import signal
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from benchmarks.sources import sandbox_sources_of
from brokers.connector import FetchContext
from brokers.registry import connector_for
from tests.e2e.demo_runs import demo, environment


def test_serve_holds_the_partner_accounts_asked_for(tmp_path):
    command = [sys.executable, "-m", "pipelines.cli", "sandbox", "serve", "--broker-accounts", "7"]
    process = subprocess.Popen(
        command, cwd=Path.cwd(), env=environment(), stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        manifest = json.loads(process.stdout.readline())
        [source] = sandbox_sources_of(manifest, {"alpaca_broker"})

        async def accounts() -> int:
            connector = connector_for(source)
            try:
                context = FetchContext("t", datetime.now(UTC), logging.getLogger("t"))
                batch = await connector.accounts(context)
                return batch.accounts.height
            finally:
                await connector.aclose()

        assert asyncio.run(accounts()) == 7
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
    finally:
        process.kill()
        process.wait()


def test_the_demo_lands_the_partner_accounts_asked_for(tmp_path):
    result = demo(tmp_path, "--sandbox-broker-accounts", "5")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as con:
        count = con.execute(
            "SELECT count(*) FROM accounts WHERE source = 'sandbox-alpaca-broker'"
        ).fetchone()
    assert count == (5,)
