"""World records as Alpaca Trading API v2 JSON (Account, Position, Order).

Field names and types follow the Trading API OpenAPI spec: every decimal is a string,
order timestamps carry nanoseconds, and the account's created_at is written at a -05:00
offset (the API promises only "an offset", so clients must not assume 'Z').

World account status -> Alpaca AccountStatus: active -> ACTIVE, restricted -> LIMITED
(trading blocked), closed -> ACCOUNT_CLOSED (trading, transfers and the account blocked).

As the API does: a crypto position is named without its slash (`BTCUSD`) and its orders
with it (`BTC/USD`); a multi-leg parent has no symbol, side or asset class (`""`) and its
legs no type; a Local Currency Trading account's figures are in its currency, with the
USD ones under `usd` and the rate in `swap_rate`; an account whose API writes decimals
as JSON numbers gets `qty`, `notional`, `filled_qty` and `commission` that way.
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
from sandbox.exact_json import number
from sandbox.world import Account, Balance, Order, Position

ASSET_CLASS = {"equity": "us_equity", "etf": "us_equity", "option": "us_option", "crypto": "crypto"}
ACCOUNT_STATUS = {"active": "ACTIVE", "restricted": "LIMITED", "closed": "ACCOUNT_CLOSED"}
CREATED_AT_OFFSET_HOURS = -5
RATIO = Decimal("0.0000000001")
CENT = Decimal("0.01")
ZERO = Decimal(0)
COMMISSION = ZERO  # what the sandbox's orders are charged, where the API shows it


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


def _values(
    signed: Decimal,
    average_cost: Decimal,
    market_price: Decimal,
    lastday_price: Decimal,
    market_value: Decimal,
    cost_basis: Decimal,
    unrealized_pnl: Decimal,
) -> dict[str, Any]:
    """A position's figures (in the account's currency, or under `usd` in dollars)."""
    intraday = signed * (market_price - lastday_price)
    return {
        "avg_entry_price": decimal_text(average_cost),
        "market_value": decimal_text(market_value),
        "cost_basis": decimal_text(cost_basis),
        "unrealized_pl": decimal_text(unrealized_pnl),
        "unrealized_plpc": _ratio(unrealized_pnl, abs(cost_basis)),
        "unrealized_intraday_pl": decimal_text(intraday),
        "unrealized_intraday_plpc": _ratio(intraday, abs(signed * lastday_price)),
        "current_price": decimal_text(market_price),
        "lastday_price": decimal_text(lastday_price),
        "change_today": _ratio(market_price - lastday_price, lastday_price),
    }


def position_json(position: Position) -> dict[str, Any]:
    instrument = position.instrument
    signed = position.signed_quantity
    body = {
        "asset_id": instrument.asset_id,
        "symbol": instrument.symbol.replace("/", ""),  # BTCUSD: positions drop the slash
        "exchange": instrument.exchange,
        "asset_class": ASSET_CLASS[instrument.kind],
        "asset_marginable": instrument.kind in ("equity", "etf"),
        "qty": decimal_text(signed),
        "qty_available": decimal_text(signed),
        "side": position.side,
        **_values(
            signed,
            position.average_cost,
            position.market_price,
            position.lastday_price,
            position.market_value,
            position.cost_basis,
            position.unrealized_pnl,
        ),
    }
    usd = position.usd
    if usd is not None and position.swap_rate is not None:
        assert position.avg_entry_swap_rate is not None
        body["swap_rate"] = decimal_text(position.swap_rate)
        body["avg_entry_swap_rate"] = decimal_text(position.avg_entry_swap_rate)
        body["usd"] = _values(
            signed,
            usd.average_cost,
            usd.market_price,
            usd.lastday_price,
            usd.market_value,
            usd.cost_basis,
            usd.unrealized_pnl,
        )
    return body


def order_json(
    order: Order, legs: list[Order] | None = None, *, numbers: bool = False
) -> dict[str, Any]:
    """One order; `legs` (nested=true) are rendered under it, else `legs` is null.
    `numbers`: decimals as JSON numbers (an account whose API writes them so)."""

    def stamp(moment: datetime | None) -> str | None:
        return order_timestamp(order.account_id, moment)

    def amount(value: Decimal | None) -> object:
        return number(value) if numbers else optional_decimal(value)

    instrument = order.instrument
    parent = order.is_multi_leg_parent  # no symbol, side or asset of its own
    leg = order.order_class == "mleg" and not parent  # no type of its own
    body: dict[str, Any] = {
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
        "asset_id": "" if parent else instrument.asset_id,
        "symbol": "" if parent else instrument.symbol,
        "asset_class": "" if parent else ASSET_CLASS[instrument.kind],
        "notional": optional_decimal(order.notional),  # alpaca-py takes only text here
        "qty": amount(order.quantity),
        "filled_qty": amount(order.filled_quantity),
        "filled_avg_price": optional_decimal(order.filled_avg_price),
        "order_class": "" if order.order_class == "simple" else order.order_class,
        "order_type": "" if leg else order.order_type,
        "type": "" if leg else order.order_type,
        "side": order.side,
        "position_intent": order.position_intent,
        "time_in_force": order.time_in_force,
        "limit_price": optional_decimal(order.limit_price),
        "stop_price": optional_decimal(order.stop_price),
        "status": order.status,
        "extended_hours": order.extended_hours,
        "legs": None if legs is None else [order_json(leg, numbers=numbers) for leg in legs],
        "trail_percent": optional_decimal(order.trail_percent),
        "trail_price": None,
        "hwm": optional_decimal(order.high_water_mark),
        "source": None,
        "subtag": None,
    }
    if parent:
        del body["position_intent"]
    if order.ratio_quantity is not None:
        body["ratio_qty"] = decimal_text(order.ratio_quantity)
    if numbers:
        body["commission"] = number(COMMISSION)
    if order.swap_rate is not None:
        body["swap_rate"] = decimal_text(order.swap_rate)
        body["usd"] = {
            "notional": optional_decimal(order.usd_notional),
            "limit_price": optional_decimal(order.usd_limit_price),
            "stop_price": optional_decimal(order.usd_stop_price),
            "filled_avg_price": optional_decimal(order.usd_filled_avg_price),
        }
    return body
