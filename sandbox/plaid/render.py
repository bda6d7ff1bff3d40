"""The world in Plaid's wire format: Items, investment accounts with their balances,
securities, holdings and investment transactions, as Plaid's API reference and the
official client's models give them.

Numbers are JSON numbers (exact decimals, digit for digit). An option is quoted as Plaid
quotes it: its quantity the options held (contracts times the multiplier) and its prices
per share; a crypto currency's ticker is its base currency, priced in the security's
currency. Amounts are Plaid's way round: positive when cash leaves the account.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sandbox.world import Activity, Balance, Instrument, Position, price_on
from sandbox.world.plaid_items import ID_LENGTH, PlaidAccount, PlaidItem
from sandbox.world.randomness import ALNUM, alnum, rng

SECURITY_TYPE = {
    "equity": "equity",
    "etf": "etf",
    "option": "derivative",
    "crypto": "cryptocurrency",
}
SECURITY_SUBTYPE = {
    "equity": "common stock", "etf": "etf", "option": "option", "crypto": "cryptocurrency",
}  # fmt: skip
# world activity kind -> Plaid's (type, subtype)
TRANSACTION_TYPE = {
    "deposit": ("cash", "deposit"),
    "withdrawal": ("cash", "withdrawal"),
    "interest": ("cash", "interest"),
    "dividend": ("cash", "dividend"),
    "fee": ("fee", "account fee"),
    "transfer_in": ("transfer", "transfer"),
    "transfer_out": ("transfer", "transfer"),
    "transfer": ("cash", "transfer"),
    "split": ("transfer", "split"),
}
OCC = re.compile(r"^(?P<root>[A-Z.]+?)\s*(?P<day>\d{6})(?P<right>[CP])(?P<strike>\d{8})$")
PRODUCTS = ["investments"]


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def security_id(instrument: Instrument) -> str:
    """Plaid's id of a security: the same for every Item (Plaid's ids are its own)."""
    return alnum(rng("plaid", "security", instrument.symbol), ID_LENGTH, ALNUM)


def per_unit(instrument: Instrument | None) -> Decimal:
    """What Plaid divides a per-contract figure by: an option's multiplier, else 1."""
    if instrument is not None and instrument.kind == "option":
        return instrument.multiplier
    return Decimal(1)


def ticker(instrument: Instrument) -> str:
    """A crypto currency is named by its base currency (BTC); anything else by its symbol."""
    if instrument.kind == "crypto":
        return instrument.symbol.split("/")[0]
    return instrument.symbol


def item_json(item: PlaidItem, error: dict[str, Any] | None) -> dict[str, Any]:
    return {
        "item_id": item.item_id,
        "institution_id": item.institution_id,
        "institution_name": item.institution_name,
        "webhook": None,
        "error": error,
        "available_products": [],
        "billed_products": PRODUCTS,
        "products": PRODUCTS,
        "consented_products": PRODUCTS,
        "consent_expiration_time": None,
        "update_type": "background",
        "created_at": rfc3339(item.created_at),
    }


def item_status(succeeded: datetime, failed: datetime | None = None) -> dict[str, Any]:
    return {
        "investments": {
            "last_successful_update": rfc3339(succeeded),
            "last_failed_update": None if failed is None else rfc3339(failed),
        },
        "transactions": None,
        "last_webhook": None,
    }


def account_json(account: PlaidAccount, balance: Balance) -> dict[str, Any]:
    """An investment account: `current` its total value, `available` the cash it holds."""
    return {
        "account_id": account.account.account_id,
        "balances": {
            "available": balance.cash,
            "current": balance.equity,
            "limit": None,
            "iso_currency_code": balance.currency,
            "unofficial_currency_code": None,
            "margin_loan_amount": Decimal(0),  # the world's accounts borrow nothing
        },
        "mask": account.mask,
        "name": account.account.name,
        "official_name": f"{account.account.institution} {account.account.name}",
        "type": "investment",
        "subtype": account.subtype,
    }


def security_json(instrument: Instrument, seed: int, day: date) -> dict[str, Any]:
    yesterday = day - timedelta(days=1)
    option = None
    if instrument.kind == "option":
        parts = OCC.match(instrument.symbol)
        if parts is not None:
            option = {
                "contract_type": "call" if parts["right"] == "C" else "put",
                "expiration_date": datetime.strptime(parts["day"], "%y%m%d").date().isoformat(),
                "strike_price": Decimal(parts["strike"]) / 1000,
                "underlying_security_ticker": parts["root"],
            }
    return {
        "security_id": security_id(instrument),
        "isin": None,
        "cusip": None,
        "sedol": None,
        "institution_security_id": None,
        "institution_id": None,
        "proxy_security_id": None,
        "name": instrument.name,
        "ticker_symbol": ticker(instrument),
        "is_cash_equivalent": False,
        "type": SECURITY_TYPE[instrument.kind],
        "subtype": SECURITY_SUBTYPE[instrument.kind],
        "close_price": price_on(seed, instrument.symbol, yesterday) / per_unit(instrument),
        "close_price_as_of": yesterday.isoformat(),
        "update_datetime": None,
        "iso_currency_code": instrument.currency,
        "unofficial_currency_code": None,
        "market_identifier_code": None,
        "sector": None,
        "industry": None,
        "cfi_code": None,
        "figi": None,
        "option_contract": option,
        "fixed_income": None,
    }


def holding_json(position: Position, day: date) -> dict[str, Any]:
    """A holding: the options held (not the contracts) and prices per share for an option;
    `cost_basis` the total paid."""
    per = per_unit(position.instrument)
    return {
        "account_id": position.account_id,
        "security_id": security_id(position.instrument),
        "institution_price": position.market_price / per,
        "institution_price_as_of": day.isoformat(),
        "institution_price_datetime": None,
        "institution_value": position.market_value,
        "cost_basis": position.cost_basis,
        "quantity": position.signed_quantity * per,
        "iso_currency_code": position.currency,
        "unofficial_currency_code": None,
        "vested_quantity": None,
        "vested_value": None,
    }


def transaction_json(activity: Activity) -> dict[str, Any]:
    """An investment transaction; amounts positive when cash leaves the account."""
    kind, subtype = TRANSACTION_TYPE[activity.kind]
    if activity.kind == "fill":  # pragma: no cover (Plaid's world books no orders)
        kind = subtype = "buy" if activity.side == "buy" else "sell"
    instrument = activity.instrument
    per = per_unit(instrument)
    price = activity.per_share if activity.kind == "dividend" else activity.price
    return {
        "investment_transaction_id": activity.activity_id,
        "account_id": activity.account_id,
        "security_id": None if instrument is None else security_id(instrument),
        "date": activity.at.astimezone(UTC).date().isoformat(),
        "transaction_datetime": rfc3339(activity.at),
        "name": activity.description,
        "quantity": activity.quantity * per,
        "amount": -activity.amount,
        "price": Decimal(0) if price is None else price / per,
        "fees": activity.fee,
        "type": kind,
        "subtype": subtype,
        "iso_currency_code": activity.currency,
        "unofficial_currency_code": None,
        "cancel_transaction_id": None,
    }
