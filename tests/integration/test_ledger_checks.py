"""The activities' checks as a step runs them, on a lake synced from the sandbox over
HTTP: the ledger and the order links hold for every source kind; an activity taken away
makes the ledger check fail naming its account and symbol, and an order taken away makes
the order link fail naming the fill."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest

from assets.activities import ledger, order_link
from assets.ledger import Tolerance
from assets.sync import sync_source
from benchmarks.sources import sandbox_sources_of
from sandbox import Sandbox, SandboxConfig
from schemas import TABLES
from warehouse import Lake
from warehouse.keyed import delete_keys

CLOCK = datetime(2026, 11, 20, 15, 30, tzinfo=UTC)
KINDS = ["alpaca", "alpaca_broker", "snaptrade", "tradr"]
log = logging.getLogger("test")


@pytest.fixture(scope="module")
def synced(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    """Every source kind synced whole into one lake; {kind: source name}."""
    home = tmp_path_factory.mktemp("ledger")
    names = {}
    with Sandbox(SandboxConfig(seed=0, clock=CLOCK)) as sandbox:
        for kind in KINDS:
            source = sandbox_sources_of(sandbox.manifest(), {kind})[0]
            asyncio.run(sync_source(source, Lake(home), day=CLOCK.date(), log=log))
            names[kind] = source.name
    return home, names


@pytest.mark.parametrize("kind", KINDS)
def test_the_ledger_and_the_order_links_hold_on_the_sandbox(synced, kind):
    home, names = synced
    lake = Lake(home)
    assert lake.read("activities", names[kind]).height > 0
    checked = ledger(names[kind], lake, Tolerance())
    assert checked.passed, checked.metadata
    linked = order_link(names[kind], lake)
    assert linked.passed, linked.metadata


@contextmanager
def taken_away(lake: Lake, name: str, source: str, row: dict) -> Iterator[None]:
    """`row` deleted from the lake for the block, then written back (the module's lake
    stays whole for the other tests)."""
    key = [c for c in TABLES[name].key if c != "source"]
    delete_keys(lake, name, source, pl.DataFrame([row]).select(key), "test")
    try:
        yield
    finally:
        lake.write(name, source, pl.DataFrame([row], schema=TABLES[name].schema), run_id="back")


def a_fill(lake: Lake, source: str) -> dict:
    trades = lake.read("activities", source).filter(
        (pl.col("activity_type") == "trade")
        & (pl.col("status") == "executed")
        & pl.col("order_id").is_not_null()
    )
    return trades.sort("occurred_at").row(0, named=True)


def test_an_activity_taken_away_fails_the_ledger_naming_its_account_and_symbol(synced):
    home, names = synced
    source, lake = names["alpaca_broker"], Lake(home)
    fill = a_fill(lake, source)
    with taken_away(lake, "activities", source, fill):
        checked = ledger(source, lake, Tolerance())
    assert not checked.passed
    problems = str(checked.metadata["problems"].value)
    assert f"{fill['account_id']} {fill['symbol']} units" in problems, problems
    assert ledger(source, lake, Tolerance()).passed  # whole again


def test_an_order_taken_away_fails_the_order_link_naming_the_fill(synced):
    home, names = synced
    source, lake = names["alpaca"], Lake(home)
    fill = a_fill(lake, source)
    order = lake.read("orders", source).filter(pl.col("order_id") == fill["order_id"])
    with taken_away(lake, "orders", source, order.row(0, named=True)):
        checked = order_link(source, lake)
    assert not checked.passed
    problems = str(checked.metadata["problems"].value)
    assert f"{fill['activity_id']} -> order {fill['order_id']}" in problems, problems
