"""TradrAPI as a broker kind."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from brokers.spec import BrokerSpec
from brokers.tradr.config import TradrSource
from brokers.tradr.connector import BROKER, TradrConnector
from brokers.tradr.endpoints import RATE_LIMIT


def sandbox_sources(api: Mapping[str, Any]) -> list[dict[str, Any]]:
    """A source per key, the user key first."""
    return [
        {"name": f"sandbox-tradr-{label.removesuffix('_key')}", "api_key": key["api_key"]}
        for label, key in sorted(api["keys"].items(), reverse=True)
    ]


SPEC = BrokerSpec(
    kind="tradr",
    broker=BROKER,
    config=TradrSource,
    connector=TradrConnector,
    rate_limit=RATE_LIMIT,
    sandbox_sources=sandbox_sources,
)
