"""The Alpaca Trading API v2, rendered from the world (account, positions, orders)."""

from sandbox.alpaca_trading.app import build_app, describe
from sandbox.drift import ALPACA_ORDERS, ALPACA_POSITIONS, RecordShape
from sandbox.faults import ApiTraits
from sandbox.limits import LIMIT as RATE_LIMIT
from sandbox.mounting import MountedApi

API = MountedApi(
    "/alpaca",
    build_app,
    describe,
    ApiTraits("alpaca", RATE_LIMIT, "epoch", issues_tokens=False),
    drift=(
        RecordShape(r"/v2/orders", *ALPACA_ORDERS),
        RecordShape(r"/v2/positions", *ALPACA_POSITIONS),
    ),
)

__all__ = ["API", "RATE_LIMIT", "build_app", "describe"]
