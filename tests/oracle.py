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
    day: date = world.clock.date()
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
    return truth
