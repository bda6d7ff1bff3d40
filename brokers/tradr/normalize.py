"""TradrAPI JSON -> canonical rows (no lineage columns; see brokers.frames).

Money, prices and lots arrive as JSON numbers and are read as exact decimals (0.1 stays
0.1). Each MT position is its own row, keyed by TradrAPI's position id. Quantities are in
lots, with the symbol's contract size beside them where the API gives it. Prices are the
symbol's quotes; P&L (and `currency`) are in the account's currency. A position adds its
profit, swap and commission to equity, which is what `unrealized_pnl` holds; CFDs have no
market value or cost basis of their own.

Orders are the pending orders and, for each closed trade of the account summary, the
market fill that opened it (the platform's ticket) and the one that closed it
(`<ticket>-close`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from brokers.parse import mask_account_number, to_decimal, to_utc
from brokers.tradr.access import KeyScope
from schemas import (
    AccountStatus,
    AccountType,
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

INSTITUTION = "TradrAPI"
PLATFORMS = {
    "MT4": "MetaTrader 4",
    "MT5": "MetaTrader 5",
    "CTRADER": "cTrader",
    "TL": "TradeLocker",
}
ACCOUNT_STATUS = {
    "ACTIVE": AccountStatus.OPEN,
    "DISABLED": AccountStatus.RESTRICTED,
    "ARCHIVED": AccountStatus.CLOSED,
    "CLOSED": AccountStatus.CLOSED,
}
FIAT = frozenset({
    "USD", "EUR", "GBP", "JPY", "CHF", "CAD", "AUD", "NZD", "SEK", "NOK", "DKK", "PLN", "HUF",
    "CZK", "TRY", "ZAR", "MXN", "SGD", "HKD", "CNH", "CNY", "ILS", "RUB", "INR", "KRW", "THB",
})  # fmt: skip
SIDES = {"BUY": OrderSide.BUY, "SELL": OrderSide.SELL}
POSITION_SIDES = {"BUY": PositionSide.LONG, "SELL": PositionSide.SHORT}
ORDER_STATUS = {
    "PLACED": OrderStatus.OPEN,
    "PENDING": OrderStatus.OPEN,
    "STARTED": OrderStatus.PENDING,
}
CLOSE_SUFFIX = "-close"


def instrument_type(symbol: str) -> InstrumentType:
    """fx for a pair of national currencies (EURUSD, and a broker's suffixed EURUSD.m),
    cfd for everything else a CFD broker lists (indices, metals, energy, crypto)."""
    letters = "".join(c for c in symbol.upper().lstrip("#.") if c.isalpha())
    if len(letters) >= 6 and letters[:3] in FIAT and letters[3:6] in FIAT:
        return InstrumentType.FX
    return InstrumentType.CFD


def _user_id(account: Mapping[str, Any], scope: KeyScope) -> str:
    user = account.get("userId", scope.user_id)
    return str(user) if user is not None else f"account-{account['id']}"


def account_rows(
    account: Mapping[str, Any], scope: KeyScope
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(user, account) rows for one account the key covers."""
    user_id = _user_id(account, scope)
    platform = str(account.get("platform") or "")
    raw_status = account.get("status")
    user = {
        "user_id": user_id,
        "created_at": None,  # TradrAPI shows no user model
        "user_kind": (UserKind.BROKER if "userId" in account else UserKind.DERIVED).value,
    }
    row = {
        "account_id": str(account["id"]),
        "connection_id": scope.key_id,
        "user_id": user_id,
        "institution": f"{INSTITUTION} ({PLATFORMS.get(platform, platform or 'unknown platform')})",
        "account_number_masked": mask_account_number(account.get("exchangeAccountId")),
        "name": account.get("accountName"),
        "account_type": AccountType.CFD.value,
        "raw_account_type": account.get("type"),
        "status": ACCOUNT_STATUS.get(str(raw_status).upper(), AccountStatus.OTHER).value,
        "raw_status": None if raw_status is None else str(raw_status),
        "base_currency": str(account["currency"]).upper(),
        "is_paper": str(account.get("serverType")).lower() == "demo",
        "created_at": to_utc(account.get("createdAt")),
    }
    return user, row


def connection_row(scope: KeyScope, user_id: str) -> dict[str, Any]:
    """The key is the connection: what it may do, since when."""
    return {
        "connection_id": scope.key_id,
        "user_id": user_id,
        "institution": INSTITUTION,
        "connection_type": (ConnectionType.TRADE if scope.can_trade else ConnectionType.READ).value,
        "raw_connection_type": scope.kind,
        "status": ConnectionStatus.ACTIVE.value,  # it answered this run
        "raw_status": None,
        "created_at": scope.created_at,
        "disabled_at": None,
    }


def balance_row(balance: Mapping[str, Any], *, currency: str, as_of: datetime) -> dict[str, Any]:
    return {
        "account_id": str(balance["accountId"]),
        "currency": str(balance.get("currency") or currency).upper(),
        "as_of": as_of,
        "cash": to_decimal(balance.get("balance")),
        "buying_power": to_decimal(balance.get("freeMargin")),
        "equity": to_decimal(balance.get("equity")),
    }


def _sum(*values: object) -> Decimal | None:
    present = [d for d in (to_decimal(v) for v in values) if d is not None]
    return sum(present, Decimal(0)) if present else None


def position_identity(
    position: Mapping[str, Any], account_id: str, as_of: datetime | None
) -> dict[str, Any]:
    """What names a position that could not be read (for its quarantine row)."""
    return {
        "account_id": account_id,
        "position_key": str(position.get("id")),
        "symbol": str(position.get("symbol")),
        "as_of": as_of,
    }


def order_identity(order: Mapping[str, Any], account_id: str) -> dict[str, Any]:
    """What names a pending order that could not be read (for its quarantine row)."""
    return {"account_id": account_id, "order_id": str(order.get("id"))}


def position_row(
    position: Mapping[str, Any],
    *,
    account_id: str,
    currency: str,
    contract_sizes: Mapping[str, Decimal],
    as_of: datetime,
) -> dict[str, Any]:
    symbol = str(position["symbol"])
    raw_side = str(position.get("type") or "").upper()
    return {
        "account_id": account_id,
        "position_key": str(position["id"]),
        "as_of": as_of,
        "symbol": symbol,
        "instrument_type": instrument_type(symbol).value,
        "raw_instrument_type": None,
        "side": POSITION_SIDES.get(raw_side, PositionSide.OTHER).value,
        "quantity": to_decimal(position["volume"]),
        "contract_size": contract_sizes.get(symbol),
        "average_cost": to_decimal(position.get("openPrice")),
        "market_price": to_decimal(position.get("currentPrice")),
        "market_value": None,
        "cost_basis": None,
        "unrealized_pnl": _sum(
            position.get("profit"), position.get("swap"), position.get("commission")
        ),
        "currency": currency,
    }


def _order_type(raw: str) -> OrderType:
    if raw.endswith("_STOP_LIMIT"):
        return OrderType.STOP_LIMIT
    if raw.endswith("_LIMIT"):
        return OrderType.LIMIT
    if raw.endswith("_STOP"):
        return OrderType.STOP
    return OrderType.OTHER


def _unset(value: object) -> Decimal | None:
    """MT writes an unset price level as 0."""
    number = to_decimal(value)
    return None if number is None or number == 0 else number


def pending_order_row(
    order: Mapping[str, Any], *, account_id: str, currency: str
) -> dict[str, Any]:
    raw_type = str(order.get("type") or "").upper()
    kind = _order_type(raw_type)
    price = to_decimal(order.get("openPrice"))
    stop_limit = _unset(order.get("stopLimitPrice"))
    raw_status = str(order.get("status") or "PLACED")
    symbol = str(order["symbol"])
    expiration = to_utc(order.get("expiration"))
    return {
        **_order_base(
            account_id, str(order.get("exchangeOperationId") or order["id"]), symbol, currency
        ),
        "side": SIDES.get(raw_type.split("_")[0], OrderSide.OTHER).value,
        "raw_side": raw_type.split("_")[0] or None,
        "order_type": kind.value,
        "raw_order_type": raw_type or None,
        "time_in_force": (TimeInForce.GTD if expiration else TimeInForce.GTC).value,
        "status": ORDER_STATUS.get(raw_status.upper(), OrderStatus.OTHER).value,
        "raw_status": raw_status,
        "quantity": to_decimal(order.get("volume")),
        "filled_quantity": Decimal(0),
        "limit_price": stop_limit
        if kind == OrderType.STOP_LIMIT
        else price
        if kind == OrderType.LIMIT
        else None,
        "stop_price": price if kind in (OrderType.STOP, OrderType.STOP_LIMIT) else None,
        "average_fill_price": None,
        "submitted_at": to_utc(order.get("createdAt")),
        "filled_at": None,
        "updated_at": to_utc(order.get("updatedAt") or order.get("createdAt")),
    }


def is_trade(record: Mapping[str, Any]) -> bool:
    """A summary record that is a closed trade (not a balance operation)."""
    return str(record.get("type") or "").upper() in SIDES


def trade_rows(
    record: Mapping[str, Any], *, account_id: str, currency: str
) -> list[dict[str, Any]]:
    """A closed trade's two fills: the one that opened it and the one that closed it."""
    ticket = str(record["exchangeOperationId"])
    symbol = str(record["symbol"])
    raw_side = str(record["type"]).upper()
    volume = to_decimal(record.get("volume"))
    closing_side = "SELL" if raw_side == "BUY" else "BUY"
    fills = (
        (ticket, None, raw_side, record.get("openPrice"), record.get("openedAt")),
        (
            ticket + CLOSE_SUFFIX,
            ticket,
            closing_side,
            record.get("closePrice"),
            record.get("closedAt"),
        ),
    )
    # The trade's commission (MT charges it on the ticket), on the fill that opened it.
    commission = to_decimal(record.get("commission"))
    rows = []
    for order_id, parent, side, price, at in fills:
        moment = to_utc(at)
        rows.append(
            {
                **_order_base(account_id, order_id, symbol, currency),
                "parent_order_id": parent,
                "side": SIDES[side].value,
                "raw_side": side,
                "order_type": OrderType.MARKET.value,
                "raw_order_type": raw_side,
                "time_in_force": TimeInForce.OTHER.value,  # not reported for market fills
                "status": OrderStatus.FILLED.value,
                "raw_status": str(record.get("status") or "CLOSED"),
                "quantity": volume,
                "filled_quantity": volume,
                "limit_price": None,
                "stop_price": None,
                "average_fill_price": to_decimal(price),
                "commission": commission if parent is None else None,
                "submitted_at": moment,
                "filled_at": moment,
                "updated_at": moment,
            }
        )
    return rows


def _order_base(account_id: str, order_id: str, symbol: str, currency: str) -> dict[str, Any]:
    return {
        "account_id": account_id,
        "order_id": order_id,
        "parent_order_id": None,
        "client_order_id": None,
        "order_class": OrderClass.SIMPLE.value,  # MT orders stand alone
        "raw_order_class": None,
        "symbol": symbol,
        "instrument_type": instrument_type(symbol).value,
        "raw_instrument_type": None,
        "raw_time_in_force": None,
        "notional": None,
        "canceled_at": None,
        "currency": currency,
    }
