"""Plaid Investments, rendered from the world's Items: investment accounts, holdings,
securities and investment transactions, behind Plaid's client keys and access tokens."""

from sandbox.faults import ApiTraits
from sandbox.mounting import MountedApi
from sandbox.plaid.app import NAME, RATE_LIMIT, build_app, describe

API = MountedApi(
    "/plaid",
    build_app,
    describe,
    ApiTraits(NAME, RATE_LIMIT, None, issues_tokens=False),
    present=lambda world: world.sizes.plaid_items > 0,
)

__all__ = ["API", "RATE_LIMIT", "build_app", "describe"]
