"""Alpaca Broker API v1: a partner's customer accounts through one set of credentials."""

from brokers.alpaca_broker.connector import AlpacaBrokerConnector

__all__ = ["AlpacaBrokerConnector"]
