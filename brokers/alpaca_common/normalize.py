"""Alpaca's records, as both its APIs serve them, -> canonical rows (no lineage columns;
see brokers.frames).

Prices and values are in the account's currency: USD, or with Local Currency Trading
the account's own (JPY, EUR, ...), whose USD figures (`usd`) and exchange rate
(`swap_rate`) are kept beside them. A crypto pair is `BASE/QUOTE` in every table: Alpaca
names a position `BTCUSD` and its orders `BTC/USD`. A multi-leg (`mleg`) parent names no
symbol, side or asset class: its symbol is its legs' symbols joined by `+`, its
instrument type its first leg's, its side `other` unless the API gives one (each leg has
its own).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from brokers.frames import position_key
from brokers.parse import required, to_decimal, to_utc
from schemas import (
    AccountStatus,
    InstrumentType,
    OrderClass,
    OrderSide,
    OrderStatus,
    OrderType,
    PositionSide,
    TimeInForce,
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

# "" and absent are a simple order (the spec: "simple (or \"\")").
ORDER_CLASS = {"": OrderClass.SIMPLE} | {
    value.value: value for value in OrderClass if value is not OrderClass.OTHER
}
ORDER_TYPE = {value.value: value for value in OrderType if value is not OrderType.OTHER}
TIME_IN_FORCE = {value.value: value for value in TimeInForce if value is not TimeInForce.OTHER}
POSITION_SIDE = {"long": PositionSide.LONG, "short": PositionSide.SHORT}
CRYPTO_CLASSES = ("crypto", "crypto_perp")
# A crypto pair written without its slash (BTCUSD, ETHBTC): base, then one of Alpaca's
# quote currencies.
UNSLASHED_PAIR = r"^(.+?)(USDT|USDC|USD|BTC)$"
_UNSLASHED_PAIR = re.compile(UNSLASHED_PAIR)
LEG_SEPARATOR = "+"
# Position figures in the account's currency <- the API's field (also under `usd`).
POSITION_FIGURES = {
    "average_cost": "avg_entry_price",
    "market_price": "current_price",
    "market_value": "market_value",
    "cost_basis": "cost_basis",
    "unrealized_pnl": "unrealized_pl",
}
# An LCT order's USD figures (`usd`) <- the field holding each in the account's currency.
ORDER_USD_FIGURES = {
    "usd_notional": "notional",
    "usd_limit_price": "limit_price",
    "usd_stop_price": "stop_price",
    "usd_average_fill_price": "filled_avg_price",
}


def canonical(mapping: Mapping[str, Any], raw: object, default: Any) -> str:
    """The canonical value for a raw one, or `other`: a new broker value never fails a run."""
    return str(mapping.get(str(raw).lower() if isinstance(raw, str) else raw, default))


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


def crypto_pair(symbol: str, asset_class: object) -> str:
    """A crypto symbol as `BASE/QUOTE` (Alpaca lists positions as `BTCUSD`); any other
    symbol as it is."""
    if str(asset_class or "").lower() not in CRYPTO_CLASSES or "/" in symbol:
        return symbol
    pair = _UNSLASHED_PAIR.match(symbol)
    return symbol if pair is None else f"{pair[1]}/{pair[2]}"


def usd_figures(record: Mapping[str, Any]) -> Mapping[str, Any]:
    """An LCT record's USD figures (`usd`), or nothing; TypeError when `usd` is not an
    object (the record is quarantined)."""
    usd = record.get("usd")
    if usd is None:
        return {}
    if not isinstance(usd, Mapping):
        raise TypeError(f"usd: not an object: {usd!r}")
    return usd


def position_row(
    position: Mapping[str, Any], *, account_id: str, as_of: datetime, currency: str
) -> dict[str, Any]:
    raw_class = position.get("asset_class")
    instrument_type = canonical(ASSET_CLASS, raw_class, InstrumentType.OTHER)
    quantity = to_decimal(position.get("qty"))
    symbol = crypto_pair(str(position["symbol"]), raw_class)
    usd = usd_figures(position)
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
        **{column: to_decimal(position.get(field)) for column, field in POSITION_FIGURES.items()},
        "currency": currency,
        "swap_rate": to_decimal(position.get("swap_rate")),
        **{f"usd_{name}": to_decimal(usd.get(field)) for name, field in POSITION_FIGURES.items()},
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


def order_records(
    order: Mapping[str, Any], parent_order_id: str | None = None
) -> Iterator[tuple[Mapping[str, Any], str | None]]:
    """The order, then each of its legs (nested=true) and theirs, each with its parent's
    id. Each is read on its own (`order_row`), so a parent that cannot be read keeps its
    legs; the legs of a parent without an id stay in its quarantined record."""
    yield order, parent_order_id
    legs = order.get("legs") if isinstance(order, Mapping) else None
    if isinstance(legs, list) and order.get("id") is not None:
        for leg in legs:
            if isinstance(leg, Mapping):
                yield from order_records(leg, str(order["id"]))


def _legs(order: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    legs = order.get("legs")
    return [leg for leg in legs if isinstance(leg, Mapping)] if isinstance(legs, list) else []


def leg_symbols(order: Mapping[str, Any]) -> str | None:
    """A multi-leg order's symbol: its legs' symbols, in order, joined by `+`."""
    symbols = [str(leg["symbol"]) for leg in _legs(order) if leg.get("symbol") not in (None, "")]
    return LEG_SEPARATOR.join(symbols) or None


def leg_asset_class(order: Mapping[str, Any]) -> str | None:
    """A multi-leg order's asset class: its first leg's."""
    legs = _legs(order)
    return (legs[0].get("asset_class") or None) if legs else None


def order_row(
    order: Mapping[str, Any], *, account_id: str, currency: str, parent_order_id: str | None
) -> dict[str, Any]:
    """One order (or leg) of `order_records`, its legs apart."""
    legs = order.get("legs")
    if legs is not None and not (
        isinstance(legs, list) and all(isinstance(leg, Mapping) for leg in legs)
    ):
        raise TypeError(f"legs: not a list of orders: {legs!r:.80}")
    raw_class = order.get("asset_class")
    raw_order_class = order.get("order_class")
    raw_type = order.get("type") or order.get("order_type")
    raw_status = order.get("status")
    raw_tif = order.get("time_in_force")
    submitted_at = to_utc(order.get("submitted_at")) or to_utc(order.get("created_at"))
    symbol = order.get("symbol")
    if symbol in (None, ""):
        symbol = leg_symbols(order) or symbol
    if symbol is None:
        raise KeyError("symbol")
    usd = usd_figures(order)
    return {
        "account_id": account_id,
        "order_id": required(order, "id"),
        "parent_order_id": parent_order_id,
        "client_order_id": order.get("client_order_id"),
        "order_class": canonical(ORDER_CLASS, raw_order_class or "", OrderClass.OTHER),
        "raw_order_class": raw_order_class,
        "replaces_order_id": order.get("replaces"),
        "replaced_by_order_id": order.get("replaced_by"),
        "symbol": crypto_pair(str(symbol), raw_class),
        "instrument_type": canonical(
            ASSET_CLASS, raw_class or leg_asset_class(order), InstrumentType.OTHER
        ),
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
        "ratio_quantity": to_decimal(order.get("ratio_qty")),
        "notional": to_decimal(order.get("notional")),
        "filled_quantity": to_decimal(order.get("filled_qty")) or to_decimal("0"),
        "limit_price": to_decimal(order.get("limit_price")),
        "stop_price": to_decimal(order.get("stop_price")),
        "trail_percent": to_decimal(order.get("trail_percent")),
        "trail_price": to_decimal(order.get("trail_price")),
        "high_water_mark": to_decimal(order.get("hwm")),
        "average_fill_price": to_decimal(order.get("filled_avg_price")),
        "commission": to_decimal(order.get("commission")),
        "submitted_at": submitted_at,
        "filled_at": to_utc(order.get("filled_at")),
        "canceled_at": to_utc(order.get("canceled_at")),
        "expired_at": to_utc(order.get("expired_at")),
        "failed_at": to_utc(order.get("failed_at")),
        "updated_at": to_utc(order.get("updated_at")) or submitted_at,
        "currency": currency,
        "swap_rate": to_decimal(order.get("swap_rate")),
        **{column: to_decimal(usd.get(field)) for column, field in ORDER_USD_FIGURES.items()},
    }
