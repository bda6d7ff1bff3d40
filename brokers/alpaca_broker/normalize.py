"""Alpaca Broker API JSON -> canonical rows (no lineage columns; see brokers.frames).

Each customer account is its own user (`user_kind = broker`, known by the account id
only: no name, e-mail or any other personal field is read) and its own connection (the
partner's access to it). Balances, positions and orders have the Trading API's shapes
and are read by the Trading normalizer.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from brokers.alpaca_common.normalize import ACCOUNT_STATUS, CURRENCY, INSTITUTION
from brokers.parse import mask_account_number, to_decimal, to_utc
from schemas import (
    AccountStatus,
    AccountType,
    ConnectionStatus,
    ConnectionType,
    UserKind,
)


def is_sandbox_host(base_url: str) -> bool:
    """Alpaca's Broker sandbox (broker-api.sandbox.alpaca.markets) holds simulated accounts."""
    return ".sandbox." in (urlsplit(base_url).hostname or "")


def account_type(account: Mapping[str, Any]) -> AccountType:
    """Margin when the account may borrow (max_margin_multiplier above 1), else cash."""
    configurations = account.get("trading_configurations") or {}
    multiplier = to_decimal(configurations.get("max_margin_multiplier"))
    if multiplier is None:
        return AccountType.OTHER
    return AccountType.MARGIN if multiplier > 1 else AccountType.CASH


def account_rows(
    account: Mapping[str, Any], *, base_url: str
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """(user, connection, account) rows for one customer account."""
    account_id = str(account["id"])
    created_at = to_utc(account.get("created_at"))
    raw_status = account.get("status")
    user = {"user_id": account_id, "created_at": created_at, "user_kind": UserKind.BROKER.value}
    connection = {
        "connection_id": account_id,
        "user_id": account_id,
        "institution": INSTITUTION,
        "connection_type": ConnectionType.TRADE.value,  # a partner trades for its customers
        "raw_connection_type": "broker_api",
        "status": ConnectionStatus.ACTIVE.value,  # listed to the partner: reachable
        "raw_status": "listed",
        "created_at": created_at,
        "disabled_at": None,
    }
    row = {
        "account_id": account_id,
        "connection_id": account_id,
        "user_id": account_id,
        "institution": INSTITUTION,
        "account_number_masked": mask_account_number(account.get("account_number")),
        "name": None,  # account_name is the holder's name
        "account_type": account_type(account).value,
        "raw_account_type": account.get("account_type"),
        "status": ACCOUNT_STATUS.get(str(raw_status), AccountStatus.OTHER).value,
        "raw_status": None if raw_status is None else str(raw_status),
        "base_currency": str(account.get("currency") or CURRENCY).upper(),
        "is_paper": is_sandbox_host(base_url),
        "created_at": created_at,
    }
    return user, connection, row
