"""The rows a Plaid Investments source must land, written from the world and Plaid's
documented shapes (never from the connector): an Item is a connection whose user Plaid
knows by the Item; an Item whose user must log in again lands its connection, disabled,
and nothing of its accounts; investment accounts' `available` balance is their cash,
`current` their value; an option's prices are per share and its quantity counts
contracts (Plaid's counts options, 100 a contract); a crypto currency is `BASE/QUOTE`.
Plaid has no orders."""

from __future__ import annotations

from datetime import UTC, timedelta
from decimal import Decimal
from typing import Any

from sandbox import World
from sandbox.world.plaid_items import PlaidWorld
from tests.oracle import TABLE_NAMES

INSTRUMENT = {"equity": "equity", "etf": "etf", "option": "option", "crypto": "crypto"}
SECURITY_TYPE = {
    "equity": "equity",
    "etf": "etf",
    "option": "derivative",
    "crypto": "cryptocurrency",
}
ACCOUNT_TYPE = {
    "brokerage": "other",
    "ira": "retirement",
    "roth": "retirement",
    "401k": "retirement",
}
# world activity kind -> (canonical type, Plaid's type, Plaid's subtype)
ACTIVITY = {
    "deposit": ("deposit", "cash", "deposit"),
    "withdrawal": ("withdrawal", "cash", "withdrawal"),
    "interest": ("interest", "cash", "interest"),
    "dividend": ("dividend", "cash", "dividend"),
    "fee": ("fee", "fee", "account fee"),
    "transfer_in": ("transfer_in", "transfer", "transfer"),
    "transfer_out": ("transfer_out", "transfer", "transfer"),
    "split": ("split", "transfer", "split"),
}
MOVES_UNITS = frozenset({"transfer_in", "transfer_out", "split"})
HISTORY = timedelta(days=730)  # Plaid's 24 months
NO_LCT = dict.fromkeys(
    ("swap_rate", "usd_average_cost", "usd_market_price", "usd_market_value", "usd_cost_basis",
     "usd_unrealized_pnl")
)  # fmt: skip


def plaid_truth(world: World, source: str) -> dict[str, list[dict[str, Any]]]:
    plaid = PlaidWorld(world)
    truth: dict[str, list[dict[str, Any]]] = {t: [] for t in TABLE_NAMES}
    lineage = {"source": source, "broker": "plaid"}
    day = world.clock.date()
    for item in plaid.items():
        broken = plaid.login_required(item)
        truth["users"].append({
            **lineage, "user_id": item.item_id, "created_at": item.created_at,
            "user_kind": "derived",
        })  # fmt: skip
        truth["connections"].append({
            **lineage, "connection_id": item.item_id, "user_id": item.item_id,
            "institution": item.institution_name, "connection_type": "read",
            "raw_connection_type": "item", "status": "disabled" if broken else "active",
            "raw_status": "ITEM_LOGIN_REQUIRED" if broken else None,
            "created_at": item.created_at, "disabled_at": None,
        })  # fmt: skip
        if broken:
            continue
        for held in item.accounts:
            account = held.account
            base = {**lineage, "account_id": account.account_id}
            truth["accounts"].append({
                **base, "connection_id": item.item_id, "user_id": item.item_id,
                "institution": item.institution_name, "account_number_masked": "****" + held.mask,
                "name": account.name, "account_type": ACCOUNT_TYPE[held.subtype],
                "raw_account_type": held.subtype, "status": "open", "raw_status": None,
                "base_currency": "USD", "is_paper": False, "created_at": None,
            })  # fmt: skip
            balance = plaid.balance(account)
            truth["balances"].append({
                **base, "currency": "USD", "as_of_date": day, "as_of": world.clock,
                "cash": balance.cash, "buying_power": balance.cash, "equity": balance.equity,
            })  # fmt: skip
            for p in plaid.positions(account):
                kind = INSTRUMENT[p.instrument.kind]
                per = p.instrument.multiplier if kind == "option" else Decimal(1)
                truth["positions"].append({
                    **base, "position_key": f"{kind}:{p.instrument.symbol}", "as_of_date": day,
                    "as_of": world.clock, "symbol": p.instrument.symbol, "instrument_type": kind,
                    "raw_instrument_type": SECURITY_TYPE[p.instrument.kind], "side": p.side,
                    "quantity": p.quantity, "contract_size": per if kind == "option" else None,
                    "average_cost": p.average_cost / per, "market_price": p.market_price / per,
                    "market_value": p.market_value, "cost_basis": p.cost_basis,
                    "unrealized_pnl": p.market_value - p.cost_basis, "currency": p.currency,
                    **NO_LCT,
                })  # fmt: skip
            truth["activities"] += [{**base, **row} for row in _activities(plaid, account, world)]
    return truth


def _activities(plaid: PlaidWorld, account: Any, world: World) -> list[dict[str, Any]]:
    earliest = (world.clock - HISTORY).date()
    found = []
    for a in plaid.activities(account):
        if not a.is_executed or a.at.astimezone(UTC).date() < earliest:
            continue
        activity_type, raw_type, raw_subtype = ACTIVITY[a.kind]
        instrument = a.instrument
        kind = None if instrument is None else INSTRUMENT[instrument.kind]
        per = instrument.multiplier if kind == "option" else Decimal(1)
        price = a.per_share if a.kind == "dividend" else a.price
        found.append({
            "activity_id": a.activity_id, "activity_type": activity_type,
            "raw_type": raw_type, "raw_subtype": raw_subtype, "status": "executed",
            "raw_status": None, "occurred_at": a.at, "trade_date": a.at.astimezone(UTC).date(),
            "settle_date": None, "symbol": None if instrument is None else instrument.symbol,
            "instrument_type": kind,
            "raw_instrument_type": None if instrument is None else SECURITY_TYPE[instrument.kind],
            "quantity": a.quantity if a.kind in MOVES_UNITS else None,
            "price": None if instrument is None else (price or Decimal(0)) / per,
            "amount": a.amount, "currency": a.currency, "fee": a.fee, "fx_rate": None,
            "order_id": None, "related_activity_id": None, "description": a.description,
        })  # fmt: skip
    return found
