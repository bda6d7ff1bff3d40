"""The Alpaca Trading API v2, rendered from the world (account, positions, orders)."""

from sandbox.alpaca_trading.app import build_app, describe

__all__ = ["build_app", "describe"]
