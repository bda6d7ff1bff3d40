"""The SnapTrade API, rendered from the world (users, connections, accounts, holdings,
orders, activities), with SnapTrade's request signatures and rate limit."""

from sandbox.snaptrade.app import build_app, describe

__all__ = ["build_app", "describe"]
