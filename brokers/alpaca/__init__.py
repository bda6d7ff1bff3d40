"""Alpaca Trading API v2: one account per key pair."""

from brokers.alpaca.connector import AlpacaTradingConnector
from brokers.alpaca.spec import SPEC

__all__ = ["SPEC", "AlpacaTradingConnector"]
