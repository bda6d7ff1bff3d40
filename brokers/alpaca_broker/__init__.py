"""Alpaca Broker API v1: a partner's customer accounts through one set of credentials."""

from brokers.alpaca_broker.connector import AlpacaBrokerConnector
from brokers.alpaca_broker.spec import SPEC

__all__ = ["SPEC", "AlpacaBrokerConnector"]
