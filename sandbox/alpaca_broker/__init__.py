"""The Alpaca Broker API v1, rendered from the world's partner accounts, with HTTP Basic
and OAuth2 client credentials."""

from sandbox.alpaca_broker.app import build_app, describe

__all__ = ["build_app", "describe"]
