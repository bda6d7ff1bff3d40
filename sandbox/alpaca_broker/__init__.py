"""The Alpaca Broker API v1, rendered from the world's partner accounts, with HTTP Basic
and OAuth2 client credentials."""

from sandbox.alpaca_broker.app import RATE_LIMIT, build_app, describe
from sandbox.drift import ALPACA_ORDERS, ALPACA_POSITIONS, RecordShape
from sandbox.faults import ApiTraits
from sandbox.mounting import MountedApi

API = MountedApi(
    "/alpaca-broker",
    build_app,
    describe,
    ApiTraits("alpaca_broker", RATE_LIMIT, "epoch", issues_tokens=True),
    drift=(
        # A currency no client knows: the account cannot land (its contract wants ISO 4217).
        RecordShape(r"/v1/accounts", "currency", "last_equity", "crypto_status"),
        RecordShape(r"/v1/trading/accounts/[^/]+/orders", *ALPACA_ORDERS),
        RecordShape(r"/v1/trading/accounts/[^/]+/positions", *ALPACA_POSITIONS),
    ),
)

__all__ = ["API", "RATE_LIMIT", "build_app", "describe"]
