"""The Alpaca Trading API v2, rendered from the world (account, positions, orders)."""

from sandbox.alpaca_trading.app import build_app, describe
from sandbox.limits import LIMIT as RATE_LIMIT

__all__ = ["RATE_LIMIT", "build_app", "describe"]
