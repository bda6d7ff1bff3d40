"""Alpaca Trading API v2: one account per key pair."""

from brokers.alpaca.connector import AlpacaTradingConnector

__all__ = ["AlpacaTradingConnector"]
