"""World records as Alpaca Trading API v2 JSON (Account, Position, Order).

Field names and types follow the Trading API OpenAPI spec: every decimal is a string,
order timestamps carry nanoseconds, and the account's created_at is written at a -05:00
offset (the API promises only "an offset", so clients must not assume 'Z').

World account status -> Alpaca AccountStatus: active -> ACTIVE, restricted -> LIMITED
(trading blocked), closed -> ACCOUNT_CLOSED (trading, transfers and the account blocked).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sandbox.alpaca_trading.wire import (
    decimal_text,
    offset_timestamp,
    optional_decimal,
    order_timestamp,
)
from sandbox.world import Account, Balance, Order, Position

ASSET_CLASS = {"equity": "us_equity", "etf": "us_equity", "option": "us_option", "crypto": "crypto"}
ACCOUNT_STATUS = {"active": "ACTIVE", "restricted": "LIMITED", "closed": "ACCOUNT_CLOSED"}
CREATED_AT_OFFSET_HOURS = -5
RATIO = Decimal("0.0000000001")
CENT = Decimal("0.01")
ZERO = Decimal(0)


def _ratio(numerator: Decimal, denominator: Decimal) -> str:
    """A fraction "by a factor of 1" (0.2 means 20 %), to ten places."""
    if denominator == 0:
        return "0"
    return decimal_text((numerator / denominator).quantize(RATIO))


def _cents(value: Decimal) -> str:
    return decimal_text(value.quantize(CENT))


def account_json(account: Account, balance: Balance, positions: list[Position]) -> dict[str, Any]:
    margin = account.account_type == "margin"
    gross = sum((abs(p.market_value) for p in positions), ZERO)
    last_gross = sum((abs(p.quantity * p.lastday_price) for p in positions), ZERO)
    equity = balance.equity
    status = ACCOUNT_STATUS.get(account.status, "INACTIVE")
    regt = max(equity * min(account.multiplier, Decimal(2)), ZERO) if margin else balance.cash
    daytrading = balance.buying_power if account.multiplier == 4 else ZERO
    cash_power = max(balance.cash, ZERO)
    options_level = 3 if account.is_paper else 2
    return {
        "id": account.account_id,
        "account_number": account.account_number,
        "status": status,
        "crypto_status": status,
        "currency": account.base_currency,
        "cash": decimal_text(balance.cash),
        "buying_power": decimal_text(balance.buying_power),
        "regt_buying_power": decimal_text(max(regt, ZERO)),
        "daytrading_buying_power": decimal_text(daytrading),
        "effective_buying_power": decimal_text(balance.buying_power),
        "non_marginable_buying_power": decimal_text(cash_power),
        "options_buying_power": decimal_text(cash_power),
        "equity": decimal_text(equity),
        "last_equity": decimal_text(balance.last_equity),
        "portfolio_value": decimal_text(equity),
        "long_market_value": decimal_text(balance.long_market_value),
        "short_market_value": decimal_text(balance.short_market_value),
        "initial_margin": _cents(gross / 2) if margin else "0",
        "maintenance_margin": _cents(gross * Decimal("0.3")) if margin else "0",
        "last_maintenance_margin": _cents(last_gross * Decimal("0.3")) if margin else "0",
        "sma": decimal_text(equity) if margin else "0",
        "multiplier": decimal_text(account.multiplier),
        "accrued_fees": "0",
        "pending_transfer_in": "0",
        "pending_transfer_out": "0",
        "pending_reg_taf_fees": "0",
        "intraday_adjustments": "0",
        "daytrade_count": 0,
        "pattern_day_trader": False,
        "balance_asof": (balance.as_of - timedelta(days=1)).date().isoformat(),
        "created_at": offset_timestamp(account.created_at, CREATED_AT_OFFSET_HOURS),
        "trading_blocked": account.status != "active",
        "transfers_blocked": account.status == "closed",
        "account_blocked": account.status == "closed",
        "trade_suspended_by_user": False,
        "shorting_enabled": margin and account.status == "active",
        "options_approved_level": options_level,
        "options_trading_level": options_level,
    }


def position_json(position: Position) -> dict[str, Any]:
    instrument = position.instrument
    signed = position.signed_quantity
    intraday = signed * (position.market_price - position.lastday_price)
    return {
        "asset_id": instrument.asset_id,
        "symbol": instrument.symbol,
        "exchange": instrument.exchange,
        "asset_class": ASSET_CLASS[instrument.kind],
        "asset_marginable": instrument.kind in ("equity", "etf"),
        "qty": decimal_text(signed),
        "qty_available": decimal_text(signed),
        "avg_entry_price": decimal_text(position.average_cost),
        "side": position.side,
        "market_value": decimal_text(position.market_value),
        "cost_basis": decimal_text(position.cost_basis),
        "unrealized_pl": decimal_text(position.unrealized_pnl),
        "unrealized_plpc": _ratio(position.unrealized_pnl, abs(position.cost_basis)),
        "unrealized_intraday_pl": decimal_text(intraday),
        "unrealized_intraday_plpc": _ratio(intraday, abs(signed * position.lastday_price)),
        "current_price": decimal_text(position.market_price),
        "lastday_price": decimal_text(position.lastday_price),
        "change_today": _ratio(
            position.market_price - position.lastday_price, position.lastday_price
        ),
    }


def order_json(order: Order, legs: list[Order] | None = None) -> dict[str, Any]:
    """One order; `legs` (nested=true) are rendered under it, else `legs` is null."""

    def stamp(moment: datetime | None) -> str | None:
        return order_timestamp(order.account_id, moment)

    instrument = order.instrument
    return {
        "id": order.order_id,
        "client_order_id": order.client_order_id,
        "created_at": stamp(order.created_at),
        "updated_at": stamp(order.updated_at),
        "submitted_at": stamp(order.submitted_at),
        "filled_at": stamp(order.filled_at),
        "expired_at": stamp(order.expired_at),
        "expires_at": stamp(order.expires_at),
        "canceled_at": stamp(order.canceled_at),
        "failed_at": stamp(order.failed_at),
        "replaced_at": stamp(order.replaced_at),
        "replaced_by": order.replaced_by,
        "replaces": order.replaces,
        "asset_id": instrument.asset_id,
        "symbol": instrument.symbol,
        "asset_class": ASSET_CLASS[instrument.kind],
        "notional": optional_decimal(order.notional),
        "qty": optional_decimal(order.quantity),
        "filled_qty": decimal_text(order.filled_quantity),
        "filled_avg_price": optional_decimal(order.filled_avg_price),
        "order_class": "" if order.order_class == "simple" else order.order_class,
        "order_type": order.order_type,
        "type": order.order_type,
        "side": order.side,
        "position_intent": order.position_intent,
        "time_in_force": order.time_in_force,
        "limit_price": optional_decimal(order.limit_price),
        "stop_price": optional_decimal(order.stop_price),
        "status": order.status,
        "extended_hours": order.extended_hours,
        "legs": None if legs is None else [order_json(leg) for leg in legs],
        "trail_percent": optional_decimal(order.trail_percent),
        "trail_price": None,
        "hwm": None,
        "source": None,
        "subtag": None,
    }
