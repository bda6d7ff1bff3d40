"""The SnapTrade API, rendered from the world (users, connections, accounts, holdings,
orders, activities), with SnapTrade's request signatures and rate limit."""

from sandbox.drift import RecordShape
from sandbox.faults import ApiTraits
from sandbox.mounting import MountedApi
from sandbox.snaptrade.app import RATE_LIMIT, build_app, describe

API = MountedApi(
    "/snaptrade",
    build_app,
    describe,
    ApiTraits("snaptrade", RATE_LIMIT, "seconds", issues_tokens=False),
    drift=(RecordShape(r"/accounts/[^/]+/orders", "status", "total_quantity", "execution_price"),),
)

__all__ = ["API", "RATE_LIMIT", "build_app", "describe"]
