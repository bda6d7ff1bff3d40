"""The Alpaca Trading API as a broker kind."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from brokers.alpaca.client import RATE_LIMIT
from brokers.alpaca.config import AlpacaSource
from brokers.alpaca.connector import BROKER, AlpacaTradingConnector
from brokers.spec import BrokerSpec


def sandbox_sources(api: Mapping[str, Any]) -> list[dict[str, Any]]:
    """A source per key pair: one account each."""
    return [
        {
            "name": f"sandbox-alpaca-{number}",
            "key_id": account["key_id"],
            "secret_key": account["secret_key"],
        }
        for number, account in enumerate(api["accounts"], start=1)
    ]


SPEC = BrokerSpec(
    kind="alpaca",
    broker=BROKER,
    config=AlpacaSource,
    connector=AlpacaTradingConnector,
    rate_limit=RATE_LIMIT,
    sandbox_sources=sandbox_sources,
)
