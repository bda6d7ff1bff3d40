"""TradrAPI's records: a CFD/FX back office's users, trading accounts on MT4, MT5, cTrader
and TradeLocker, and what those accounts hold and did.

They differ enough from a stock brokerage's (numeric ids, lots, several positions per
symbol, pending orders by MT type, money in the account's currency) to be kept apart from
the Alpaca/SnapTrade records in `model.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

TRADR = "tradr"


@dataclass(frozen=True, slots=True)
class CfdSymbol:
    name: str  # "EURUSD", "XAUUSD", "GER40"
    kind: str  # fx | cfd
    base: str  # "EUR", "XAU", "GER40"
    quote: str  # the currency its prices are in
    contract_size: Decimal  # units per lot
    digits: int  # price decimals


@dataclass(frozen=True, slots=True)
class TradrUser:
    user_id: int
    brand_user_id: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class TradrAccount:
    account_id: int
    user_id: int
    login: str  # the platform's own account id (exchangeAccountId)
    name: str
    platform: str  # MT4 | MT5 | CTRADER | TL
    server_type: str  # demo | real
    account_type: str  # full | hybrid | limited
    status: str  # ACTIVE | DISABLED
    currency: str
    leverage: int
    server_id: int
    group_id: int
    spread_group_id: int
    spread_group: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class TradrPosition:
    position_id: int  # TradrAPI's id
    ticket: str  # the platform's position id (exchangeOperationId)
    account_id: int
    symbol: CfdSymbol
    side: str  # BUY | SELL
    volume: Decimal  # lots
    open_price: Decimal
    current_price: Decimal
    stop_loss: Decimal | None
    take_profit: Decimal | None
    profit: Decimal  # floating, in the account's currency
    swap: Decimal
    commission: Decimal
    opened_at: datetime

    @property
    def net(self) -> Decimal:
        """What the position adds to equity."""
        return self.profit + self.swap + self.commission


@dataclass(frozen=True, slots=True)
class TradrOrder:
    """A pending order: it opens a position when the market reaches `open_price`."""

    order_id: int
    ticket: str
    account_id: int
    symbol: CfdSymbol
    type: str  # BUY_LIMIT | SELL_LIMIT | BUY_STOP | SELL_STOP | BUY_STOP_LIMIT | SELL_STOP_LIMIT
    volume: Decimal
    open_price: Decimal
    stop_limit_price: Decimal | None  # the limit of a stop-limit order
    stop_loss: Decimal | None
    take_profit: Decimal | None
    expiration: datetime | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class TradrTrade:
    """A closed trade: a position opened at `opened_at` and closed at `closed_at`."""

    ticket: str
    account_id: int
    server_id: int
    symbol: CfdSymbol
    side: str  # BUY | SELL
    volume: Decimal
    open_price: Decimal
    close_price: Decimal
    stop_loss: Decimal | None
    take_profit: Decimal | None
    profit: Decimal  # realized, in the account's currency
    swap: Decimal
    commission: Decimal
    opened_at: datetime
    closed_at: datetime

    @property
    def net(self) -> Decimal:
        return self.profit + self.swap + self.commission


@dataclass(frozen=True, slots=True)
class TradrTransaction:
    """A balance operation (deposit, withdrawal, adjustment)."""

    transaction_id: int
    account_id: int
    server_id: int
    group_id: int
    ticket: str
    amount: Decimal  # absolute, except for `adjustment`
    currency: str
    operation: str  # add | sub | adjustment | commission | swap | credit | debit
    comment: str
    reference_id: str
    created_at: datetime

    @property
    def signed(self) -> Decimal:
        """The change to the balance (TradrAPI: add, credit and debit increase it)."""
        if self.operation == "adjustment":
            return self.amount
        return self.amount if self.operation in {"add", "credit", "debit"} else -self.amount


@dataclass(frozen=True, slots=True)
class TradrBalance:
    account_id: int
    currency: str
    balance: Decimal
    equity: Decimal  # balance + credit + net P&L of open positions, exactly
    withdrawable: Decimal
    credit: Decimal
    margin: Decimal
    free_margin: Decimal
    net_pnl: Decimal
    lifetime_pnl: Decimal
