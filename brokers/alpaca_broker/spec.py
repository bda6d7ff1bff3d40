"""The Alpaca Broker API as a broker kind."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from brokers.alpaca_broker.client import RATE_LIMIT
from brokers.alpaca_broker.config import AlpacaBrokerSource
from brokers.alpaca_broker.connector import BROKER, AlpacaBrokerConnector
from brokers.spec import BrokerSpec


def sandbox_sources(api: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The partner, signing in as an OAuth2 client."""
    return [
        {
            "name": "sandbox-alpaca-broker",
            "token_url": api["base_url"] + api["token_path"],
            "client_id": api["client_id"],
            "client_secret": api["client_secret"],
        }
    ]


SPEC = BrokerSpec(
    kind="alpaca_broker",
    broker=BROKER,
    config=AlpacaBrokerSource,
    connector=AlpacaBrokerConnector,
    rate_limit=RATE_LIMIT,
    sandbox_sources=sandbox_sources,
)
