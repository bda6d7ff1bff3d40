"""SnapTrade: one API key, many end users, each with connections and accounts."""

from brokers.snaptrade.connector import SnapTradeConnector
from brokers.snaptrade.spec import SPEC

__all__ = ["SPEC", "SnapTradeConnector"]
