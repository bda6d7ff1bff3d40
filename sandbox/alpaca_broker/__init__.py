"""The Alpaca Broker API v1, rendered from the world's partner accounts, with HTTP Basic
and OAuth2 client credentials."""

from sandbox.alpaca_broker.app import RATE_LIMIT, build_app, describe

__all__ = ["RATE_LIMIT", "build_app", "describe"]
