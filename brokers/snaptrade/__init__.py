"""SnapTrade: one API key, many end users, each with connections and accounts."""

from brokers.snaptrade.connector import SnapTradeConnector

__all__ = ["SnapTradeConnector"]
