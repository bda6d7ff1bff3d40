"""The ledger reconciliation: between two snapshots of an account, each position's change
in units must be the sum of the units its activities moved in between, and each
currency's change in cash the sum of their amounts. With one snapshot, from the
account's opening: everything it holds must be the sum of all its activities.

Only executed activities count; an activity is between two snapshots when it occurred
after the first's instant (`as_of`) and at or before the second's. A position's units
are signed by its side and summed over its symbol (an MT account holds several positions
per symbol). What the activities do not explain beyond the tolerance is listed, per
account and symbol (or currency).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import polars as pl

from schemas import DECIMAL

WIDE = pl.Decimal(38, 18)
GAP_COLUMNS = ("account_id", "what", "symbol", "held_change", "explained", "difference")


@dataclass(frozen=True)
class Tolerance:
    """How far a change may stray from its activities and still be explained: exact on
    the sandbox; on real data, rounding and late postings leave some."""

    units: Decimal = Decimal(0)
    cash: Decimal = Decimal(0)


def _instants(balances: pl.DataFrame, positions: pl.DataFrame) -> pl.DataFrame:
    """Each account's instant in a snapshot: the latest `as_of` of its rows."""
    return (
        pl.concat([balances.select("account_id", "as_of"), positions.select("account_id", "as_of")])
        .group_by("account_id")
        .agg(pl.col("as_of").max())
    )


def _units(positions: pl.DataFrame) -> pl.DataFrame:
    signed = (
        pl.when(pl.col("side") == "short").then(-pl.col("quantity")).otherwise(pl.col("quantity"))
    )
    return positions.group_by("account_id", "symbol").agg(signed.cast(WIDE).sum().alias("held"))


def _cash(balances: pl.DataFrame) -> pl.DataFrame:
    return (
        balances.filter(pl.col("cash").is_not_null())
        .group_by("account_id", pl.col("currency").alias("symbol"))
        .agg(pl.col("cash").cast(WIDE).sum().alias("held"))
    )


def _moved(activities: pl.DataFrame, windows: pl.DataFrame, value: str, key: str) -> pl.DataFrame:
    """What the executed activities in each account's window moved, by `key`."""
    inside = (
        activities.filter((pl.col("status") == "executed") & pl.col(value).is_not_null())
        .join(windows, on="account_id", how="inner")
        .filter(
            (pl.col("start").is_null() | (pl.col("occurred_at") > pl.col("start")))
            & (pl.col("occurred_at") <= pl.col("end"))
        )
    )
    return inside.group_by("account_id", pl.col(key).alias("symbol")).agg(
        pl.col(value).cast(WIDE).sum().alias("explained")
    )


def _gaps(
    before: pl.DataFrame, after: pl.DataFrame, moved: pl.DataFrame, what: str, allowed: Decimal
) -> pl.DataFrame:
    keys = ["account_id", "symbol"]
    changes = (
        after.join(before, on=keys, how="full", coalesce=True, suffix="_before")
        .with_columns(
            held_change=pl.col("held").fill_null(Decimal(0))
            - pl.col("held_before").fill_null(Decimal(0))
        )
        .select(*keys, "held_change")
    )
    joined = changes.join(moved, on=keys, how="full", coalesce=True).with_columns(
        pl.col("held_change").fill_null(Decimal(0)), pl.col("explained").fill_null(Decimal(0))
    )
    return (
        joined.with_columns(difference=pl.col("held_change") - pl.col("explained"))
        .filter(pl.col("difference").abs() > allowed)
        .with_columns(what=pl.lit(what))
        .select(GAP_COLUMNS)
    )


def ledger_gaps(
    activities: pl.DataFrame,
    after: tuple[pl.DataFrame, pl.DataFrame],
    before: tuple[pl.DataFrame, pl.DataFrame] | None = None,
    tolerance: Tolerance = Tolerance(),
) -> pl.DataFrame:
    """The changes the activities do not explain: `after` and `before` are snapshots
    (balances, positions); without `before`, from each account's opening. Accounts in
    the later snapshot are checked."""
    balances, positions = after
    windows = _instants(balances, positions).rename({"as_of": "end"})
    empty_positions, empty_balances = positions.head(0), balances.head(0)
    if before is None:
        windows = windows.with_columns(start=pl.lit(None, pl.Datetime("us", "UTC")))
        earlier_balances, earlier_positions = empty_balances, empty_positions
    else:
        earlier_balances, earlier_positions = before
        starts = _instants(*before).rename({"as_of": "start"})
        windows = windows.join(starts, on="account_id", how="left")
    checked = windows.get_column("account_id").implode()
    units = _gaps(
        _units(earlier_positions.filter(pl.col("account_id").is_in(checked))),
        _units(positions),
        _moved(activities, windows, "quantity", "symbol"),
        "units",
        tolerance.units,
    )
    cash = _gaps(
        _cash(earlier_balances.filter(pl.col("account_id").is_in(checked))),
        _cash(balances),
        _moved(activities, windows, "amount", "currency"),
        "cash",
        tolerance.cash,
    )
    return (
        pl.concat([units, cash])
        .sort("account_id", "what", "symbol")
        .cast({"held_change": DECIMAL, "explained": DECIMAL, "difference": DECIMAL})
    )


def orphan_fills(activities: pl.DataFrame, orders: pl.DataFrame) -> pl.DataFrame:
    """Trade activities naming an order that is not in `orders` (account_id, order_id)."""
    fills = activities.filter(
        (pl.col("activity_type") == "trade") & pl.col("order_id").is_not_null()
    ).select("account_id", "activity_id", "order_id")
    return fills.join(
        orders.select("account_id", "order_id"), on=["account_id", "order_id"], how="anti"
    )
