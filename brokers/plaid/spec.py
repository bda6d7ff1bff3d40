"""Plaid Investments as a broker kind: no orders."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from brokers.plaid.client import RATE_LIMIT
from brokers.plaid.config import PlaidSource
from brokers.plaid.connector import BROKER, PlaidConnector
from brokers.spec import BrokerSpec


def sandbox_sources(api: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The client with every Item's access token; none for a world with no Items."""
    if not api["items"]:
        return []
    return [
        {
            "name": "sandbox-plaid",
            "client_id": api["client_id"],
            "secret": api["secret"],
            "access_tokens": json.dumps([item["access_token"] for item in api["items"]]),
        }
    ]


SPEC = BrokerSpec(
    kind="plaid",
    broker=BROKER,
    config=PlaidSource,
    connector=PlaidConnector,
    rate_limit=RATE_LIMIT,
    sandbox_sources=sandbox_sources,
    has_orders=False,
    preview=True,
)
