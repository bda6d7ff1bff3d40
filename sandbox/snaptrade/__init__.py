"""The SnapTrade API, rendered from the world (users, connections, accounts, holdings,
orders, activities), with SnapTrade's request signatures and rate limit."""

from sandbox.snaptrade.app import RATE_LIMIT, build_app, describe

__all__ = ["RATE_LIMIT", "build_app", "describe"]
