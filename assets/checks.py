"""Asset checks, shown in the UI beside each table:

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

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import partial

import dagster as dg
import polars as pl

from assets.partitions import partition_day
from assets.resources import WarehouseResource
from assets.tables_common import ACCOUNT_TABLES, DAILY_TABLES, TABLE_NAMES, asset_key
from schemas import validate

# CFD and FX positions are margined: the account's equity holds their profit or loss, not
# their notional value.
MARGINED = ("cfd", "fx")


def table_checks(source: str, days: dg.PartitionsDefinition) -> list[dg.AssetChecksDefinition]:
    checks = []
    for table in TABLE_NAMES:
        partitions = days if table in DAILY_TABLES else None
        checks += [
            contract_check(source, table, partitions),
            reconciliation_check(source, table, partitions),
        ]
    checks.append(equity_check(source, days))
    return checks


@dataclass(frozen=True)
class Landed:
    """What the checked step reported (its counts) and left in the lake (its rows as of
    the version it committed, in batches: the orders of a run can be millions)."""

    fetched: int
    written: int
    quarantined: int
    batches: Callable[[], Iterator[pl.DataFrame]]
    merged: dict[str, int] | None = None  # keyed tables: inserted, updated, ...

    @property
    def balanced(self) -> bool:
        """Every row fetched was written, quarantined or superseded (keyed tables)."""
        superseded = self.merged["superseded"] if self.merged else 0
        return self.fetched == self.written + self.quarantined + superseded

    def expected_in_lake(self) -> tuple[int, int]:
        """The fewest and most rows the step can have left in the lake as its own."""
        if self.merged is None:
            return self.written, self.written
        landed = self.merged["inserted"] + self.merged["updated"]
        return landed - self.merged["repeated"], landed

    def merge_balanced(self) -> bool:
        """Each written row was inserted, updated or unchanged."""
        if self.merged is None:
            return True
        return self.written == sum(self.merged[k] for k in ("inserted", "updated", "unchanged"))


MERGE_COUNTS = ("superseded", "inserted", "updated", "unchanged", "repeated")


def landed(
    context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource, source: str, table: str
) -> Landed | None:
    """The latest materialization of the checked asset (the day's partition, for daily
    tables) and the rows it wrote: the day's partition, or the orders of its run. None
    when there is none."""
    day = partition_day(context) if table in DAILY_TABLES else None
    records = context.instance.fetch_materializations(
        dg.AssetRecordsFilter(
            asset_key=asset_key(source, table), asset_partitions=[str(day)] if day else None
        ),
        limit=1,
    ).records
    if not records:
        return None
    metadata = records[0].asset_materialization.metadata

    def count(name: str) -> int:
        return int(metadata[name].value)  # type: ignore[arg-type]

    lake = warehouse.lake
    run_id = records[0].run_id
    version = count("lake_version") if "lake_version" in metadata else None
    batches: Callable[[], Iterator[pl.DataFrame]]
    merged = None
    if day is None:  # orders: the rows the run merged
        batches = partial(lake.read_run, table, source, run_id, version=version)
        merged = {kind: count(f"rows_{kind}") for kind in MERGE_COUNTS}
    elif table in ACCOUNT_TABLES:
        batches = partial(iter, [lake.read_history_day(table, source, day, as_of=version)])
    else:
        batches = partial(iter, [lake.read_day(table, source, day, as_of=version)])
    fetched, written, quarantined = (
        count(name) for name in ("rows_fetched", "rows_written", "rows_quarantined")
    )
    return Landed(fetched, written, quarantined, batches, merged)


NOT_MATERIALIZED = dg.AssetCheckResult(passed=False, metadata={"reason": "not materialized"})


def contract_check(
    source: str, table: str, partitions: dg.PartitionsDefinition | None
) -> dg.AssetChecksDefinition:
    key = asset_key(source, table)

    @dg.asset_check(
        asset=key,
        name="contract",
        blocking=True,
        partitions_def=partitions,
        description="What landed satisfies the table's Pandera contract, and at most the "
        "allowed share of fetched rows was quarantined (blocking).",
    )
    def _contract(
        context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource
    ) -> dg.AssetCheckResult:
        step = landed(context, warehouse, source, table)
        if step is None:
            return NOT_MATERIALIZED
        checked = failing = 0
        for rows in step.batches():
            checked += rows.height
            failing += validate(table, rows).quarantined.height
        share = step.quarantined / step.fetched if step.fetched else 0.0
        limit = warehouse.max_quarantined_share
        problems = []
        if failing:
            problems.append(f"{failing} landed rows break the contract")
        if share > limit:
            problems.append(
                f"{step.quarantined} of {step.fetched} fetched rows quarantined ({share:.1%}, "
                f"more than the allowed {limit:.1%}): see quarantine_{table}"
            )
        return dg.AssetCheckResult(
            passed=not problems,
            metadata={
                "rows_checked": checked,
                "quarantined_share": round(share, 4),
                "max_quarantined_share": limit,
                **({"problems": "; ".join(problems)} if problems else {}),
            },
        )

    return _contract


def reconciliation_check(
    source: str, table: str, partitions: dg.PartitionsDefinition | None
) -> dg.AssetChecksDefinition:
    key = asset_key(source, table)

    @dg.asset_check(
        asset=key,
        name="reconciliation",
        partitions_def=partitions,
        description="Rows fetched = rows written + rows quarantined (+ older versions of an "
        "order superseded in the same read), and the lake (as the step's commit left it) "
        "holds the rows the step landed.",
    )
    def _reconciliation(
        context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource
    ) -> dg.AssetCheckResult:
        step = landed(context, warehouse, source, table)
        if step is None:
            return NOT_MATERIALIZED
        balanced = step.balanced
        in_lake = sum(rows.height for rows in step.batches())
        fewest, most = step.expected_in_lake()
        return dg.AssetCheckResult(
            passed=balanced and step.merge_balanced() and fewest <= in_lake <= most,
            metadata={
                "rows_fetched": step.fetched,
                "rows_written": step.written,
                "rows_quarantined": step.quarantined,
                "rows_in_lake": in_lake,
                **({f"rows_{k}": v for k, v in step.merged.items()} if step.merged else {}),
            },
        )

    return _reconciliation


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


def equity_check(source: str, days: dg.PartitionsDefinition) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=asset_key(source, "balances"),
        name="equity",
        additional_deps=[asset_key(source, "positions")],
        partitions_def=days,
        description="Per account: cash plus position market value (profit or loss for CFD "
        "and FX) against the equity the broker reports, within the stated tolerance.",
    )
    def _equity(
        context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource
    ) -> dg.AssetCheckResult:
        day = partition_day(context)
        lake = warehouse.lake
        balances = lake.read_day("balances", source, day)
        gaps = equity_gaps(
            balances, lake.read_day("positions", source, day), warehouse.equity_tolerance
        )
        worst = [
            {column: str(value) for column, value in row.items()}
            for row in gaps.sort("gap", descending=True).head(5).iter_rows(named=True)
        ]
        return dg.AssetCheckResult(
            passed=gaps.is_empty(),
            severity=dg.AssetCheckSeverity.WARN,
            metadata={
                "accounts_checked": balances.height,
                "accounts_outside_tolerance": gaps.height,
                "tolerance": warehouse.equity_tolerance,
                **({"worst": dg.MetadataValue.json(worst)} if worst else {}),
            },
        )

    return _equity
