"""World records as Alpaca Broker API JSON: AccountExtended (with the holder's personal
data in `contact`, `identity`, `disclosures`, `agreements`, `documents`,
`trusted_contact`), and the Trading API shapes under /v1/trading plus the Broker extras.

World account status -> Broker AccountStatus: active -> ACTIVE, restricted ->
ACTION_REQUIRED, closed -> ACCOUNT_CLOSED. Created times go out in UTC with microseconds,
as the Broker API writes them.
"""

from __future__ import annotations

import uuid
from datetime import UTC, timedelta
from decimal import Decimal
from typing import Any

from sandbox.alpaca_trading.render import COMMISSION, account_json, order_json
from sandbox.alpaca_trading.wire import decimal_text, offset_timestamp
from sandbox.world import Account, Balance, CustomerProfile, Order, Position
from sandbox.world.randomness import stable_int

ACCOUNT_STATUS = {"active": "ACTIVE", "restricted": "ACTION_REQUIRED", "closed": "ACCOUNT_CLOSED"}
ENTITIES = (
    "agreements",
    "contact",
    "disclosures",
    "documents",
    "identity",
    "trading_configurations",
    "trusted_contact",
)


def created_at_text(account: Account) -> str:
    """Always six fractional digits, so the text sorts as the instant does."""
    return f"{account.created_at.astimezone(UTC):%Y-%m-%dT%H:%M:%S.%fZ}"


def _entities(account: Account, profile: CustomerProfile) -> dict[str, Any]:
    p = profile
    signed_at = created_at_text(account)
    margin = account.account_type == "margin"
    return {
        "contact": {
            "email_address": p.email_address,
            "phone_number": p.phone_number,
            "street_address": [p.street_address],
            "unit": None,
            "city": p.city,
            "state": p.state,
            "postal_code": p.postal_code,
            "country": "USA",
        },
        "identity": {
            "given_name": p.given_name,
            "middle_name": None,
            "family_name": p.family_name,
            "date_of_birth": p.date_of_birth.isoformat(),
            "tax_id": p.tax_id,
            "tax_id_type": "USA_SSN",
            "country_of_citizenship": "USA",
            "country_of_birth": "USA",
            "country_of_tax_residence": "USA",
            "funding_source": ["employment_income"],
            "annual_income_min": "50000",
            "annual_income_max": "149999",
            "liquid_net_worth_min": "20000",
            "liquid_net_worth_max": "49999",
        },
        "disclosures": {
            # The spec's enum is lower case; alpaca-py's (which must parse this) is upper.
            "employment_status": "EMPLOYED",
            "employer_name": p.employer_name,
            "employer_address": p.employer_address,
            "employment_position": "Analyst",
            "is_control_person": False,
            "is_affiliated_exchange_or_finra": False,
            "is_politically_exposed": False,
            "immediate_family_exposed": False,
            "context": None,
        },
        "agreements": [
            {
                "agreement": name,
                "signed_at": signed_at,
                "ip_address": p.ip_address,
                "revision": "19.2022.02",
            }
            for name in ("customer_agreement", "margin_agreement")[: 2 if margin else 1]
        ],
        "documents": [
            {
                "id": str(uuid.UUID(int=stable_int("document", account.account_id), version=4)),
                "document_type": "identity_verification",
                "document_sub_type": "passport",
                "content": p.document_url,
                "mime_type": "application/pdf",
                "created_at": signed_at,
            }
        ],
        "trusted_contact": {
            "given_name": "Morgan",
            "family_name": p.family_name,
            "email_address": f"morgan.{p.family_name.lower()}@example.com",
        },
        "trading_configurations": {
            "dtbp_check": "entry",
            "trade_confirm_email": "all",
            "suspend_trade": account.status == "closed",
            "no_shorting": not margin,
            "fractional_trading": True,
            "max_margin_multiplier": decimal_text(account.multiplier),
            "pdt_check": "entry",
            "max_options_trading_level": 2,
        },
    }


def account_extended_json(
    account: Account,
    profile: CustomerProfile,
    balance: Balance,
    entities: frozenset[str] | None = None,
) -> dict[str, Any]:
    """The account; `entities` limits which sub-objects are included (None: all)."""
    status = ACCOUNT_STATUS.get(account.status, "INACTIVE")
    body: dict[str, Any] = {
        "id": account.account_id,
        "account_number": account.account_number,
        "status": status,
        "crypto_status": status,
        "kyc_results": None,
        "currency": account.base_currency,
        "last_equity": decimal_text(balance.last_equity),
        "created_at": created_at_text(account),
        "account_name": f"{profile.given_name} {profile.family_name}",
        "account_type": "trading",
        "account_sub_type": None,
        "enabled_assets": ["us_equity", "crypto"],
    }
    for name, value in _entities(account, profile).items():
        if entities is None or name in entities:
            body[name] = value
    return body


def trade_account_json(account: Account, balance: Balance, positions: list[Position]) -> dict:
    """The Trading API account plus the Broker API's extras."""
    body = account_json(account, balance, positions)
    body["status"] = ACCOUNT_STATUS.get(account.status, "INACTIVE")
    body["crypto_status"] = body["status"]
    body["created_at"] = created_at_text(account)
    body["clearing_broker"] = "VELOX"
    body["cash_withdrawable"] = decimal_text(max(balance.cash, Decimal(0)))
    body["cash_transferable"] = body["cash_withdrawable"]
    body["position_market_value"] = decimal_text(
        balance.long_market_value + balance.short_market_value
    )
    body["bod_dtbp"] = body["daytrading_buying_power"]
    body["admin_configurations"] = {}
    body["user_configurations"] = None
    body["memoposts"] = "0"
    # The previous close's figures (the world's cash is the same then).
    long_before = sum(
        (p.quantity * p.lastday_price for p in positions if p.side == "long"), Decimal(0)
    )
    short_before = -sum(
        (p.quantity * p.lastday_price for p in positions if p.side == "short"), Decimal(0)
    )
    close = balance.as_of.replace(hour=21, minute=0, second=0, microsecond=0) - timedelta(days=1)
    body.update(
        {
            "previous_close": offset_timestamp(close, -4),
            "last_cash": decimal_text(balance.cash),
            "last_long_market_value": decimal_text(long_before),
            "last_short_market_value": decimal_text(short_before),
            "last_initial_margin": body["last_maintenance_margin"],
            "last_regt_buying_power": body["regt_buying_power"],
            "last_buying_power": body["buying_power"],
            "last_daytrading_buying_power": body["daytrading_buying_power"],
            "last_daytrade_count": 0,
        }
    )
    return body


def broker_order_json(order: Order, legs: list[Order] | None = None) -> dict[str, Any]:
    body = order_json(order, legs)
    if legs is not None:
        body["legs"] = [broker_order_json(leg) for leg in legs]
    body.update(
        {
            "cancel_requested_at": None,
            "commission": decimal_text(COMMISSION),
            "commission_bps": None,
            "commission_type": "notional",
        }
    )
    return body
