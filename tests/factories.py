"""Valid canonical rows for tests, one per table, to be varied per case."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import polars as pl

from schemas import table

NOW = datetime(2026, 11, 23, 0, 0, tzinfo=UTC)
LINEAGE = {"source": "src", "broker": "alpaca", "fetched_at": NOW, "run_id": "run-1"}

ROWS: dict[str, dict[str, Any]] = {
    "users": {"user_id": "u1", "created_at": NOW, "user_kind": "derived"},
    "connections": {
        "connection_id": "c1",
        "user_id": "u1",
        "institution": "Alpaca",
        "connection_type": "trade",
        "raw_connection_type": "api_key",
        "status": "active",
        "raw_status": "authorized",
        "created_at": None,
        "disabled_at": None,
    },
    "accounts": {
        "account_id": "a1",
        "connection_id": "c1",
        "user_id": "u1",
        "institution": "Alpaca",
        "account_number_masked": "****1234",
        "name": None,
        "account_type": "margin",
        "raw_account_type": "multiplier=4",
        "status": "open",
        "raw_status": "ACTIVE",
        "base_currency": "USD",
        "is_paper": True,
        "created_at": NOW,
    },
    "balances": {
        "account_id": "a1",
        "currency": "USD",
        "as_of_date": date(2026, 11, 23),
        "as_of": NOW,
        "cash": Decimal("0.1"),
        "buying_power": Decimal("400.4"),
        "equity": Decimal("100.1"),
    },
    "positions": {
        "account_id": "a1",
        "position_key": "equity:AAPL",
        "as_of_date": date(2026, 11, 23),
        "as_of": NOW,
        "symbol": "AAPL",
        "instrument_type": "equity",
        "raw_instrument_type": "us_equity",
        "side": "long",
        "quantity": Decimal("3"),
        "contract_size": None,
        "average_cost": Decimal("100.01"),
        "market_price": Decimal("110.10"),
        "market_value": Decimal("330.30"),
        "cost_basis": Decimal("300.03"),
        "unrealized_pnl": Decimal("30.27"),
        "currency": "USD",
    },
    "orders": {
        "account_id": "a1",
        "order_id": "o1",
        "parent_order_id": None,
        "client_order_id": "c-o1",
        "order_class": "simple",
        "raw_order_class": "",
        "symbol": "AAPL",
        "instrument_type": "equity",
        "raw_instrument_type": "us_equity",
        "side": "buy",
        "raw_side": "buy",
        "order_type": "limit",
        "raw_order_type": "limit",
        "time_in_force": "day",
        "raw_time_in_force": "day",
        "status": "filled",
        "raw_status": "filled",
        "quantity": Decimal("10"),
        "notional": None,
        "filled_quantity": Decimal("10"),
        "limit_price": Decimal("99.5"),
        "stop_price": None,
        "average_fill_price": Decimal("99.49"),
        "submitted_at": NOW,
        "filled_at": NOW,
        "canceled_at": None,
        "updated_at": NOW,
        "currency": "USD",
    },
    "activities": {
        "account_id": "a1",
        "activity_id": "20261122153000123::f1",
        "activity_type": "trade",
        "raw_type": "FILL",
        "raw_subtype": "fill",
        "status": "executed",
        "raw_status": "filled",
        "occurred_at": NOW,
        "trade_date": NOW.date(),
        "settle_date": None,
        "symbol": "AAPL",
        "instrument_type": "equity",
        "raw_instrument_type": None,
        "quantity": Decimal("10"),
        "price": Decimal("99.49"),
        "amount": Decimal("-994.90"),
        "currency": "USD",
        "fee": None,
        "fx_rate": None,
        "order_id": "o1",
        "related_activity_id": None,
        "description": None,
    },
    "portfolio_history_reported": {
        "account_id": "a1",
        "day": NOW.date(),
        "point_at": NOW,
        "timeframe": "1D",
        "equity": Decimal("10250.12"),
        "profit_loss": Decimal("250.12"),
        "cash_flow": Decimal("0"),
        "currency": "USD",
    },
}


def row(table_name: str, **changes: Any) -> dict[str, Any]:
    return {**LINEAGE, **ROWS[table_name], **changes}


def frame(table_name: str, *rows: dict[str, Any]) -> pl.DataFrame:
    return pl.DataFrame(list(rows) or [row(table_name)], schema=table(table_name).schema)
