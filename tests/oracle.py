"""The world's truth in canonical terms: what the warehouse must hold, row for row.

Written from the world's records and the canonical contract, not from the connector's
code, so a mapping mistake in either shows up as a difference."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import ROUND_HALF_EVEN, Context, Decimal
from typing import Any

import duckdb

from sandbox import World
from sandbox.world import Order
from tests.activity_oracle import (
    alpaca_activities,
    broker_journal_rows,
    snaptrade_activities,
    tradr_activities,
)

LINEAGE = {"fetched_at", "run_id"}
TABLE_NAMES = (
    "users", "connections", "accounts", "balances", "positions", "orders", "activities"
)  # fmt: skip
RAW_CLASS = {"equity": "us_equity", "option": "us_option", "crypto": "crypto"}
RAW_ACCOUNT_STATUS = {"active": "ACTIVE", "restricted": "LIMITED", "closed": "ACCOUNT_CLOSED"}
ACCOUNT_STATUS = {"active": "open", "restricted": "restricted", "closed": "closed"}
INSTRUMENT = {"equity": "equity", "etf": "equity", "option": "option", "crypto": "crypto"}
SCALE = Decimal("1e-18")  # the contract's Decimal(38, 18): more places round half to even
WIDE = Context(prec=60, rounding=ROUND_HALF_EVEN)
ORDER_STATUS = {
    "pending_new": "pending", "accepted": "pending", "held": "pending",
    "new": "open", "partially_filled": "partially_filled", "filled": "filled",
    "canceled": "canceled", "expired": "expired", "rejected": "rejected",
    "replaced": "replaced",
}  # fmt: skip


def plain(value: Any) -> Any:
    """Comparable form: decimals by value at the contract's scale, datetimes in UTC."""
    if isinstance(value, Decimal):
        return value.quantize(SCALE, context=WIDE).normalize(WIDE)
    if isinstance(value, datetime):
        return value.astimezone(UTC)
    return value


def rows(records: list[dict[str, Any]], key: tuple[str, ...]) -> list[dict[str, Any]]:
    normal = [{k: plain(v) for k, v in r.items() if k not in LINEAGE} for r in records]
    return sorted(normal, key=lambda r: tuple(str(r[k]) for k in key))


def warehouse_rows(database, view: str, key: tuple[str, ...], where: str = "") -> list[dict]:
    with duckdb.connect(str(database), read_only=True) as con:
        frame = con.sql(f"SELECT * FROM {view} {where}").pl()
    return rows(frame.to_dicts(), key)


def order_side(side: str, intent: str) -> str:
    if side == "sell" and intent == "sell_to_open":
        return "sell_short"
    if side == "buy" and intent == "buy_to_close":
        return "buy_to_cover"
    return side


def alpaca_truth(world: World, sources: dict[str, str]) -> dict[str, list[dict[str, Any]]]:
    """Expected canonical rows for Alpaca sources, given {source name: account id}."""
    truth: dict[str, list[dict[str, Any]]] = {
        t: [] for t in ("accounts", "balances", "positions", "orders", "activities")
    }
    lineage = {"broker": "alpaca"}
    for source, account_id in sources.items():
        a = world.account(account_id)
        base = {"source": source, **lineage, "account_id": account_id}
        truth["accounts"].append({
            "source": source, **lineage, "account_id": account_id, "connection_id": account_id,
            "user_id": account_id, "institution": "Alpaca",
            "account_number_masked": "****" + a.account_number[-4:], "name": None,
            "account_type": a.account_type, "raw_account_type": f"multiplier={a.multiplier}",
            "status": ACCOUNT_STATUS[a.status],
            "raw_status": RAW_ACCOUNT_STATUS[a.status],
            "base_currency": a.base_currency, "is_paper": a.is_paper, "created_at": a.created_at,
        })  # fmt: skip
        _alpaca_holdings(world, base, truth)
        truth["activities"] += [
            {"source": source, **lineage, **row} for row in alpaca_activities(world, [account_id])
        ]
    return truth


def _alpaca_holdings(
    world: World, base: dict[str, Any], truth: dict[str, list[dict[str, Any]]]
) -> None:
    """Balances, positions and orders of one account as Alpaca's APIs report them: in the
    account's currency (a Local Currency Trading account's, with the USD figures beside);
    a crypto pair as BASE/QUOTE, positions too; a multi-leg parent named by its legs."""
    account_id = base["account_id"]
    account = world.account(account_id)
    day: date = world.clock.date()
    for b in world.balances(account_id):
        truth["balances"].append({
            **base, "currency": b.currency, "as_of_date": day, "as_of": world.clock,
            "cash": b.cash, "buying_power": b.buying_power, "equity": b.equity,
        })  # fmt: skip
    for p in world.positions(account_id):
        kind = INSTRUMENT[p.instrument.kind]
        usd = p.usd
        truth["positions"].append({
            **base, "position_key": f"{kind}:{p.instrument.symbol}", "as_of_date": day,
            "as_of": world.clock, "symbol": p.instrument.symbol, "instrument_type": kind,
            "raw_instrument_type": RAW_CLASS[kind],
            "side": p.side, "quantity": p.quantity, "contract_size": None,
            "average_cost": p.average_cost, "market_price": p.market_price,
            "market_value": p.market_value, "cost_basis": p.cost_basis,
            "unrealized_pnl": p.unrealized_pnl, "currency": p.currency,
            "swap_rate": p.swap_rate,
            "usd_average_cost": usd and usd.average_cost,
            "usd_market_price": usd and usd.market_price,
            "usd_market_value": usd and usd.market_value,
            "usd_cost_basis": usd and usd.cost_basis,
            "usd_unrealized_pnl": usd and usd.unrealized_pnl,
        })  # fmt: skip
    orders = world.orders(account_id)
    legs: dict[str, list[Order]] = {}
    for o in orders:
        if o.parent_order_id is not None:
            legs.setdefault(o.parent_order_id, []).append(o)
    # The API shows a commission on the Broker API's orders, and on an account that
    # writes decimals as numbers; the sandbox charges none.
    commission = (
        Decimal(0) if account.venue == "alpaca_broker" or account.numeric_decimals else None
    )
    for o in orders:
        kind = INSTRUMENT[o.instrument.kind]
        parent = o.is_multi_leg_parent
        symbol = (
            "+".join(leg.instrument.symbol for leg in legs[o.order_id])
            if parent
            else (o.instrument.symbol)
        )
        leg = o.order_class == "mleg" and not parent
        truth["orders"].append({
            **base, "order_id": o.order_id, "parent_order_id": o.parent_order_id,
            "client_order_id": o.client_order_id,
            "order_class": o.order_class,
            "raw_order_class": "" if o.order_class == "simple" else o.order_class,
            "replaces_order_id": o.replaces, "replaced_by_order_id": o.replaced_by,
            "symbol": symbol, "instrument_type": kind,
            "raw_instrument_type": "" if parent else RAW_CLASS[kind],
            "side": "other" if parent else order_side(o.side, o.position_intent),
            "raw_side": o.side,
            "order_type": "other" if leg else o.order_type, "raw_order_type": o.order_type,
            "time_in_force": o.time_in_force, "raw_time_in_force": o.time_in_force,
            "status": ORDER_STATUS[o.status], "raw_status": o.status,
            "quantity": o.quantity, "ratio_quantity": o.ratio_quantity, "notional": o.notional,
            "filled_quantity": o.filled_quantity, "limit_price": o.limit_price,
            "stop_price": o.stop_price, "trail_percent": o.trail_percent, "trail_price": None,
            "high_water_mark": o.high_water_mark, "average_fill_price": o.filled_avg_price,
            "commission": commission,
            "submitted_at": o.submitted_at, "filled_at": o.filled_at,
            "canceled_at": o.canceled_at, "expired_at": o.expired_at,
            "failed_at": o.failed_at, "updated_at": o.updated_at,
            "currency": account.base_currency, "swap_rate": o.swap_rate,
            "usd_notional": o.usd_notional, "usd_limit_price": o.usd_limit_price,
            "usd_stop_price": o.usd_stop_price,
            "usd_average_fill_price": o.usd_filled_avg_price,
        })  # fmt: skip


RAW_BROKER_STATUS = {
    "active": "ACTIVE", "restricted": "ACTION_REQUIRED", "closed": "ACCOUNT_CLOSED",
}  # fmt: skip


def alpaca_broker_truth(world: World, source: str) -> dict[str, list[dict[str, Any]]]:
    """Expected canonical rows for an Alpaca Broker source: every partner account is its
    own user and connection; holdings as the Trading API reports them."""
    truth: dict[str, list[dict[str, Any]]] = {t: [] for t in TABLE_NAMES}
    lineage = {"source": source, "broker": "alpaca"}
    for a in world.broker_accounts():
        base = {**lineage, "account_id": a.account_id}
        truth["users"].append(
            {**lineage, "user_id": a.account_id, "created_at": a.created_at, "user_kind": "broker"}
        )
        truth["connections"].append({
            **lineage, "connection_id": a.account_id, "user_id": a.account_id,
            "institution": "Alpaca", "connection_type": "trade",
            "raw_connection_type": "broker_api",
            "status": "active", "raw_status": "listed", "created_at": a.created_at,
            "disabled_at": None,
        })  # fmt: skip
        truth["accounts"].append({
            **base, "connection_id": a.account_id, "user_id": a.account_id,
            "institution": "Alpaca", "account_number_masked": "****" + a.account_number[-4:],
            "name": None, "account_type": a.account_type, "raw_account_type": "trading",
            "status": ACCOUNT_STATUS[a.status], "raw_status": RAW_BROKER_STATUS[a.status],
            "base_currency": a.base_currency, "is_paper": False, "created_at": a.created_at,
        })  # fmt: skip
        _alpaca_holdings(world, base, truth)
    ids = [a.account_id for a in world.broker_accounts()]
    truth["activities"] = [
        {**lineage, **row} for row in alpaca_activities(world, ids) + broker_journal_rows(world)
    ]
    return truth


SNAPTRADE_ACCOUNT_TYPE = {
    "margin": "margin", "cash": "cash", "tfsa": "other", "rrsp": "retirement",
    "ira": "retirement", "crypto": "crypto",
}  # fmt: skip
SNAPTRADE_KIND = {
    "equity": "equity", "etf": "etf", "option": "option", "crypto": "crypto", "future": "future",
}  # fmt: skip
SNAPTRADE_RAW_KIND = {"equity": "stock", "etf": "etf", "option": "option", "crypto": "crypto"}
NO_LCT = dict.fromkeys(
    ("swap_rate", "usd_average_cost", "usd_market_price", "usd_market_value", "usd_cost_basis",
     "usd_unrealized_pnl")
)  # fmt: skip
SNAPTRADE_SECURITY_CODE = {"equity": "cs", "etf": "et", "crypto": "crypto", "option": "option"}


def snaptrade_truth(world: World, source: str) -> dict[str, list[dict[str, Any]]]:
    """Expected canonical rows for a SnapTrade source that holds every user's secret.

    SnapTrade reports per-share (per-point) prices, so an option's or a future's prices
    (position price and cost, order limit, stop and fill prices) are the world's
    per-contract figures over the multiplier; values stay the world's. An account's value
    (`balance.total`) is the equity of its currency's balance. Raw columns are checked by
    the normalizer's own tests, not here."""
    truth: dict[str, list[dict[str, Any]]] = {t: [] for t in TABLE_NAMES}
    day: date = world.clock.date()
    lineage = {"source": source, "broker": "snaptrade"}
    for user in world.snaptrade_users():
        truth["users"].append(
            {**lineage, "user_id": user.user_id, "created_at": None, "user_kind": "broker"}
        )
        for c in world.connections(user.user_id):
            disabled = c.disabled_at is not None and c.disabled_at <= world.clock
            truth["connections"].append({
                **lineage, "connection_id": c.connection_id, "user_id": user.user_id,
                "institution": c.brokerage, "connection_type": c.connection_type,
                "status": "disabled" if disabled else "active",
                "created_at": c.created_at, "disabled_at": c.disabled_at if disabled else None,
            })  # fmt: skip
    for a in world.accounts("snaptrade"):
        base = {**lineage, "account_id": a.account_id}
        as_of = world.data_as_of(a.account_id)
        truth["accounts"].append({
            **base, "connection_id": a.connection_id, "user_id": a.user_id,
            "institution": a.institution, "account_number_masked": "****" + a.account_number[-4:],
            "name": a.name, "account_type": SNAPTRADE_ACCOUNT_TYPE[a.account_type],
            "status": "closed" if a.status == "closed" else "open",
            "base_currency": a.base_currency, "is_paper": a.is_paper, "created_at": a.created_at,
        })  # fmt: skip
        for b in world.balances(a.account_id):
            truth["balances"].append({
                **base, "currency": b.currency, "as_of_date": day, "as_of": as_of,
                "cash": b.cash, "buying_power": b.buying_power,
                "equity": b.equity if b.currency == a.base_currency else None,
            })  # fmt: skip
        for p in world.positions(a.account_id):
            kind = SNAPTRADE_KIND[p.instrument.kind]
            contract = kind in ("option", "future")  # priced per share or per point
            per_share = p.instrument.multiplier if contract else Decimal(1)
            truth["positions"].append({
                **base, "position_key": f"{kind}:{p.instrument.symbol}", "as_of_date": day,
                "as_of": as_of, "symbol": p.instrument.symbol, "instrument_type": kind,
                "side": p.side, "quantity": p.quantity,
                "contract_size": p.instrument.multiplier if contract else None,
                "average_cost": p.average_cost / per_share,
                "market_price": p.market_price / per_share,
                "market_value": p.market_value, "cost_basis": p.cost_basis,
                "unrealized_pnl": p.unrealized_pnl, "currency": p.currency, **NO_LCT,
            })  # fmt: skip
        for o in world.orders(a.account_id):
            kind = SNAPTRADE_KIND[o.instrument.kind]
            status = ORDER_STATUS[o.status]
            per_share = o.instrument.multiplier if kind == "option" else Decimal(1)
            truth["orders"].append({
                **base, "order_id": o.order_id, "parent_order_id": o.parent_order_id,
                "client_order_id": None, "order_class": o.order_class,
                "replaces_order_id": None, "replaced_by_order_id": None,
                "symbol": o.instrument.symbol,
                "instrument_type": kind, "side": order_side(o.side, o.position_intent),
                "order_type": o.order_type, "time_in_force": o.time_in_force,
                "status": status, "quantity": o.quantity, "ratio_quantity": None,
                "notional": None, "filled_quantity": o.filled_quantity,
                "limit_price": per(o.limit_price, per_share),
                "stop_price": per(o.stop_price, per_share),
                "trail_percent": o.trail_percent, "trail_price": None, "high_water_mark": None,
                "average_fill_price": per(o.filled_avg_price, per_share), "commission": None,
                "submitted_at": o.submitted_at, "filled_at": o.filled_at,
                "canceled_at": o.updated_at if status == "canceled" else None,
                "expired_at": o.updated_at if status == "expired" else None,
                "failed_at": o.updated_at if status == "rejected" else None,
                "updated_at": o.updated_at, "currency": o.instrument.currency,
                **NO_LCT_ORDER,
            })  # fmt: skip
    ids = [a.account_id for a in world.accounts("snaptrade")]
    truth["activities"] = [{**lineage, **row} for row in snaptrade_activities(world, ids)]
    return truth


NO_LCT_ORDER = dict.fromkeys(
    ("swap_rate", "usd_notional", "usd_limit_price", "usd_stop_price", "usd_average_fill_price")
)


def per(value: Decimal | None, divisor: Decimal) -> Decimal | None:
    return None if value is None else value / divisor


def without_raw(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in r.items() if not k.startswith("raw_")} for r in records]


TRADR_SIDE = {"BUY": "long", "SELL": "short"}
TRADR_ACCOUNT_STATUS = {"ACTIVE": "open", "DISABLED": "restricted"}
TRADR_PLATFORM = {
    "MT4": "MetaTrader 4", "MT5": "MetaTrader 5", "CTRADER": "cTrader", "TL": "TradeLocker",
}  # fmt: skip
TRADR_ORDER_TYPE = {
    "BUY_LIMIT": "limit", "SELL_LIMIT": "limit", "BUY_STOP": "stop", "SELL_STOP": "stop",
    "BUY_STOP_LIMIT": "stop_limit", "SELL_STOP_LIMIT": "stop_limit",
}  # fmt: skip


def tradr_truth(world: World, source: str, key: Any) -> dict[str, list[dict[str, Any]]]:
    """Expected canonical rows for a TradrAPI source reading with `key` (the sandbox's
    record of it: which accounts it covers, its id, roles and creation time).

    Each account is of its user; the key is the connection. Positions are in lots with
    the symbol's contract size; their unrealized P&L is what they add to equity (profit,
    swap and commission). Orders are the pending orders and both fills of every trade
    closed in the world's history."""
    truth: dict[str, list[dict[str, Any]]] = {t: [] for t in TABLE_NAMES}
    lineage = {"source": source, "broker": "tradr"}
    day: date = world.clock.date()
    accounts = [world.tradr_account(i) for i in key.covered(world)]
    for user_id in sorted({a.user_id for a in accounts}):
        truth["users"].append(
            {**lineage, "user_id": str(user_id), "created_at": None, "user_kind": "broker"}
        )
    owner = key.user_id if key.user_id is not None else accounts[0].user_id
    truth["connections"].append({
        **lineage, "connection_id": str(key.key_id), "user_id": str(owner),
        "institution": "TradrAPI",
        "connection_type": "trade" if set(key.roles) - {"read"} else "read",
        "raw_connection_type": "account_key" if key.account_id is not None else "user_key",
        "status": "active", "raw_status": None, "created_at": key.created_at,
        "disabled_at": None,
    })  # fmt: skip
    for a in accounts:
        base = {**lineage, "account_id": str(a.account_id)}
        truth["accounts"].append({
            **base, "connection_id": str(key.key_id), "user_id": str(a.user_id),
            "institution": f"TradrAPI ({TRADR_PLATFORM[a.platform]})",
            "account_number_masked": "****" + a.login[-4:], "name": a.name,
            "account_type": "cfd", "raw_account_type": a.account_type,
            "status": TRADR_ACCOUNT_STATUS[a.status], "raw_status": a.status,
            "base_currency": a.currency, "is_paper": a.server_type == "demo",
            "created_at": a.created_at,
        })  # fmt: skip
        b = world.tradr_balance(a.account_id)
        assert b is not None
        truth["balances"].append({
            **base, "currency": b.currency, "as_of_date": day, "as_of": world.clock,
            "cash": b.balance, "buying_power": b.free_margin, "equity": b.equity,
        })  # fmt: skip
        for p in world.tradr_positions(a.account_id):
            truth["positions"].append({
                **base, "position_key": str(p.position_id), "as_of_date": day,
                "as_of": world.clock, "symbol": p.symbol.name,
                "instrument_type": p.symbol.kind, "raw_instrument_type": None,
                "side": TRADR_SIDE[p.side], "quantity": p.volume,
                "contract_size": p.symbol.contract_size, "average_cost": p.open_price,
                "market_price": p.current_price, "market_value": None, "cost_basis": None,
                "unrealized_pnl": p.net, "currency": a.currency, **NO_LCT,
            })  # fmt: skip
        for o in world.tradr_orders(a.account_id):
            kind = TRADR_ORDER_TYPE[o.type]
            side = o.type.split("_")[0]
            limit = {"limit": o.open_price, "stop_limit": o.stop_limit_price}.get(kind)
            truth["orders"].append({
                **base, **_tradr_order_base(o.symbol, a.currency), "order_id": o.ticket,
                "parent_order_id": None, "side": side.lower(), "raw_side": side,
                "order_type": kind, "raw_order_type": o.type,
                "time_in_force": "gtd" if o.expiration else "gtc",
                "status": "open", "raw_status": "PLACED", "quantity": o.volume,
                "filled_quantity": Decimal(0),
                "limit_price": limit,
                "stop_price": o.open_price if kind in ("stop", "stop_limit") else None,
                "average_fill_price": None, "submitted_at": o.created_at, "filled_at": None,
                "updated_at": o.updated_at,
            })  # fmt: skip
        for t in world.tradr_trades(a.account_id):
            closing = "SELL" if t.side == "BUY" else "BUY"
            fills = (
                (t.ticket, None, t.side, t.open_price, t.opened_at),
                (f"{t.ticket}-close", t.ticket, closing, t.close_price, t.closed_at),
            )
            for order_id, parent, side, price, at in fills:
                truth["orders"].append({
                    **base, **_tradr_order_base(t.symbol, a.currency), "order_id": order_id,
                    "commission": t.commission if parent is None else None,
                    "parent_order_id": parent, "side": side.lower(), "raw_side": side,
                    "order_type": "market", "raw_order_type": t.side,
                    "time_in_force": "other", "status": "filled", "raw_status": "CLOSED",
                    "quantity": t.volume, "filled_quantity": t.volume, "limit_price": None,
                    "stop_price": None, "average_fill_price": price, "submitted_at": at,
                    "filled_at": at, "updated_at": at,
                })  # fmt: skip
    truth["activities"] = [
        {**lineage, **row} for row in tradr_activities(world, [a.account_id for a in accounts])
    ]
    return truth


def _tradr_order_base(symbol: Any, currency: str) -> dict[str, Any]:
    return {
        "client_order_id": None, "order_class": "simple", "raw_order_class": None,
        "replaces_order_id": None, "replaced_by_order_id": None,
        "symbol": symbol.name, "instrument_type": symbol.kind,
        "raw_instrument_type": None, "raw_time_in_force": None, "notional": None,
        "ratio_quantity": None, "trail_percent": None, "trail_price": None,
        "high_water_mark": None, "commission": None,
        "canceled_at": None, "expired_at": None, "failed_at": None, "currency": currency,
        **NO_LCT_ORDER,
    }  # fmt: skip
