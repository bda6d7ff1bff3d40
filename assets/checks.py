"""Asset checks, run inside the step that lands a table and shown in the UI beside it:

- `contract` (blocking): what landed satisfies the Pandera contract, and no more than the
  allowed share of fetched rows went to quarantine; a failure stops the source's
  downstream assets (balances, positions and orders wait on accounts);
- `reconciliation`: rows fetched = written + quarantined (+ superseded: an older
  version of an order read again in the same part), and the lake holds the rows the step
  says it landed: as the table was at the version the step committed, a day's partition
  holds exactly the rows written; the orders a run merged are those it inserted or
  updated (each written row was inserted, updated or unchanged);
- `equity` (on balances): per account, cash plus positions against the equity the broker
  reports, within a stated tolerance.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal

import dagster as dg
import polars as pl

from assets.store import StoreCounts
from assets.tables_common import asset_key
from schemas import validate

# CFD and FX positions are margined: the account's equity holds their profit or loss, not
# their notional value.
MARGINED = ("cfd", "fx")
CONTRACT, RECONCILIATION, EQUITY = "contract", "reconciliation", "equity"


def check_specs(
    source: str, tables: tuple[str, ...], partitions: dg.PartitionsDefinition | None
) -> list[dg.AssetCheckSpec]:
    """The checks of `tables` of one source; equity on balances when they are among them."""
    specs = []
    for table in tables:
        key = asset_key(source, table)
        specs += [
            dg.AssetCheckSpec(
                CONTRACT,
                asset=key,
                blocking=True,
                partitions_def=partitions,
                description="What landed satisfies the table's Pandera contract, and at most "
                "the allowed share of fetched rows was quarantined (blocking).",
            ),
            dg.AssetCheckSpec(
                RECONCILIATION,
                asset=key,
                partitions_def=partitions,
                description="Rows fetched = rows written + rows quarantined (+ older "
                "versions of an order superseded in the same read), and the lake (as the "
                "step's commit left it) holds the rows the step landed.",
            ),
        ]
    if "balances" in tables and "positions" in tables:
        specs.append(
            dg.AssetCheckSpec(
                EQUITY,
                asset=asset_key(source, "balances"),
                additional_deps=[asset_key(source, "positions")],
                partitions_def=partitions,
                description="Per account: cash plus position market value (profit or loss "
                "for CFD and FX) against the equity the broker reports, within the stated "
                "tolerance.",
            )
        )
    return specs


@dataclass(frozen=True)
class Landed:
    """What a step reported for one table (its counts) and left in the lake (its rows as
    of the version it committed, in batches: the orders of a run can be millions)."""

    source: str
    table: str
    counts: StoreCounts
    batches: Callable[[], Iterator[pl.DataFrame]]

    def expected_in_lake(self) -> tuple[int, int]:
        """The fewest and most rows the step can have left in the lake as its own."""
        merged = self.counts.merged
        if merged is None:
            return self.counts.written, self.counts.written
        landed = merged.inserted + merged.updated
        return landed - merged.repeated, landed

    def merge_balanced(self) -> bool:
        """Each written row was inserted, updated or unchanged (keyed tables)."""
        merged = self.counts.merged
        if merged is None:
            return True
        return self.counts.written == merged.inserted + merged.updated + merged.unchanged


def contract(landed: Landed, max_quarantined_share: float) -> dg.AssetCheckResult:
    checked = failing = 0
    for rows in landed.batches():
        checked += rows.height
        failing += validate(landed.table, rows).quarantined.height
    counts = landed.counts
    share = counts.quarantined / counts.fetched if counts.fetched else 0.0
    problems = []
    if failing:
        problems.append(f"{failing} landed rows break the contract")
    if share > max_quarantined_share:
        problems.append(
            f"{counts.quarantined} of {counts.fetched} fetched rows quarantined ({share:.1%}, "
            f"more than the allowed {max_quarantined_share:.1%}): see quarantine_{landed.table}"
        )
    return dg.AssetCheckResult(
        asset_key=asset_key(landed.source, landed.table),
        check_name=CONTRACT,
        passed=not problems,
        metadata={
            "rows_checked": checked,
            "quarantined_share": round(share, 4),
            "max_quarantined_share": max_quarantined_share,
            **({"problems": "; ".join(problems)} if problems else {}),
        },
    )


def reconciliation(landed: Landed) -> dg.AssetCheckResult:
    counts = landed.counts
    in_lake = sum(rows.height for rows in landed.batches())
    fewest, most = landed.expected_in_lake()
    return dg.AssetCheckResult(
        asset_key=asset_key(landed.source, landed.table),
        check_name=RECONCILIATION,
        passed=counts.balanced and landed.merge_balanced() and fewest <= in_lake <= most,
        metadata={**counts.metadata(), "rows_in_lake": in_lake},
    )


def table_checks(landed: Landed, max_quarantined_share: float) -> list[dg.AssetCheckResult]:
    """Both checks every table has."""
    return [contract(landed, max_quarantined_share), reconciliation(landed)]


def equity_gaps(balances: pl.DataFrame, positions: pl.DataFrame, tolerance: float) -> pl.DataFrame:
    """Accounts whose cash plus positions strays from their equity by more than
    `tolerance` of it (at least a cent): account, currency, expected, equity, gap."""
    value = (
        pl.when(pl.col("instrument_type").is_in(MARGINED))
        .then(pl.col("unrealized_pnl"))
        .otherwise(pl.col("market_value"))
    )
    held = positions.group_by("account_id", "currency").agg(
        value.cast(pl.Decimal(38, 12)).sum().alias("held")
    )
    joined = (
        balances.filter(pl.col("equity").is_not_null() & pl.col("cash").is_not_null())
        .join(held, on=["account_id", "currency"], how="left")
        .with_columns(
            expected=pl.col("cash").cast(pl.Decimal(38, 12)) + pl.col("held").fill_null(Decimal(0)),
        )
        .with_columns(gap=(pl.col("expected") - pl.col("equity").cast(pl.Decimal(38, 12))).abs())
    )
    allowed = (pl.col("equity").cast(pl.Float64).abs() * tolerance).clip(lower_bound=0.01)
    return joined.filter(pl.col("gap").cast(pl.Float64) > allowed).select(
        "account_id", "currency", "expected", "equity", "gap"
    )


def equity(
    source: str, balances: pl.DataFrame, positions: pl.DataFrame, tolerance: float
) -> dg.AssetCheckResult:
    gaps = equity_gaps(balances, positions, tolerance)
    worst = [
        {column: str(value) for column, value in row.items()}
        for row in gaps.sort("gap", descending=True).head(5).iter_rows(named=True)
    ]
    return dg.AssetCheckResult(
        asset_key=asset_key(source, "balances"),
        check_name=EQUITY,
        passed=gaps.is_empty(),
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
            "accounts_checked": balances.height,
            "accounts_outside_tolerance": gaps.height,
            "tolerance": tolerance,
            **({"worst": dg.MetadataValue.json(worst)} if worst else {}),
        },
    )
