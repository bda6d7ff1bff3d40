"""A Plaid source through the library sync, over HTTP to the sandbox: a first sync lands
the world's truth and no orders; a day later (the second Item's user must log in again,
the others' months have moved on) a sync from the cursors lands the healthy Items' new
truth, while what landed of the broken Item stays rather than vanishes; the read of
the activities asks Plaid only from the cursors' day."""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from assets.activity_sync import plan
from assets.sync import sync_source
from brokers.config import sandbox_sources
from sandbox import Sandbox, SandboxConfig, WorldSizes
from schemas import TABLES
from tests.oracle import rows
from tests.plaid_oracle import plaid_truth
from warehouse import Lake

CLOCK = datetime(2026, 11, 23, 0, 0, tzinfo=UTC)
LATER = CLOCK + timedelta(days=1)
KEY = TABLES["activities"].key
log = logging.getLogger("test")


@pytest.fixture(scope="module")
def sandbox():
    with Sandbox(SandboxConfig(seed=0, clock=CLOCK, sizes=WorldSizes(plaid_items=3))) as running:
        yield running


def landed(home: Path, name: str) -> list[dict]:
    return rows(Lake(home).read(name, "sandbox-plaid").to_dicts(), TABLES[name].key)


def test_a_later_sync_reads_from_the_cursors_and_keeps_what_it_cannot_read(
    sandbox, tmp_path, monkeypatch
):
    [source] = [s for s in sandbox_sources(sandbox.manifest()) if s.kind == "plaid"]
    first = asyncio.run(sync_source(source, Lake(tmp_path), day=CLOCK.date(), log=log))
    before = plaid_truth(sandbox.world, source.name)
    assert "orders" not in first.tables
    for name in ("users", "connections", "accounts", "balances", "positions", "activities"):
        assert landed(tmp_path, name) == rows(before[name], TABLES[name].key), name

    sent: list[dict] = []
    original = httpx.AsyncClient.send

    async def record(client: httpx.AsyncClient, request: httpx.Request, **kwargs):
        sent.append({"path": request.url.path, **json.loads(request.content or b"{}")})
        return await original(client, request, **kwargs)

    lake = Lake(tmp_path)
    cursors = plan(lake, source.name, lake.read("accounts", source.name)).since
    sandbox.set_clock(LATER)
    try:
        with monkeypatch.context() as patched:  # every request the sync sends, as sent
            patched.setattr(httpx.AsyncClient, "send", record)
            asyncio.run(sync_source(source, Lake(tmp_path), day=LATER.date(), log=log))
    finally:
        after = plaid_truth(sandbox.world, source.name)
        sandbox.set_clock(CLOCK)
    broken = {c["connection_id"] for c in after["connections"] if c["status"] == "disabled"}
    kept = [r for r in before["activities"] if r["account_id"] in _accounts(before, broken)]
    assert kept  # the broken Item had activities landed
    assert landed(tmp_path, "activities") == rows(after["activities"] + kept, KEY)
    reads = [r for r in sent if r["path"].endswith("/investments/transactions/get")]
    assert len(reads) == 2  # the two healthy Items
    for read in reads:  # from the earliest cursor of the Item's accounts, not 24 months back
        ids = read["options"]["account_ids"]
        assert read["start_date"] == min(cursors[i] for i in ids).date().isoformat()
        assert read["start_date"] > (CLOCK - timedelta(days=60)).date().isoformat()


def _accounts(truth: dict, items: set[str]) -> set[str]:
    return {a["account_id"] for a in truth["accounts"] if a["connection_id"] in items}
