"""The world's records: frozen dataclasses, exact decimals, UTC datetimes.

These are the ground truth that every simulated API renders, and the oracle that tests
compare a warehouse against, so they hold values exactly as a broker would know them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

OPEN_ORDER_STATUSES = frozenset({"new", "accepted", "pending_new", "partially_filled", "held"})
FINAL_ORDER_STATUSES = frozenset({"filled", "canceled", "expired", "rejected", "replaced"})


@dataclass(frozen=True, slots=True)
class WorldSizes:
    """How big the world is; the same sizes and seed always give the same world."""

    alpaca_accounts: int = 3  # Alpaca Trading API accounts, each with its own key pair
    positions_per_account: int = 8
    orders_per_account: int = 120  # expected orders submitted within history_days
    history_days: int = 30  # orders are submitted over this many days before the clock
    # Per-account overrides of orders_per_account, by account position (tests use it to
    # give one account thousands of orders while the others stay small).
    orders_by_account: tuple[int, ...] = ()
    snaptrade_users: int = 3  # SnapTrade end users, each with 1-3 connections of 1-3 accounts
    broker_accounts: int = 24  # the Alpaca Broker API partner's customer accounts
    tradr_users: int = 3  # TradrAPI users, each with 1-3 accounts (the first has 4)
    tradr_positions_per_account: int = 6  # expected open positions of a TradrAPI account
    tradr_trades_per_account: int = 40  # expected trades closed within history_days
    tradr_busy_positions: int = 230  # open positions of the first user's busy account
    plaid_items: int = 0  # Plaid Items (logins at institutions), 1-3 investment accounts each

    def orders_for(self, index: int) -> int:
        if index < len(self.orders_by_account):
            return self.orders_by_account[index]
        return self.orders_per_account


@dataclass(frozen=True, slots=True)
class Instrument:
    symbol: str  # equities "AAPL", options OCC "AAPL270115C00200000", crypto "BTC/USD"
    kind: str  # equity | etf | option | crypto | future
    currency: str
    asset_id: str
    exchange: str  # an Alpaca exchange code ("" for options, "CRYPTO" for crypto)
    name: str
    multiplier: Decimal = Decimal(1)  # units per contract: 100 for options, 50 for ES


@dataclass(frozen=True, slots=True)
class Account:
    account_id: str
    venue: str  # "alpaca" | "snaptrade" | "alpaca_broker" | "plaid"
    user_id: str
    connection_id: str
    institution: str
    account_number: str
    name: str
    account_type: str  # cash | margin
    multiplier: Decimal  # 1, 2 or 4
    status: str  # active | restricted | closed
    base_currency: str
    is_paper: bool
    created_at: datetime
    # Its API writes decimals (qty, notional, filled_qty, commission) as JSON numbers, as
    # older Alpaca bodies do; prices still as text.
    numeric_decimals: bool = False

    @property
    def is_lct(self) -> bool:
        """An Alpaca Broker account in Local Currency Trading: priced in its own currency,
        with USD figures beside."""
        return self.venue == "alpaca_broker" and self.base_currency != "USD"


@dataclass(frozen=True, slots=True)
class SnapTradeUser:
    user_id: str
    user_secret: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Connection:
    """A SnapTrade brokerage authorization: one login at one institution."""

    connection_id: str
    user_id: str
    brokerage: str  # display name, e.g. "Questrade"
    brokerage_slug: str  # e.g. "QUESTRADE"
    connection_type: str  # read | trade
    created_at: datetime
    disabled_at: datetime | None  # from then on, its accounts show their last cached state


ACTIVITY_KINDS = frozenset({
    "fill",  # an order's execution (part of it): units and cash change hands
    "deposit", "withdrawal",  # cash from or to outside the broker
    "transfer_in", "transfer_out",  # securities from or to another broker (ACATS)
    "transfer",  # cash between two accounts of one user (a leg each)
    "journal",  # cash between two of a partner's accounts (Alpaca Broker API journals)
    "dividend", "interest", "fee",
    "split",  # a corporate action: the old units removed and the new ones added, a leg each
})  # fmt: skip


@dataclass(frozen=True, slots=True)
class Activity:
    """One line of an account's ledger: a movement of its cash or of its units.

    Quantities and amounts are signed (positive into the account); `amount` is in
    `currency`, the cash it moves. A pending activity moves nothing yet; a canceled one
    never will. The account's positions and cash are the sum of its executed activities
    since it opened, exactly."""

    activity_id: str
    account_id: str
    kind: str  # one of ACTIVITY_KINDS
    at: datetime  # when it moved cash or units (executed), or was booked (pending)
    instrument: Instrument | None
    quantity: Decimal  # units (contracts for options and futures), signed
    price: Decimal | None  # per unit as the world prices it (per contract), in `currency`
    amount: Decimal  # signed cash effect
    currency: str
    settle_date: date
    description: str
    fee: Decimal = Decimal(0)  # charged, included in `amount`
    status: str = "executed"  # executed | pending | canceled
    order_id: str | None = None  # a fill's order
    side: str | None = None  # a fill's: buy | sell
    cum_quantity: Decimal | None = None  # a fill's order, filled so far (with this fill)
    order_quantity: Decimal | None = None  # a fill's order, its whole quantity
    group_id: str | None = None  # what links legs: a journal's id, a split's, a transfer's
    related_id: str | None = None  # the other leg (transfers, journals, splits)
    per_share: Decimal | None = None  # a dividend's rate per unit
    usd_price: Decimal | None = None  # LCT fills: the price in USD
    swap_rate: Decimal | None = None  # LCT: USD -> the account's currency
    previous_id: str | None = None  # the id it had before the broker re-added it

    @property
    def is_executed(self) -> bool:
        return self.status == "executed"


@dataclass(frozen=True, slots=True)
class ApiKey:
    key_id: str
    secret_key: str
    account_id: str


@dataclass(frozen=True, slots=True)
class UsdFigures:
    """An LCT position's figures in USD (Alpaca's `usd`)."""

    average_cost: Decimal
    market_price: Decimal
    market_value: Decimal
    cost_basis: Decimal
    unrealized_pnl: Decimal
    lastday_price: Decimal


@dataclass(frozen=True, slots=True)
class Position:
    account_id: str
    position_id: str
    instrument: Instrument
    side: str  # long | short
    quantity: Decimal  # absolute, > 0
    average_cost: Decimal
    market_price: Decimal
    market_value: Decimal  # signed: negative for short
    cost_basis: Decimal  # signed like market_value
    unrealized_pnl: Decimal
    currency: str
    lastday_price: Decimal
    # LCT: the figures above are in the account's currency, converted at these rates.
    swap_rate: Decimal | None = None  # USD -> the account's currency, today
    avg_entry_swap_rate: Decimal | None = None  # the rate its cost was converted at
    usd: UsdFigures | None = None

    @property
    def signed_quantity(self) -> Decimal:
        return -self.quantity if self.side == "short" else self.quantity


@dataclass(frozen=True, slots=True)
class Balance:
    account_id: str
    currency: str
    cash: Decimal
    buying_power: Decimal
    equity: Decimal  # cash + long_market_value + short_market_value, exactly
    long_market_value: Decimal
    short_market_value: Decimal  # <= 0
    last_equity: Decimal  # equity at the previous day's prices
    as_of: datetime


@dataclass(frozen=True, slots=True)
class Order:
    order_id: str
    client_order_id: str
    account_id: str
    instrument: Instrument
    side: str  # buy | sell
    order_type: str  # market | limit | stop | stop_limit | trailing_stop
    time_in_force: str  # day | gtc | ioc | fok | opg | cls
    quantity: Decimal | None  # None for notional orders
    notional: Decimal | None
    limit_price: Decimal | None
    stop_price: Decimal | None
    order_class: str  # simple | bracket | mleg
    parent_order_id: str | None  # the parent's id, for bracket and multi-leg legs
    status: str  # Alpaca's vocabulary
    filled_quantity: Decimal
    filled_avg_price: Decimal | None
    created_at: datetime
    submitted_at: datetime
    updated_at: datetime
    filled_at: datetime | None
    canceled_at: datetime | None
    expired_at: datetime | None
    failed_at: datetime | None
    position_intent: str  # buy_to_open | buy_to_close | sell_to_open | sell_to_close
    extended_hours: bool = False
    trail_percent: Decimal | None = None
    high_water_mark: Decimal | None = None  # a trailing stop's (Alpaca's `hwm`)
    expires_at: datetime | None = None
    replaced_at: datetime | None = None
    replaced_by: str | None = None
    replaces: str | None = None
    ratio_quantity: Decimal | None = None  # a multi-leg order's leg: its ratio to the parent
    # LCT: prices above are in the account's currency, converted at `swap_rate` (USD -> it)
    # from the USD figures kept here.
    swap_rate: Decimal | None = None
    usd_notional: Decimal | None = None
    usd_limit_price: Decimal | None = None
    usd_stop_price: Decimal | None = None
    usd_filled_avg_price: Decimal | None = None

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_ORDER_STATUSES

    @property
    def is_multi_leg_parent(self) -> bool:
        """A multi-leg order's parent: no symbol or side of its own, a signed net price."""
        return self.order_class == "mleg" and self.parent_order_id is None
