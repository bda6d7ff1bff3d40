"""One Pandera model per canonical table, and the facts about each table (key, partitioning).

Money and quantities are `Decimal(38, 18)`: exact, and wide enough for any price or
quantity a broker sends (20 integer digits). A value with more than 18 decimal places (an
Alpaca average or an LCT conversion carries up to 28) is rounded to 18, half to even, as
it is read; one with more than 20 integer digits cannot be held and its record is
quarantined. Timestamps are microsecond UTC; dates are calendar dates in UTC.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import pandera.polars as pa
import polars as pl
from pandera.engines import polars_engine
from pandera.typing.polars import Series

from schemas.enums import (
    AccountStatus,
    AccountType,
    ActivityStatus,
    ActivityType,
    CanonicalEnum,
    ConnectionStatus,
    ConnectionType,
    InstrumentType,
    OrderClass,
    OrderSide,
    OrderStatus,
    OrderType,
    PositionSide,
    TimeInForce,
    UserKind,
)

DECIMAL = pl.Decimal(38, 18)
UTC_DATETIME = pl.Datetime("us", "UTC")

UtcDatetime = polars_engine.DateTime(time_zone="UTC", time_unit="us")
CURRENCY_PATTERN = r"^[A-Z]{3}$"
MASKED_ACCOUNT_NUMBER_PATTERN = r"^\*{4}[A-Za-z0-9]{1,4}$"
BROKERS = ["snaptrade", "alpaca", "tradr", "plaid"]


def one_of(enum: type[CanonicalEnum], *, nullable: bool = False) -> object:
    return pa.Field(isin=enum.values(), nullable=nullable)


class Row(pa.DataFrameModel):
    """Lineage every row carries: which source, which broker API, when, in which run."""

    source: str = pa.Field(str_length={"min_value": 1})
    broker: str = pa.Field(isin=BROKERS)
    fetched_at: UtcDatetime  # type: ignore[valid-type]
    run_id: str = pa.Field(str_length={"min_value": 1})

    class Config:
        strict = True
        coerce = False


class Users(Row):
    user_id: str = pa.Field(str_length={"min_value": 1})
    created_at: UtcDatetime = pa.Field(nullable=True)  # type: ignore[valid-type]
    user_kind: str = one_of(UserKind)

    class Config:
        unique = ["source", "user_id"]


class Connections(Row):
    connection_id: str = pa.Field(str_length={"min_value": 1})
    user_id: str = pa.Field(str_length={"min_value": 1})
    institution: str = pa.Field(str_length={"min_value": 1})
    connection_type: str = one_of(ConnectionType)
    raw_connection_type: str = pa.Field(nullable=True)
    status: str = one_of(ConnectionStatus)
    raw_status: str = pa.Field(nullable=True)
    created_at: UtcDatetime = pa.Field(nullable=True)  # type: ignore[valid-type]
    disabled_at: UtcDatetime = pa.Field(nullable=True)  # type: ignore[valid-type]

    class Config:
        unique = ["source", "connection_id"]


class Accounts(Row):
    account_id: str = pa.Field(str_length={"min_value": 1})
    connection_id: str = pa.Field(str_length={"min_value": 1})
    user_id: str = pa.Field(str_length={"min_value": 1})
    institution: str = pa.Field(str_length={"min_value": 1})
    account_number_masked: str = pa.Field(nullable=True, str_matches=MASKED_ACCOUNT_NUMBER_PATTERN)
    name: str = pa.Field(nullable=True)
    account_type: str = one_of(AccountType)
    raw_account_type: str = pa.Field(nullable=True)
    status: str = one_of(AccountStatus)
    raw_status: str = pa.Field(nullable=True)
    base_currency: str = pa.Field(str_matches=CURRENCY_PATTERN)
    is_paper: bool
    created_at: UtcDatetime = pa.Field(nullable=True)  # type: ignore[valid-type]

    class Config:
        unique = ["source", "account_id"]


class Balances(Row):
    account_id: str = pa.Field(str_length={"min_value": 1})
    currency: str = pa.Field(str_matches=CURRENCY_PATTERN)
    as_of_date: pl.Date
    as_of: UtcDatetime  # type: ignore[valid-type]
    cash: Series[DECIMAL] = pa.Field(nullable=True)  # type: ignore[valid-type]
    buying_power: Series[DECIMAL] = pa.Field(nullable=True)  # type: ignore[valid-type]
    equity: Series[DECIMAL] = pa.Field(nullable=True)  # type: ignore[valid-type]

    class Config:
        unique = ["source", "account_id", "currency", "as_of_date"]


class Positions(Row):
    """One holding. `quantity` is absolute; `side` gives the direction, and market value,
    cost basis and P&L keep the broker's sign (negative market value for a short)."""

    account_id: str = pa.Field(str_length={"min_value": 1})
    position_key: str = pa.Field(str_length={"min_value": 1})
    as_of_date: pl.Date
    as_of: UtcDatetime  # type: ignore[valid-type]
    symbol: str = pa.Field(str_length={"min_value": 1})
    instrument_type: str = one_of(InstrumentType)
    raw_instrument_type: str = pa.Field(nullable=True)
    side: str = one_of(PositionSide)
    quantity: Series[DECIMAL] = pa.Field(ge=0)  # type: ignore[valid-type]
    contract_size: Series[DECIMAL] = pa.Field(nullable=True, gt=0)  # type: ignore[valid-type]
    average_cost: Series[DECIMAL] = pa.Field(nullable=True)  # type: ignore[valid-type]
    market_price: Series[DECIMAL] = pa.Field(nullable=True, ge=0)  # type: ignore[valid-type]
    market_value: Series[DECIMAL] = pa.Field(nullable=True)  # type: ignore[valid-type]
    cost_basis: Series[DECIMAL] = pa.Field(nullable=True)  # type: ignore[valid-type]
    unrealized_pnl: Series[DECIMAL] = pa.Field(nullable=True)  # type: ignore[valid-type]
    currency: str = pa.Field(str_matches=CURRENCY_PATTERN)
    # Local Currency Trading (an Alpaca account in JPY, EUR, ...): the figures above are in
    # the account's currency; the broker's USD figures and its current exchange rate
    # (USD -> the account's currency) stay beside them. Null for other accounts.
    swap_rate: Series[DECIMAL] = pa.Field(nullable=True, gt=0)  # type: ignore[valid-type]
    usd_average_cost: Series[DECIMAL] = pa.Field(nullable=True)  # type: ignore[valid-type]
    usd_market_price: Series[DECIMAL] = pa.Field(nullable=True, ge=0)  # type: ignore[valid-type]
    usd_market_value: Series[DECIMAL] = pa.Field(nullable=True)  # type: ignore[valid-type]
    usd_cost_basis: Series[DECIMAL] = pa.Field(nullable=True)  # type: ignore[valid-type]
    usd_unrealized_pnl: Series[DECIMAL] = pa.Field(nullable=True)  # type: ignore[valid-type]

    class Config:
        unique = ["source", "account_id", "position_key", "as_of_date"]


class Orders(Row):
    """One order, in its latest state. A multi-leg order is a parent row (its quantity,
    net limit and fill price, signed: negative for a credit) and a row per leg, each
    pointing at the parent and holding its ratio to the parent's quantity."""

    account_id: str = pa.Field(str_length={"min_value": 1})
    order_id: str = pa.Field(str_length={"min_value": 1})
    parent_order_id: str = pa.Field(nullable=True)
    client_order_id: str = pa.Field(nullable=True)
    order_class: str = one_of(OrderClass)
    raw_order_class: str = pa.Field(nullable=True)
    replaces_order_id: str = pa.Field(nullable=True)  # the order this one replaced
    replaced_by_order_id: str = pa.Field(nullable=True)
    symbol: str = pa.Field(str_length={"min_value": 1})
    instrument_type: str = one_of(InstrumentType)
    raw_instrument_type: str = pa.Field(nullable=True)
    side: str = one_of(OrderSide)
    raw_side: str = pa.Field(nullable=True)
    order_type: str = one_of(OrderType)
    raw_order_type: str = pa.Field(nullable=True)
    time_in_force: str = one_of(TimeInForce)
    raw_time_in_force: str = pa.Field(nullable=True)
    status: str = one_of(OrderStatus)
    raw_status: str = pa.Field(nullable=True)
    quantity: Series[DECIMAL] = pa.Field(nullable=True, ge=0)  # type: ignore[valid-type]
    ratio_quantity: Series[DECIMAL] = pa.Field(nullable=True, gt=0)  # type: ignore[valid-type]
    notional: Series[DECIMAL] = pa.Field(nullable=True, ge=0)  # type: ignore[valid-type]
    filled_quantity: Series[DECIMAL] = pa.Field(ge=0)  # type: ignore[valid-type]
    # Prices are signed only where the API documents it: a multi-leg order's net price.
    limit_price: Series[DECIMAL] = pa.Field(nullable=True)  # type: ignore[valid-type]
    stop_price: Series[DECIMAL] = pa.Field(nullable=True)  # type: ignore[valid-type]
    trail_percent: Series[DECIMAL] = pa.Field(nullable=True, ge=0)  # type: ignore[valid-type]
    trail_price: Series[DECIMAL] = pa.Field(nullable=True, ge=0)  # type: ignore[valid-type]
    high_water_mark: Series[DECIMAL] = pa.Field(nullable=True, ge=0)  # type: ignore[valid-type]
    average_fill_price: Series[DECIMAL] = pa.Field(nullable=True)  # type: ignore[valid-type]
    commission: Series[DECIMAL] = pa.Field(nullable=True)  # type: ignore[valid-type]
    submitted_at: UtcDatetime  # type: ignore[valid-type]
    filled_at: UtcDatetime = pa.Field(nullable=True)  # type: ignore[valid-type]
    canceled_at: UtcDatetime = pa.Field(nullable=True)  # type: ignore[valid-type]
    expired_at: UtcDatetime = pa.Field(nullable=True)  # type: ignore[valid-type]
    failed_at: UtcDatetime = pa.Field(nullable=True)  # type: ignore[valid-type]
    updated_at: UtcDatetime  # type: ignore[valid-type]
    currency: str = pa.Field(str_matches=CURRENCY_PATTERN)
    # Local Currency Trading: prices above are in the account's currency; the broker's USD
    # figures and the exchange rate (USD -> the account's currency) stay beside them.
    swap_rate: Series[DECIMAL] = pa.Field(nullable=True, gt=0)  # type: ignore[valid-type]
    usd_notional: Series[DECIMAL] = pa.Field(nullable=True)  # type: ignore[valid-type]
    usd_limit_price: Series[DECIMAL] = pa.Field(nullable=True)  # type: ignore[valid-type]
    usd_stop_price: Series[DECIMAL] = pa.Field(nullable=True)  # type: ignore[valid-type]
    usd_average_fill_price: Series[DECIMAL] = pa.Field(nullable=True)  # type: ignore[valid-type]

    @pa.dataframe_check(name="filled_quantity <= quantity")
    @classmethod
    def filled_within_quantity(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(
            (pl.col("filled_quantity") <= pl.col("quantity")).fill_null(True)
        )

    @pa.dataframe_check(name="prices >= 0 unless multi-leg (limit, stop, fill)")
    @classmethod
    def prices_signed_only_multi_leg(cls, data: pa.PolarsData) -> pl.LazyFrame:
        unsigned = pl.all_horizontal(
            (pl.col(name) >= 0).fill_null(True)
            for name in ("limit_price", "stop_price", "average_fill_price")
        )
        return data.lazyframe.select(unsigned | (pl.col("order_class") == OrderClass.MLEG.value))

    class Config:
        unique = ["source", "account_id", "order_id"]


class Activities(Row):
    """One movement of an account's cash or units: a fill, a dividend, a deposit, a split
    leg, ... Quantities and amounts are signed, positive into the account: `quantity` is
    the units it moved (null when none did, as for a dividend), `amount` the cash, in
    `currency`, net of the `fee` it includes. Only executed activities have moved
    anything; an account's positions and cash change by the sum of its executed
    activities between two snapshots."""

    account_id: str = pa.Field(str_length={"min_value": 1})
    activity_id: str = pa.Field(str_length={"min_value": 1})
    activity_type: str = one_of(ActivityType)
    raw_type: str = pa.Field(nullable=True)
    raw_subtype: str = pa.Field(nullable=True)
    status: str = one_of(ActivityStatus)
    raw_status: str = pa.Field(nullable=True)
    occurred_at: UtcDatetime  # type: ignore[valid-type]  # when it moved (or was booked)
    trade_date: pl.Date = pa.Field(nullable=True)
    settle_date: pl.Date = pa.Field(nullable=True)
    symbol: str = pa.Field(nullable=True)
    instrument_type: str = one_of(InstrumentType, nullable=True)
    raw_instrument_type: str = pa.Field(nullable=True)
    quantity: Series[DECIMAL] = pa.Field(nullable=True)  # type: ignore[valid-type]
    price: Series[DECIMAL] = pa.Field(nullable=True)  # type: ignore[valid-type]
    amount: Series[DECIMAL] = pa.Field(nullable=True)  # type: ignore[valid-type]
    currency: str = pa.Field(nullable=True, str_matches=CURRENCY_PATTERN)
    fee: Series[DECIMAL] = pa.Field(nullable=True)  # type: ignore[valid-type]
    fx_rate: Series[DECIMAL] = pa.Field(nullable=True, gt=0)  # type: ignore[valid-type]
    order_id: str = pa.Field(nullable=True)  # the order a trade fills
    related_activity_id: str = pa.Field(nullable=True)  # the other leg (transfers, journals)
    description: str = pa.Field(nullable=True)

    class Config:
        unique = ["source", "account_id", "activity_id"]


class PortfolioHistoryReported(Row):
    """An account's value over time as its broker reports it (Alpaca's portfolio
    history): per day, the equity, the day's profit or loss (the change of the reported
    profit or loss since the previous point, which leaves cash flows out) and the day's
    external cash flows, in the account's currency. The API states profit or loss from
    the first point it was asked for; its daily change is the same whatever the query,
    so a day read again lands the same row. Kept to compare with what brokerlake
    computes from the snapshots and activities."""

    account_id: str = pa.Field(str_length={"min_value": 1})
    day: pl.Date
    point_at: UtcDatetime  # type: ignore[valid-type]  # the point's timestamp (window start)
    timeframe: str = pa.Field(str_length={"min_value": 1})
    equity: Series[DECIMAL] = pa.Field(nullable=True)  # type: ignore[valid-type]
    profit_loss: Series[DECIMAL] = pa.Field(nullable=True)  # type: ignore[valid-type]
    cash_flow: Series[DECIMAL] = pa.Field(nullable=True)  # type: ignore[valid-type]
    currency: str = pa.Field(str_matches=CURRENCY_PATTERN)

    class Config:
        unique = ["source", "account_id", "day"]


class Storage(StrEnum):
    """How the lake keeps a table: what one commit of a run replaces or merges."""

    CURRENT = "current"  # the source's latest state: its rows replaced whole by each run
    DAILY = "daily"  # one partition per (source, as_of_date), replaced on re-run
    # merged on the key: incoming rows de-duplicated (latest by `latest_by`), a row
    # updated where the incoming one is newer, inserted where its key is new
    KEYED = "keyed"
    # published data beside the sources (exchange rates): partitioned by provider, a read
    # replacing the days it covers
    REFERENCE = "reference"


DAY_COLUMN = "as_of_date"  # daily tables' partitions, and the day of an observation
# States an order does not leave; any other (open, pending, unknown) may still change.
FINAL_ORDER_STATUSES = ("filled", "canceled", "expired", "rejected", "replaced")


@dataclass(frozen=True)
class Table:
    """A canonical table: its contract, its key, and how the lake partitions it."""

    name: str
    model: type[pa.DataFrameModel]
    storage: Storage
    latest_by: tuple[str, ...] = ()  # for keyed tables: which version of a key is newest
    # For keyed tables: the columns each write is ordered by, so that a file holds a narrow
    # range of them and a merge reads and rewrites only the files whose ranges hold the
    # stored rows it updates. Orders: by status (the states an order can leave, `open` to
    # `pending`, sort together, apart from the final ones), then submission time.
    cluster_by: tuple[str, ...] = ()
    # For keyed tables: the `status` values a row never leaves. A row stored in one of
    # them and read again with no newer `latest_by[0]` is the same row: it is left as it
    # is (not rewritten for a later `fetched_at`).
    final_statuses: tuple[str, ...] = ()

    @property
    def key(self) -> tuple[str, ...]:
        """Declared once, as the model's uniqueness constraint."""
        return tuple(self.model.Config.unique)

    @property
    def schema(self) -> pl.Schema:
        return pl.Schema(
            {name: column.dtype.type for name, column in self.model.to_schema().columns.items()}
        )

    @property
    def columns(self) -> list[str]:
        return list(self.schema.names())

    @property
    def partition_by(self) -> tuple[str, ...]:
        """How the lake partitions the table: as it is read (by source; by day for daily
        snapshots)."""
        if self.storage is Storage.REFERENCE:
            return ("provider",)
        return ("source", DAY_COLUMN) if self.storage is Storage.DAILY else ("source",)


TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table("users", Users, storage=Storage.CURRENT),
        Table("connections", Connections, storage=Storage.CURRENT),
        Table("accounts", Accounts, storage=Storage.CURRENT),
        Table(
            "balances",
            Balances,
            storage=Storage.DAILY,
        ),
        Table(
            "positions",
            Positions,
            storage=Storage.DAILY,
        ),
        Table(
            "orders",
            Orders,
            storage=Storage.KEYED,
            latest_by=("updated_at", "fetched_at"),
            cluster_by=("status", "submitted_at"),
            final_statuses=FINAL_ORDER_STATUSES,
        ),
        Table(
            "activities",
            Activities,
            storage=Storage.KEYED,
            # an activity has no time of change: the latest read of it is its state
            latest_by=("fetched_at",),
            # a merge touches the files of the window re-read (recent, or pending)
            cluster_by=("status", "occurred_at"),
        ),
        Table(
            "portfolio_history_reported",
            PortfolioHistoryReported,
            storage=Storage.KEYED,
            # a day's point is restated until the day is over: the latest read wins
            latest_by=("fetched_at",),
            cluster_by=("day",),
        ),
    )
}


class FxReferenceRates(pa.DataFrameModel):
    """Reference exchange rates as their provider published them: on `day`, one `base`
    bought `rate` units of `quote` (the ECB's: one euro, in each currency it quotes).
    Days it did not publish (weekends, holidays) have no row here; the `fx_rates` model
    carries the last published rate over them."""

    provider: str = pa.Field(str_length={"min_value": 1})
    day: pl.Date
    base: str = pa.Field(str_matches=CURRENCY_PATTERN)
    quote: str = pa.Field(str_matches=CURRENCY_PATTERN)
    rate: Series[DECIMAL] = pa.Field(gt=0)  # type: ignore[valid-type]
    fetched_at: UtcDatetime  # type: ignore[valid-type]
    run_id: str = pa.Field(str_length={"min_value": 1})

    class Config:
        strict = True
        coerce = False
        unique = ["provider", "day", "base", "quote"]


# Tables of data published beside the brokers', read from sources of their own.
REFERENCE_TABLES: dict[str, Table] = {
    "fx_reference_rates": Table("fx_reference_rates", FxReferenceRates, storage=Storage.REFERENCE),
}


def table(name: str) -> Table:
    found = TABLES.get(name) or REFERENCE_TABLES.get(name)
    if found is None:
        known = ", ".join([*TABLES, *REFERENCE_TABLES])
        raise KeyError(f"unknown table {name!r}; tables are {known}")
    return found


def empty_frame(name: str) -> pl.DataFrame:
    return pl.DataFrame(schema=table(name).schema)
