"""Plaid Investments JSON -> canonical rows (no lineage columns; see brokers.frames).

An Item is a user's login at one institution: the Item is the connection, and its user
(Plaid names none) is known by the Item's id. An investment account's `available`
balance is its cash and buying power, `current` its total value. A holding's `quantity`
of an option counts the options (Plaid: contracts times 100), its prices per share: the
row holds contracts, with `contract_size` 100. `cost_basis` is the holding's total cost.
A crypto currency's ticker is its base currency: the symbol is `BASE/QUOTE`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from brokers.frames import position_key
from brokers.parse import mask_account_number, required, to_decimal, to_utc
from brokers.plaid.errors import LOGIN_REQUIRED
from schemas import (
    AccountStatus,
    AccountType,
    ConnectionStatus,
    ConnectionType,
    InstrumentType,
    PositionSide,
    UserKind,
)

INSTITUTION = "Plaid"  # where an Item names no institution
OPTION_SHARES = Decimal(100)  # options per contract (Plaid: "typically" 100)
SECURITY_TYPE = {
    "equity": InstrumentType.EQUITY,
    "etf": InstrumentType.ETF,
    "cryptocurrency": InstrumentType.CRYPTO,
    "mutual fund": InstrumentType.FUND,
    "fixed income": InstrumentType.BOND,
}
RETIREMENT = frozenset(
    {"401a", "401k", "403b", "457b", "ira", "roth", "roth 401k", "sep ira", "simple ira",
     "sarsep", "keogh", "pension", "profit sharing plan", "retirement", "thrift savings plan",
     "lif", "lira", "lrif", "lrsp", "prif", "rdsp", "resp", "rlif", "rrif", "rrsp", "sipp",
     "isa", "tfsa"}
)  # fmt: skip
CRYPTO = frozenset({"crypto exchange", "non-custodial wallet"})


def institution(item: Mapping[str, Any]) -> str:
    return str(item.get("institution_name") or item.get("institution_id") or INSTITUTION)


def item_rows(item: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(user, connection) rows of an Item: active, or disabled while its user must log in
    again (any other error it carries: `other`), the error's code kept raw."""
    item_id = required(item, "item_id")
    created_at = to_utc(item.get("created_at"))
    code = (item.get("error") or {}).get("error_code")
    status = (
        ConnectionStatus.ACTIVE
        if code is None
        else ConnectionStatus.DISABLED
        if code == LOGIN_REQUIRED
        else ConnectionStatus.OTHER
    )
    user = {"user_id": item_id, "created_at": created_at, "user_kind": UserKind.DERIVED.value}
    connection = {
        "connection_id": item_id,
        "user_id": item_id,
        "institution": institution(item),
        "connection_type": ConnectionType.READ.value,  # Plaid reads; it never trades
        "raw_connection_type": "item",
        "status": status.value,
        "raw_status": code,
        "created_at": created_at,
        "disabled_at": None,  # Plaid does not date an Item's error
    }
    return user, connection


def account_type(subtype: object) -> AccountType:
    text = str(subtype or "").lower()
    if text in RETIREMENT:
        return AccountType.RETIREMENT
    if text in CRYPTO:
        return AccountType.CRYPTO
    return AccountType.OTHER  # a brokerage account may be cash or margin: Plaid does not say


def account_row(
    account: Mapping[str, Any], item: Mapping[str, Any], *, is_paper: bool
) -> dict[str, Any]:
    item_id = required(item, "item_id")
    subtype = account.get("subtype")
    currency = (account.get("balances") or {}).get("iso_currency_code")
    return {
        "account_id": required(account, "account_id"),
        "connection_id": item_id,
        "user_id": item_id,
        "institution": institution(item),
        "account_number_masked": mask_account_number(account.get("mask")),
        "name": account.get("name"),
        "account_type": account_type(subtype).value,
        "raw_account_type": None if subtype is None else str(subtype),
        "status": AccountStatus.OPEN.value,  # Plaid lists the accounts it can read
        "raw_status": None,
        "base_currency": required({"iso_currency_code": currency}, "iso_currency_code"),
        "is_paper": is_paper,
        "created_at": None,  # Plaid does not say when an account was opened
    }


def balance_row(account: Mapping[str, Any], *, as_of: datetime) -> dict[str, Any]:
    balances = account["balances"]
    available = to_decimal(balances.get("available"))
    return {
        "account_id": required(account, "account_id"),
        "currency": required(balances, "iso_currency_code"),
        "as_of_date": as_of.date(),
        "as_of": as_of,
        "cash": available,
        "buying_power": available,
        "equity": to_decimal(balances.get("current")),
    }


def instrument(security: Mapping[str, Any] | None) -> tuple[str | None, str | None, str | None]:
    """(symbol, instrument type, Plaid's type) of a security; all None without one."""
    if security is None:
        return None, None, None
    raw = security.get("type")
    kind = SECURITY_TYPE.get(str(raw), InstrumentType.OTHER)
    if raw == "derivative" and security.get("option_contract") is not None:
        kind = InstrumentType.OPTION
    ticker = security.get("ticker_symbol")
    symbol = "".join(str(ticker).split()) if ticker else None  # OCC without its padding
    if symbol and kind is InstrumentType.CRYPTO and "/" not in symbol:
        symbol = f"{symbol}/{security.get('iso_currency_code') or 'USD'}"
    symbol = symbol or security.get("isin") or security.get("cusip") or security["security_id"]
    return str(symbol), kind.value, None if raw is None else str(raw)


def per_share(instrument_type: str | None) -> Decimal:
    """What Plaid's quantities of this type count per canonical unit (options: 100)."""
    return OPTION_SHARES if instrument_type == InstrumentType.OPTION.value else Decimal(1)


def position_row(
    holding: Mapping[str, Any], securities: Mapping[str, Mapping[str, Any]], *, as_of: datetime
) -> dict[str, Any]:
    security = securities[required(holding, "security_id")]
    symbol, kind, raw = instrument(security)
    assert symbol is not None and kind is not None
    shares = to_decimal(holding["quantity"])
    if shares is None:
        raise KeyError("quantity")
    cost = to_decimal(holding.get("cost_basis"))
    value = to_decimal(holding.get("institution_value"))
    return {
        "account_id": required(holding, "account_id"),
        "position_key": position_key(symbol, kind),
        "as_of_date": as_of.date(),
        "as_of": as_of,
        "symbol": symbol,
        "instrument_type": kind,
        "raw_instrument_type": raw,
        "side": (PositionSide.SHORT if shares < 0 else PositionSide.LONG).value,
        "quantity": abs(shares) / per_share(kind),
        "contract_size": OPTION_SHARES if kind == InstrumentType.OPTION.value else None,
        "average_cost": None if cost is None or not shares else cost / shares,
        "market_price": to_decimal(holding.get("institution_price")),
        "market_value": value,
        "cost_basis": cost,
        "unrealized_pnl": None if cost is None or value is None else value - cost,
        "currency": required(holding, "iso_currency_code"),
        "swap_rate": None,
        "usd_average_cost": None,
        "usd_market_price": None,
        "usd_market_value": None,
        "usd_cost_basis": None,
        "usd_unrealized_pnl": None,
    }


def position_identity(holding: Mapping[str, Any]) -> dict[str, Any]:
    """What a holding that cannot be read is quarantined under."""
    security = str(holding.get("security_id"))
    return {
        "account_id": str(holding.get("account_id")),
        "position_key": f"security:{security}",
        "symbol": security,
    }
