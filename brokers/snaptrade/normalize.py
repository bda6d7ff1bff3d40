"""SnapTrade JSON -> canonical rows (no lineage columns; see brokers.frames).

SnapTrade speaks for many brokerages, so its vocabularies are open: order types and times
in force are free strings, and whatever is not recognised lands as `other` beside the raw
value. Positions report per-share prices (options too), so values are rebuilt exactly as
units x price x the option's multiplier.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from brokers.frames import Row, Unreadable, position_key, salvage
from brokers.parse import mask_account_number, to_decimal, to_utc
from brokers.snaptrade.vocabulary import (
    ACCOUNT_STATUS,
    ACCOUNT_TYPE,
    INSTRUMENT_KIND,
    ORDER_ACTION,
    ORDER_STATUS,
    ORDER_TYPE,
    SECURITY_TYPE,
    TIME_IN_FORCE,
    lookup,
)
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

CONNECTION_TYPE = {"read": ConnectionType.READ, "trade": ConnectionType.TRADE}
CANCELED = OrderStatus.CANCELED.value


def user_row(user_id: str) -> dict[str, Any]:
    return {"user_id": user_id, "created_at": None, "user_kind": UserKind.BROKER.value}


def connection_row(authorization: Mapping[str, Any], *, user_id: str) -> dict[str, Any]:
    """A brokerage authorization. A disabled one keeps serving its last cached data."""
    brokerage = authorization.get("brokerage") or {}
    disabled = bool(authorization.get("disabled"))
    raw_type = authorization.get("type")
    return {
        "connection_id": str(authorization["id"]),
        "user_id": user_id,
        "institution": _text(
            brokerage.get("display_name") or brokerage.get("name") or authorization.get("name")
        ),
        "connection_type": CONNECTION_TYPE.get(str(raw_type).lower(), ConnectionType.OTHER).value,
        "raw_connection_type": raw_type,
        "status": (ConnectionStatus.DISABLED if disabled else ConnectionStatus.ACTIVE).value,
        "raw_status": "disabled" if disabled else "enabled",
        "created_at": to_utc(authorization.get("created_date")),
        "disabled_at": to_utc(authorization.get("disabled_date")) if disabled else None,
    }


def account_currency(account: Mapping[str, Any]) -> str | None:
    """The account's base currency: the currency SnapTrade totals it in."""
    total = (account.get("balance") or {}).get("total") or {}
    currency = total.get("currency")
    return str(currency).upper() if currency else None


def account_row(account: Mapping[str, Any], *, user_id: str) -> dict[str, Any]:
    raw_type = account.get("raw_type")
    raw_status = account.get("status")
    return {
        "account_id": str(account["id"]),
        "connection_id": _text(account.get("brokerage_authorization")),
        "user_id": user_id,
        "institution": _text(account.get("institution_name")),
        "account_number_masked": mask_account_number(account.get("number")),
        "name": account.get("name"),
        "account_type": lookup(ACCOUNT_TYPE, raw_type, AccountType.OTHER),
        "raw_account_type": raw_type,
        "status": lookup(ACCOUNT_STATUS, raw_status, AccountStatus.OTHER),
        "raw_status": raw_status,
        "base_currency": account_currency(account),
        "is_paper": bool(account.get("is_paper")),
        "created_at": to_utc(account.get("created_date")),
    }


def holdings_as_of(account: Mapping[str, Any]) -> datetime | None:
    """When SnapTrade last synced the account's holdings (a disabled connection's stops)."""
    holdings = (account.get("sync_status") or {}).get("holdings") or {}
    return to_utc(holdings.get("last_successful_sync"))


def balance_rows(
    balances: Iterable[Mapping[str, Any]], *, account_id: str, as_of: datetime, day: datetime
) -> list[dict[str, Any]]:
    """One row per currency. SnapTrade reports cash and buying power, not equity."""
    return [
        {
            "account_id": account_id,
            "currency": _currency_code(balance.get("currency")),
            "as_of_date": day.date(),
            "as_of": as_of,
            "cash": to_decimal(balance.get("cash")),
            "buying_power": to_decimal(balance.get("buying_power")),
            "equity": None,
        }
        for balance in balances
    ]


def position_row(
    position: Mapping[str, Any], *, account_id: str, as_of: datetime, day: datetime
) -> dict[str, Any]:
    instrument = position.get("instrument") or {}
    kind = instrument.get("kind")
    instrument_type = lookup(INSTRUMENT_KIND, kind, InstrumentType.OTHER)
    currency = str(position.get("currency") or instrument.get("currency") or "").upper()
    symbol = instrument_symbol(instrument_type, instrument.get("symbol"), currency)
    units = to_decimal(position.get("units"))
    price = to_decimal(position.get("price"))
    average_cost = to_decimal(position.get("cost_basis"))
    contract_size = (
        to_decimal(instrument.get("multiplier"))
        if instrument_type == InstrumentType.OPTION.value
        else None
    )
    scale = contract_size or Decimal(1)
    market_value = None if units is None or price is None else units * price * scale
    cost_basis = None if units is None or average_cost is None else units * average_cost * scale
    return {
        "account_id": account_id,
        "position_key": position_key(symbol, instrument_type),
        "as_of_date": day.date(),
        "as_of": as_of,
        "symbol": symbol,
        "instrument_type": instrument_type,
        "raw_instrument_type": kind,
        "side": _side(units),
        "quantity": None if units is None else abs(units),
        "contract_size": contract_size,
        "average_cost": average_cost,
        "market_price": price,
        "market_value": market_value,
        "cost_basis": cost_basis,
        "unrealized_pnl": (
            None if market_value is None or cost_basis is None else market_value - cost_basis
        ),
        "currency": currency,
    }


def order_rows(
    orders: Iterable[Mapping[str, Any]], *, account_id: str, currency: str | None
) -> list[Row | Unreadable]:
    """One row per order record (SnapTrade lists each bracket leg as its own record);
    a leg points at the order whose `child_brokerage_order_ids` name it."""
    orders = list(orders)
    parents = {
        str(child): str(order.get("brokerage_order_id"))
        for order in orders
        for child in (order.get("child_brokerage_order_ids") or {}).values()
        if child
    }
    return salvage(
        orders,
        lambda order: _order_row(order, account_id=account_id, currency=currency, parents=parents),
        lambda order: {
            "account_id": account_id,
            "order_id": _text(order.get("brokerage_order_id")),
        },
    )


def _order_row(
    order: Mapping[str, Any],
    *,
    account_id: str,
    currency: str | None,
    parents: Mapping[str, str],
) -> dict[str, Any]:
    order_id = _text(order.get("brokerage_order_id"))
    option = order.get("option_symbol")
    universal = order.get("universal_symbol") or {}
    if option:
        instrument_type = InstrumentType.OPTION.value
        raw_instrument_type = "option"
        symbol_currency = _currency_code((option.get("underlying_symbol") or {}).get("currency"))
        symbol = instrument_symbol(instrument_type, option.get("ticker"), symbol_currency)
    else:
        raw_instrument_type = (universal.get("type") or {}).get("code")
        instrument_type = lookup(SECURITY_TYPE, raw_instrument_type, InstrumentType.OTHER)
        symbol_currency = _currency_code(order.get("quote_currency")) or _currency_code(
            universal.get("currency")
        )
        symbol = instrument_symbol(instrument_type, universal.get("symbol"), symbol_currency)
    status = lookup(ORDER_STATUS, order.get("status"), OrderStatus.OTHER)
    placed = to_utc(order.get("time_placed"))
    updated = to_utc(order.get("time_updated")) or placed
    group = order.get("brokerage_group_order_id")
    parent = parents.get(order_id) or (
        str(group)
        if group and str(group) != order_id and order.get("order_role") not in (None, "TRIGGER")
        else None
    )
    return {
        "account_id": account_id,
        "order_id": order_id,
        "parent_order_id": parent,
        "client_order_id": None,
        "symbol": symbol,
        "instrument_type": instrument_type,
        "raw_instrument_type": raw_instrument_type,
        "side": lookup(ORDER_ACTION, order.get("action"), OrderSide.OTHER),
        "raw_side": order.get("action"),
        "order_type": lookup(ORDER_TYPE, order.get("order_type"), OrderType.OTHER),
        "raw_order_type": order.get("order_type"),
        "time_in_force": lookup(TIME_IN_FORCE, order.get("time_in_force"), TimeInForce.OTHER),
        "raw_time_in_force": order.get("time_in_force"),
        "status": status,
        "raw_status": order.get("status"),
        "quantity": to_decimal(order.get("total_quantity")),
        "notional": None,
        "filled_quantity": to_decimal(order.get("filled_quantity")) or Decimal(0),
        "limit_price": to_decimal(order.get("limit_price")),
        "stop_price": to_decimal(order.get("stop_price")),
        "average_fill_price": to_decimal(order.get("execution_price")),
        "submitted_at": placed,
        "filled_at": to_utc(order.get("time_executed")),
        "canceled_at": updated if status == CANCELED else None,
        "updated_at": updated,
        "currency": _currency_code(_order_currency(order)) or symbol_currency or currency,
    }


def instrument_symbol(instrument_type: str, raw: object, currency: str | None) -> str | None:
    """The canonical symbol: OCC option symbols without padding, crypto as BASE/QUOTE."""
    if raw is None:
        return None
    text = str(raw).strip()
    if instrument_type == InstrumentType.OPTION.value:
        return text.replace(" ", "")
    if instrument_type == InstrumentType.CRYPTO.value:
        for separator in ("/", "-"):
            if separator in text:
                base, quote = text.split(separator, 1)
                return f"{base}/{quote}"
        return f"{text}/{currency}" if currency else text
    return text


def _order_currency(order: Mapping[str, Any]) -> object:
    """The currency an order's prices are in: the quote currency for crypto pairs."""
    return order.get("quote_currency") or (order.get("universal_symbol") or {}).get("currency")


def _currency_code(currency: object) -> str | None:
    """SnapTrade sends a currency as an object `{id, code, name}` or as a bare code."""
    if isinstance(currency, Mapping):
        currency = currency.get("code")
    return str(currency).upper() if currency else None


def _text(value: object) -> str | None:
    """A required text field; a missing one stays None, so the row fails its contract and
    is quarantined rather than landing as the string 'None'."""
    return None if value is None else str(value)


def _side(units: Decimal | None) -> str:
    if units is None:
        return PositionSide.OTHER.value
    return (PositionSide.SHORT if units < 0 else PositionSide.LONG).value
