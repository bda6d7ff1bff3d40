"""The world's truth in canonical terms: what the warehouse must hold, row for row.

Written from the world's records and the canonical contract, not from the connector's
code, so a mapping mistake in either shows up as a difference."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import duckdb

from sandbox import World

LINEAGE = {"fetched_at", "run_id"}
TABLE_NAMES = ("users", "connections", "accounts", "balances", "positions", "orders")
RAW_CLASS = {"equity": "us_equity", "option": "us_option", "crypto": "crypto"}
RAW_ACCOUNT_STATUS = {"active": "ACTIVE", "restricted": "LIMITED", "closed": "ACCOUNT_CLOSED"}
ACCOUNT_STATUS = {"active": "open", "restricted": "restricted", "closed": "closed"}
INSTRUMENT = {"equity": "equity", "etf": "equity", "option": "option", "crypto": "crypto"}
ORDER_STATUS = {
    "pending_new": "pending", "accepted": "pending", "held": "pending",
    "new": "open", "partially_filled": "partially_filled", "filled": "filled",
    "canceled": "canceled", "expired": "expired", "rejected": "rejected",
    "replaced": "replaced",
}  # fmt: skip


def plain(value: Any) -> Any:
    """Comparable form: decimals by value, datetimes in UTC."""
    if isinstance(value, Decimal):
        return value.normalize()
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
        t: [] for t in ("accounts", "balances", "positions", "orders")
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
    return truth


def _alpaca_holdings(
    world: World, base: dict[str, Any], truth: dict[str, list[dict[str, Any]]]
) -> None:
    """Balances, positions and orders of one account as Alpaca's APIs report them."""
    account_id = base["account_id"]
    day: date = world.clock.date()
    for b in world.balances(account_id):
        truth["balances"].append({
            **base, "currency": b.currency, "as_of_date": day, "as_of": world.clock,
            "cash": b.cash, "buying_power": b.buying_power, "equity": b.equity,
        })  # fmt: skip
    for p in world.positions(account_id):
        kind = INSTRUMENT[p.instrument.kind]
        truth["positions"].append({
            **base, "position_key": f"{kind}:{p.instrument.symbol}", "as_of_date": day,
            "as_of": world.clock, "symbol": p.instrument.symbol, "instrument_type": kind,
            "raw_instrument_type": RAW_CLASS[kind],
            "side": p.side, "quantity": p.quantity, "contract_size": None,
            "average_cost": p.average_cost, "market_price": p.market_price,
            "market_value": p.market_value, "cost_basis": p.cost_basis,
            "unrealized_pnl": p.unrealized_pnl, "currency": p.currency,
        })  # fmt: skip
    for o in world.orders(account_id):
        kind = INSTRUMENT[o.instrument.kind]
        truth["orders"].append({
            **base, "order_id": o.order_id, "parent_order_id": o.parent_order_id,
            "client_order_id": o.client_order_id, "symbol": o.instrument.symbol,
            "instrument_type": kind,
            "raw_instrument_type": RAW_CLASS[kind],
            "side": order_side(o.side, o.position_intent), "raw_side": o.side,
            "order_type": o.order_type, "raw_order_type": o.order_type,
            "time_in_force": o.time_in_force, "raw_time_in_force": o.time_in_force,
            "status": ORDER_STATUS[o.status], "raw_status": o.status,
            "quantity": o.quantity, "notional": o.notional,
            "filled_quantity": o.filled_quantity, "limit_price": o.limit_price,
            "stop_price": o.stop_price, "average_fill_price": o.filled_avg_price,
            "submitted_at": o.submitted_at, "filled_at": o.filled_at,
            "canceled_at": o.canceled_at, "updated_at": o.updated_at,
            "currency": o.instrument.currency,
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
    return truth


SNAPTRADE_ACCOUNT_TYPE = {
    "margin": "margin", "cash": "cash", "tfsa": "other", "rrsp": "retirement",
    "ira": "retirement", "crypto": "crypto",
}  # fmt: skip
SNAPTRADE_KIND = {"equity": "equity", "etf": "etf", "option": "option", "crypto": "crypto"}
SNAPTRADE_RAW_KIND = {"equity": "stock", "etf": "etf", "option": "option", "crypto": "crypto"}
SNAPTRADE_SECURITY_CODE = {"equity": "cs", "etf": "et", "crypto": "crypto", "option": "option"}


def snaptrade_truth(world: World, source: str) -> dict[str, list[dict[str, Any]]]:
    """Expected canonical rows for a SnapTrade source that holds every user's secret.

    SnapTrade reports per-share prices, so an option's prices (position price and cost,
    order limit, stop and fill prices) are the world's per-contract figures over the
    multiplier; values stay the world's. Raw columns
    are checked by the normalizer's own tests, not here."""
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
                "cash": b.cash, "buying_power": b.buying_power, "equity": None,
            })  # fmt: skip
        for p in world.positions(a.account_id):
            kind = SNAPTRADE_KIND[p.instrument.kind]
            per_share = p.instrument.multiplier if kind == "option" else Decimal(1)
            truth["positions"].append({
                **base, "position_key": f"{kind}:{p.instrument.symbol}", "as_of_date": day,
                "as_of": as_of, "symbol": p.instrument.symbol, "instrument_type": kind,
                "side": p.side, "quantity": p.quantity,
                "contract_size": p.instrument.multiplier if kind == "option" else None,
                "average_cost": p.average_cost / per_share,
                "market_price": p.market_price / per_share,
                "market_value": p.market_value, "cost_basis": p.cost_basis,
                "unrealized_pnl": p.unrealized_pnl, "currency": p.currency,
            })  # fmt: skip
        for o in world.orders(a.account_id):
            kind = SNAPTRADE_KIND[o.instrument.kind]
            status = ORDER_STATUS[o.status]
            per_share = o.instrument.multiplier if kind == "option" else Decimal(1)
            truth["orders"].append({
                **base, "order_id": o.order_id, "parent_order_id": o.parent_order_id,
                "client_order_id": None, "symbol": o.instrument.symbol,
                "instrument_type": kind, "side": order_side(o.side, o.position_intent),
                "order_type": o.order_type, "time_in_force": o.time_in_force,
                "status": status, "quantity": o.quantity, "notional": None,
                "filled_quantity": o.filled_quantity,
                "limit_price": per(o.limit_price, per_share),
                "stop_price": per(o.stop_price, per_share),
                "average_fill_price": per(o.filled_avg_price, per_share),
                "submitted_at": o.submitted_at, "filled_at": o.filled_at,
                "canceled_at": o.updated_at if status == "canceled" else None,
                "updated_at": o.updated_at, "currency": o.instrument.currency,
            })  # fmt: skip
    return truth


def per(value: Decimal | None, divisor: Decimal) -> Decimal | None:
    return None if value is None else value / divisor


def without_raw(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in r.items() if not k.startswith("raw_")} for r in records]
