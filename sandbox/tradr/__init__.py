"""The TradrAPI simulator: a CFD/FX back office's REST API over the world's TradrAPI book."""

from sandbox.drift import RecordShape
from sandbox.faults import ApiTraits
from sandbox.mounting import MountedApi
from sandbox.tradr.app import NAME, RATE_LIMIT, build_app, describe
from sandbox.tradr.keys import store_for

API = MountedApi(
    "/tradr",
    build_app,
    describe,
    ApiTraits(NAME, RATE_LIMIT, None, issues_tokens=False),
    drift=(
        RecordShape(r"/orders", "type", "volume", "expiration"),
        RecordShape(r"/positions", None, "volume", "takeProfit"),
    ),
    state=store_for,  # the API keys, as hashes
)

__all__ = ["API", "RATE_LIMIT", "build_app", "describe"]
