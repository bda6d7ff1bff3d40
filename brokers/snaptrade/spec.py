"""SnapTrade as a broker kind."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from brokers.snaptrade.client import RATE_LIMIT
from brokers.snaptrade.config import SnapTradeSource
from brokers.snaptrade.connector import BROKER, SnapTradeConnector
from brokers.spec import BrokerSpec


def sandbox_sources(api: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The partner key with every user's secret; none for a world with no users."""
    if not api["users"]:
        return []
    secrets = {user["user_id"]: user["user_secret"] for user in api["users"]}
    return [
        {
            "name": "sandbox-snaptrade",
            "client_id": api["client_id"],
            "consumer_key": api["consumer_key"],
            "user_secrets": json.dumps(secrets),
        }
    ]


SPEC = BrokerSpec(
    kind="snaptrade",
    broker=BROKER,
    config=SnapTradeSource,
    connector=SnapTradeConnector,
    rate_limit=RATE_LIMIT,
    sandbox_sources=sandbox_sources,
)
