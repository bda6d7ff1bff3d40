"""Alpaca Trading API JSON -> canonical rows (no lineage columns; see brokers.frames).

The user and the connection are derived from the key: one key, one account, so both take
the account's id.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from brokers.frames import position_key
from brokers.parse import mask_account_number, required, to_decimal, to_utc
from schemas import (
    AccountStatus,
    AccountType,
    ConnectionStatus,
    ConnectionType,
    InstrumentType,
    OrderSide,
    OrderStatus,
    OrderType,
    PositionSide,
    TimeInForce,
    UserKind,
)

INSTITUTION = "Alpaca"
CURRENCY = "USD"

ACCOUNT_STATUS = {
    "ACTIVE": AccountStatus.OPEN,
    "ACCOUNT_UPDATED": AccountStatus.OPEN,
    "PAPER_ONLY": AccountStatus.OPEN,
    "APPROVED": AccountStatus.PENDING,
    "ONBOARDING": AccountStatus.PENDING,
    "SUBMITTED": AccountStatus.PENDING,
    "APPROVAL_PENDING": AccountStatus.PENDING,
    "SUBMISSION_FAILED": AccountStatus.PENDING,
    "ACTION_REQUIRED": AccountStatus.RESTRICTED,
    "LIMITED": AccountStatus.RESTRICTED,
    "ACCOUNT_CLOSED": AccountStatus.CLOSED,
    "ACCOUNT_CLOSED_PENDING": AccountStatus.CLOSED,
    "INACTIVE": AccountStatus.CLOSED,
    "REJECTED": AccountStatus.CLOSED,
}

ASSET_CLASS = {
    "us_equity": InstrumentType.EQUITY,
    "us_option": InstrumentType.OPTION,
    "crypto": InstrumentType.CRYPTO,
    "crypto_perp": InstrumentType.CRYPTO,
}

ORDER_STATUS = {
    "pending_new": OrderStatus.PENDING,
    "accepted": OrderStatus.PENDING,
    "accepted_for_bidding": OrderStatus.PENDING,
    "pending_review": OrderStatus.PENDING,
    "held": OrderStatus.PENDING,
    "calculated": OrderStatus.PENDING,
    "new": OrderStatus.OPEN,
    "done_for_day": OrderStatus.OPEN,
    "pending_cancel": OrderStatus.OPEN,
    "pending_replace": OrderStatus.OPEN,
    "stopped": OrderStatus.OPEN,
    "suspended": OrderStatus.OPEN,
    "partially_filled": OrderStatus.PARTIALLY_FILLED,
    "filled": OrderStatus.FILLED,
    "canceled": OrderStatus.CANCELED,
    "expired": OrderStatus.EXPIRED,
    "rejected": OrderStatus.REJECTED,
    "replaced": OrderStatus.REPLACED,
}

ORDER_TYPE = {value.value: value for value in OrderType if value is not OrderType.OTHER}
TIME_IN_FORCE = {value.value: value for value in TimeInForce if value is not TimeInForce.OTHER}
POSITION_SIDE = {"long": PositionSide.LONG, "short": PositionSide.SHORT}


def canonical(mapping: Mapping[str, Any], raw: object, default: Any) -> str:
    """The canonical value for a raw one, or `other`: a new broker value never fails a run."""
    return str(mapping.get(str(raw).lower() if isinstance(raw, str) else raw, default))


def account_is_paper(account: Mapping[str, Any], base_url: str) -> bool:
    return "paper" in base_url or str(account.get("account_number", "")).startswith("PA")


def account_rows(
    account: Mapping[str, Any], *, base_url: str
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """(user, connection, account) rows for the key's account."""
    account_id = str(account["id"])
    created_at = to_utc(account.get("created_at"))
    raw_status = account.get("status")
    status = ACCOUNT_STATUS.get(str(raw_status), AccountStatus.OTHER)
    if status is AccountStatus.OPEN and (
        account.get("trading_blocked") or account.get("account_blocked")
    ):
        status = AccountStatus.RESTRICTED
    multiplier = to_decimal(account.get("multiplier"))
    account_type = (
        AccountType.OTHER
        if multiplier is None
        else AccountType.CASH
        if multiplier <= 1
        else AccountType.MARGIN
    )
    user = {"user_id": account_id, "created_at": created_at, "user_kind": UserKind.DERIVED.value}
    connection = {
        "connection_id": account_id,
        "user_id": account_id,
        "institution": INSTITUTION,
        "connection_type": ConnectionType.TRADE.value,  # an API key pair may trade
        "raw_connection_type": "api_key",
        "status": ConnectionStatus.ACTIVE.value,  # the key was just accepted
        "raw_status": "authorized",
        "created_at": None,
        "disabled_at": None,
    }
    row = {
        "account_id": account_id,
        "connection_id": account_id,
        "user_id": account_id,
        "institution": INSTITUTION,
        "account_number_masked": mask_account_number(account.get("account_number")),
        "name": None,
        "account_type": account_type.value,
        "raw_account_type": None if multiplier is None else f"multiplier={multiplier}",
        "status": status.value,
        "raw_status": None if raw_status is None else str(raw_status),
        "base_currency": str(account.get("currency") or CURRENCY).upper(),
        "is_paper": account_is_paper(account, base_url),
        "created_at": created_at,
    }
    return user, connection, row


def balance_row(account: Mapping[str, Any], *, as_of: datetime) -> dict[str, Any]:
    return {
        "account_id": str(account["id"]),
        "currency": str(account.get("currency") or CURRENCY).upper(),
        "as_of_date": as_of.date(),
        "as_of": as_of,
        "cash": to_decimal(account.get("cash")),
        "buying_power": to_decimal(account.get("buying_power")),
        "equity": to_decimal(account.get("equity")),
    }


def position_row(
    position: Mapping[str, Any], *, account_id: str, as_of: datetime
) -> dict[str, Any]:
    raw_class = position.get("asset_class")
    instrument_type = canonical(ASSET_CLASS, raw_class, InstrumentType.OTHER)
    quantity = to_decimal(position.get("qty"))
    symbol = str(position["symbol"])
    return {
        "account_id": account_id,
        "position_key": position_key(symbol, instrument_type),
        "as_of_date": as_of.date(),
        "as_of": as_of,
        "symbol": symbol,
        "instrument_type": instrument_type,
        "raw_instrument_type": raw_class,
        "side": canonical(POSITION_SIDE, position.get("side"), PositionSide.OTHER),
        "quantity": None if quantity is None else abs(quantity),
        "contract_size": None,
        "average_cost": to_decimal(position.get("avg_entry_price")),
        "market_price": to_decimal(position.get("current_price")),
        "market_value": to_decimal(position.get("market_value")),
        "cost_basis": to_decimal(position.get("cost_basis")),
        "unrealized_pnl": to_decimal(position.get("unrealized_pl")),
        "currency": CURRENCY,
    }


def order_side(order: Mapping[str, Any]) -> str:
    side = str(order.get("side") or "").lower()
    intent = str(order.get("position_intent") or "").lower()
    if side == "sell":
        return (OrderSide.SELL_SHORT if intent == "sell_to_open" else OrderSide.SELL).value
    if side == "buy":
        return (OrderSide.BUY_TO_COVER if intent == "buy_to_close" else OrderSide.BUY).value
    return OrderSide.OTHER.value


def position_identity(
    position: Mapping[str, Any], account_id: str, as_of: datetime
) -> dict[str, Any]:
    """What names a position that could not be read (for its quarantine row)."""
    return {
        "account_id": account_id,
        "symbol": str(position.get("symbol")),
        "position_key": str(position.get("symbol")),
        "as_of": as_of,
        "as_of_date": as_of.date(),
    }


def order_identity(order: Mapping[str, Any], account_id: str) -> dict[str, Any]:
    """What names an order that could not be read (for its quarantine row)."""
    return {"account_id": account_id, "order_id": str(order.get("id"))}


def order_rows(order: Mapping[str, Any], *, account_id: str) -> Iterator[dict[str, Any]]:
    """The order, then each of its legs (nested=true), each leg pointing at its parent."""
    yield _order_row(order, account_id=account_id, parent_order_id=None)
    for leg in order.get("legs") or ():
        yield from (
            {**row, "parent_order_id": row["parent_order_id"] or required(order, "id")}
            for row in order_rows(leg, account_id=account_id)
        )


def _order_row(
    order: Mapping[str, Any], *, account_id: str, parent_order_id: str | None
) -> dict[str, Any]:
    raw_class = order.get("asset_class")
    raw_type = order.get("type") or order.get("order_type")
    raw_status = order.get("status")
    raw_tif = order.get("time_in_force")
    submitted_at = to_utc(order.get("submitted_at")) or to_utc(order.get("created_at"))
    return {
        "account_id": account_id,
        "order_id": required(order, "id"),
        "parent_order_id": parent_order_id,
        "client_order_id": order.get("client_order_id"),
        "symbol": required(order, "symbol"),
        "instrument_type": canonical(ASSET_CLASS, raw_class, InstrumentType.OTHER),
        "raw_instrument_type": raw_class,
        "side": order_side(order),
        "raw_side": order.get("side"),
        "order_type": canonical(ORDER_TYPE, raw_type, OrderType.OTHER),
        "raw_order_type": raw_type,
        "time_in_force": canonical(TIME_IN_FORCE, raw_tif, TimeInForce.OTHER),
        "raw_time_in_force": raw_tif,
        "status": canonical(ORDER_STATUS, raw_status, OrderStatus.OTHER),
        "raw_status": raw_status,
        "quantity": to_decimal(order.get("qty")),
        "notional": to_decimal(order.get("notional")),
        "filled_quantity": to_decimal(order.get("filled_qty")) or to_decimal("0"),
        "limit_price": to_decimal(order.get("limit_price")),
        "stop_price": to_decimal(order.get("stop_price")),
        "average_fill_price": to_decimal(order.get("filled_avg_price")),
        "submitted_at": submitted_at,
        "filled_at": to_utc(order.get("filled_at")),
        "canceled_at": to_utc(order.get("canceled_at")),
        "updated_at": to_utc(order.get("updated_at")) or submitted_at,
        "currency": CURRENCY,
    }
