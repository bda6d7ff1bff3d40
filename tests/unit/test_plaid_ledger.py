"""Plaid's truth in canonical terms reconciles: every Item's positions and cash are its
investment transactions since each account opened (what lands equals this truth, so the
ledger check holds on what lands), at the clock and a month on; a transaction taken away
is named by its account and symbol."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import polars as pl
import pytest

from assets.ledger import ledger_gaps
from sandbox import World, WorldSizes
from schemas import table
from tests.plaid_oracle import plaid_truth

CLOCK = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)


def frame(name: str, records: list[dict[str, Any]]) -> pl.DataFrame:
    stamped = [{"fetched_at": CLOCK, "run_id": "r", **r} for r in records]
    return pl.DataFrame(stamped, schema=table(name).schema)


@pytest.fixture(scope="module", params=[CLOCK, CLOCK + timedelta(days=31)])
def truth(request) -> dict[str, list[dict[str, Any]]]:
    world = World(0, CLOCK, WorldSizes(plaid_items=3)).at(request.param)
    return plaid_truth(world, "investments")


def snapshot(truth: dict) -> tuple[pl.DataFrame, pl.DataFrame]:
    return frame("balances", truth["balances"]), frame("positions", truth["positions"])


def test_holdings_are_the_transactions_since_each_account_opened(truth):
    activities = frame("activities", truth["activities"])
    assert {"deposit", "dividend", "transfer_in"} <= set(activities["activity_type"])
    gaps = ledger_gaps(activities, snapshot(truth))
    assert gaps.is_empty(), gaps


def test_a_transaction_taken_away_is_named(truth):
    activities = frame("activities", truth["activities"])
    gone = activities.filter(pl.col("activity_type") == "transfer_in").row(0, named=True)
    kept = activities.filter(pl.col("activity_id") != gone["activity_id"])
    units = ledger_gaps(kept, snapshot(truth)).filter(pl.col("what") == "units")
    assert (gone["account_id"], gone["symbol"]) in units.select("account_id", "symbol").rows()
