"""Which connector reads which kind of source."""

from __future__ import annotations

from brokers.alpaca import AlpacaTradingConnector
from brokers.alpaca_broker import AlpacaBrokerConnector
from brokers.config import (
    AlpacaBrokerSource,
    AlpacaSource,
    SnapTradeSource,
    SourceConfig,
    TradrSource,
)
from brokers.connector import Connector
from brokers.http import TransportSettings
from brokers.snaptrade import SnapTradeConnector
from brokers.tradr import TradrConnector


def connector_for(source: SourceConfig, settings: TransportSettings | None = None) -> Connector:
    if isinstance(source, AlpacaSource):
        return AlpacaTradingConnector(source, settings)
    if isinstance(source, AlpacaBrokerSource):
        return AlpacaBrokerConnector(source, settings)
    if isinstance(source, SnapTradeSource):
        return SnapTradeConnector(source, settings)
    if isinstance(source, TradrSource):
        return TradrConnector(source, settings)
    raise TypeError(f"no connector for source kind {source.kind!r}")  # pragma: no cover
