"""SnapTrade JSON -> canonical rows (no lineage columns; see brokers.frames).

SnapTrade speaks for many brokerages, so its vocabularies are open: order types and times
in force are free strings, and whatever is not recognised lands as `other` beside the raw
value. Positions report per-unit prices (per share for an option, per point for a
future), so values are rebuilt exactly as units x price x the instrument's multiplier,
for every instrument that has one.

SnapTrade has no order class: it is derived from the order's group (a trigger with a
take-profit and a stop-loss child is a bracket, with one child an OTO, a peer an OCO).
Nor does it date cancels, expiries or rejections: each is the order's last update.
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
    OrderClass,
    OrderSide,
    OrderStatus,
    OrderType,
    PositionSide,
    TimeInForce,
    UserKind,
)

CONNECTION_TYPE = {"read": ConnectionType.READ, "trade": ConnectionType.TRADE}
# The order's last update is when it reached each of these (SnapTrade gives no other time).
STAMPED_STATUSES = {
    OrderStatus.CANCELED.value: "canceled_at",
    OrderStatus.EXPIRED.value: "expired_at",
    OrderStatus.REJECTED.value: "failed_at",
}
# TrailingStop.type -> the column its amount lands in.
TRAIL = {"PERCENT": "trail_percent", "DOLLAR": "trail_price"}


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
    balances: Iterable[Mapping[str, Any]],
    *,
    account_id: str,
    as_of: datetime,
    day: datetime,
    total: Mapping[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """One row per currency: cash and buying power. The account's total value
    (`/accounts`' `balance.total`, straight from the brokerage) is the equity of the row
    in its currency (a row of its own when /balances lists no cash in it)."""
    rows = [
        {
            "account_id": account_id,
            "currency": currency_code(balance.get("currency")),
            "as_of_date": day.date(),
            "as_of": as_of,
            "cash": to_decimal(balance.get("cash")),
            "buying_power": to_decimal(balance.get("buying_power")),
            "equity": None,
        }
        for balance in balances
    ]
    total = total or {}
    currency = currency_code(total.get("currency"))
    equity = to_decimal(total.get("amount"))
    if currency is None or equity is None:
        return rows
    row = next((row for row in rows if row["currency"] == currency), None)
    if row is None:
        row = {"account_id": account_id, "currency": currency, "as_of_date": day.date()}
        row.update(as_of=as_of, cash=None, buying_power=None)
        rows.append(row)
    row["equity"] = equity
    return rows


def account_total(account: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The account's total value and its currency (`balance.total`), as listed."""
    return (account.get("balance") or {}).get("total")


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
    contract_size = to_decimal(instrument.get("multiplier"))  # options, futures
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
    classes = {
        str(order.get("brokerage_order_id")): _group_class(order)
        for order in orders
        if order.get("child_brokerage_order_ids")
    }
    return salvage(
        orders,
        lambda order: _order_row(
            order, account_id=account_id, currency=currency, parents=parents, classes=classes
        ),
        lambda order: {
            "account_id": account_id,
            "order_id": _text(order.get("brokerage_order_id")),
        },
    )


def _group_class(trigger: Mapping[str, Any]) -> str:
    """A trigger's group: take-profit and stop-loss children make a bracket, one an OTO."""
    children = [c for c in (trigger.get("child_brokerage_order_ids") or {}).values() if c]
    return (OrderClass.BRACKET if len(children) >= 2 else OrderClass.OTO).value


def _order_class(
    order: Mapping[str, Any], order_id: str | None, parent: str | None, classes: Mapping[str, str]
) -> str:
    """Its group's class (the trigger's, for a child), an OCO for a peer; simple alone."""
    known = classes.get(order_id or "") or classes.get(parent or "")
    if known is not None:
        return known
    role = str(order.get("order_role") or "").upper()
    if role == "PEER":
        return OrderClass.OCO.value
    if role or order.get("brokerage_group_order_id"):
        return OrderClass.OTHER.value
    return OrderClass.SIMPLE.value


def _trail(order: Mapping[str, Any]) -> dict[str, Any]:
    """A trailing stop's amount, as a percentage or a price by its type."""
    trailing = order.get("trailing_stop") or {}
    column = TRAIL.get(str(trailing.get("type") or "").upper())
    trail = dict.fromkeys(TRAIL.values())
    if column is not None:
        trail[column] = to_decimal(trailing.get("amount"))
    return trail


def _order_row(
    order: Mapping[str, Any],
    *,
    account_id: str,
    currency: str | None,
    parents: Mapping[str, str],
    classes: Mapping[str, str],
) -> dict[str, Any]:
    order_id = _text(order.get("brokerage_order_id"))
    option = order.get("option_symbol")
    universal = order.get("universal_symbol") or {}
    if option:
        instrument_type = InstrumentType.OPTION.value
        raw_instrument_type = "option"
        symbol_currency = currency_code((option.get("underlying_symbol") or {}).get("currency"))
        symbol = instrument_symbol(instrument_type, option.get("ticker"), symbol_currency)
    else:
        raw_instrument_type = (universal.get("type") or {}).get("code")
        instrument_type = lookup(SECURITY_TYPE, raw_instrument_type, InstrumentType.OTHER)
        symbol_currency = currency_code(_order_currency(order))
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
    stamped = STAMPED_STATUSES.get(status)
    return {
        "account_id": account_id,
        "order_id": order_id,
        "parent_order_id": parent,
        "client_order_id": None,
        "order_class": _order_class(order, order_id, parent, classes),
        "raw_order_class": None,  # SnapTrade has none: derived from the order's group
        "replaces_order_id": None,
        "replaced_by_order_id": None,
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
        **_trail(order),
        "average_fill_price": to_decimal(order.get("execution_price")),
        "submitted_at": placed,
        "filled_at": to_utc(order.get("time_executed")),
        **{column: updated if column == stamped else None for column in STAMPED_STATUSES.values()},
        "updated_at": updated,
        "currency": currency_code(_order_currency(order)) or symbol_currency or currency,
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
    """The currency an order's prices are in: the quote currency for crypto pairs (a fiat
    one, or a crypto one: ETH/BTC is priced in BTC)."""
    return (
        order.get("quote_currency")
        or (order.get("quote_universal_symbol") or {}).get("symbol")
        or (order.get("universal_symbol") or {}).get("currency")
    )


def currency_code(currency: object) -> str | None:
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
