"""The ledger reconciliation over the world's truth in canonical terms: every source
kind's positions and cash are explained by its activities, from the accounts' opening and
between two snapshots a day and a half apart; an activity taken away is named by its
account and symbol; a stated tolerance lets small differences through; a fill naming an
order not landed is found."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import polars as pl
import pytest

from assets.ledger import Tolerance, ledger_gaps, orphan_fills
from sandbox import World
from schemas import table
from tests.oracle import alpaca_broker_truth, alpaca_truth, snaptrade_truth, tradr_truth

CLOCK = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
LATER = CLOCK + timedelta(hours=30)
KINDS = ["alpaca", "alpaca_broker", "snaptrade", "tradr"]
Truth = dict[str, list[dict[str, Any]]]


def frame(name: str, records: list[dict[str, Any]]) -> pl.DataFrame:
    stamped = [{"fetched_at": CLOCK, "run_id": "r", **r} for r in records]
    return pl.DataFrame(stamped, schema=table(name).schema)


def user_key(world: World) -> SimpleNamespace:
    """A TradrAPI user key over every account of the first user."""
    user_id = world.tradr_users()[0].user_id
    return SimpleNamespace(
        key_id=1, user_id=user_id, account_id=None, roles=("read",), created_at=CLOCK,
        covered=lambda w: [a.account_id for a in w.tradr_accounts(user_id)],
    )  # fmt: skip


def truths_at(world: World) -> dict[str, Truth]:
    ids = {f"alpaca-{i}": a.account_id for i, a in enumerate(world.accounts("alpaca"))}
    return {
        "alpaca": alpaca_truth(world, ids),
        "alpaca_broker": alpaca_broker_truth(world, "partner"),
        "snaptrade": snaptrade_truth(world, "snaptrade"),
        "tradr": tradr_truth(world, "tradr", user_key(world)),
    }


@pytest.fixture(scope="module")
def truths() -> dict[str, dict[str, Truth]]:
    """Each source kind's truth at the clock and a day and a half later."""
    world = World(0, CLOCK)
    return {"now": truths_at(world), "later": truths_at(world.at(LATER))}


def snapshot(truth: Truth) -> tuple[pl.DataFrame, pl.DataFrame]:
    return frame("balances", truth["balances"]), frame("positions", truth["positions"])


@pytest.mark.parametrize("kind", KINDS)
def test_holdings_are_their_activities_since_the_opening(truths, kind):
    truth = truths["now"][kind]
    gaps = ledger_gaps(frame("activities", truth["activities"]), snapshot(truth))
    assert gaps.is_empty(), gaps


@pytest.mark.parametrize("kind", KINDS)
def test_changes_between_two_snapshots_are_the_activities_in_between(truths, kind):
    before, after = truths["now"][kind], truths["later"][kind]
    activities = frame("activities", after["activities"])
    gaps = ledger_gaps(activities, snapshot(after), snapshot(before))
    assert gaps.is_empty(), gaps
    assert activities.filter(pl.col("occurred_at") > CLOCK).height > 0  # fills in between


@pytest.mark.parametrize("kind", KINDS)
def test_an_activity_taken_away_is_named_by_account_and_symbol(truths, kind):
    truth = truths["later"][kind]
    activities = frame("activities", truth["activities"])
    gone = activities.filter(
        (pl.col("activity_type") == "trade")
        & (pl.col("occurred_at") > CLOCK)
        & (pl.col("quantity") != 0)
    ).row(0, named=True)
    kept = activities.filter(
        (pl.col("account_id") != gone["account_id"])
        | (pl.col("activity_id") != gone["activity_id"])
    )
    gaps = ledger_gaps(kept, snapshot(truth), snapshot(truths["now"][kind]))
    units = gaps.filter(pl.col("what") == "units")
    assert units.select("account_id", "symbol", "difference").rows() == [
        (gone["account_id"], gone["symbol"], gone["quantity"])
    ]


def test_a_stated_tolerance_lets_small_differences_through(truths):
    truth = truths["now"]["alpaca"]
    activities = frame("activities", truth["activities"]).with_columns(
        (pl.col("amount") + Decimal("0.004")).cast(pl.Decimal(38, 18))
    )
    gaps = ledger_gaps(activities, snapshot(truth))
    assert set(gaps.get_column("what")) == {"cash"}
    loose = Tolerance(units=Decimal(0), cash=Decimal(1000))
    assert ledger_gaps(activities, snapshot(truth), tolerance=loose).is_empty()


def test_a_fill_whose_order_never_landed_is_found(truths):
    truth = truths["now"]["alpaca_broker"]
    activities = frame("activities", truth["activities"])
    orders = frame("orders", truth["orders"])
    assert orphan_fills(activities, orders).is_empty()
    missing = activities.filter(pl.col("order_id").is_not_null()).row(0, named=True)
    fewer = orders.filter(pl.col("order_id") != missing["order_id"])
    assert missing["activity_id"] in orphan_fills(activities, fewer)["activity_id"].to_list()
