"""Alpaca Trading API account JSON -> canonical rows (no lineage columns; see
brokers.frames). Orders, positions and balances read as both Alpaca APIs serve them
(brokers.alpaca_common.normalize).

The user and the connection are derived from the key: one key, one account, so both take
the account's id.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from brokers.alpaca_common.normalize import (
    ACCOUNT_STATUS,
    CURRENCY,
    INSTITUTION,
    balance_row,
    position_identity,
    position_row,
)
from brokers.parse import mask_account_number, to_decimal, to_utc
from schemas import AccountStatus, AccountType, ConnectionStatus, ConnectionType, UserKind

__all__ = ["account_is_paper", "account_rows", "balance_row", "position_identity", "position_row"]


def account_is_paper(account: Mapping[str, Any], base_url: str) -> bool:
    return "paper" in base_url or str(account.get("account_number", "")).startswith("PA")


def account_rows(
    account: Mapping[str, Any], *, base_url: str
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """(user, connection, account) rows for the key's account."""
    account_id = str(account["id"])
    created_at = to_utc(account.get("created_at"))
    raw_status = account.get("status")
    status = ACCOUNT_STATUS.get(str(raw_status), AccountStatus.OTHER)
    if status is AccountStatus.OPEN and (
        account.get("trading_blocked") or account.get("account_blocked")
    ):
        status = AccountStatus.RESTRICTED
    multiplier = to_decimal(account.get("multiplier"))
    account_type = (
        AccountType.OTHER
        if multiplier is None
        else AccountType.CASH
        if multiplier <= 1
        else AccountType.MARGIN
    )
    user = {"user_id": account_id, "created_at": created_at, "user_kind": UserKind.DERIVED.value}
    connection = {
        "connection_id": account_id,
        "user_id": account_id,
        "institution": INSTITUTION,
        "connection_type": ConnectionType.TRADE.value,  # an API key pair may trade
        "raw_connection_type": "api_key",
        "status": ConnectionStatus.ACTIVE.value,  # the key was just accepted
        "raw_status": "authorized",
        "created_at": None,
        "disabled_at": None,
    }
    row = {
        "account_id": account_id,
        "connection_id": account_id,
        "user_id": account_id,
        "institution": INSTITUTION,
        "account_number_masked": mask_account_number(account.get("account_number")),
        "name": None,
        "account_type": account_type.value,
        "raw_account_type": None if multiplier is None else f"multiplier={multiplier}",
        "status": status.value,
        "raw_status": None if raw_status is None else str(raw_status),
        "base_currency": str(account.get("currency") or CURRENCY).upper(),
        "is_paper": account_is_paper(account, base_url),
        "created_at": created_at,
    }
    return user, connection, row
