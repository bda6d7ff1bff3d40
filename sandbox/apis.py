"""The registry of simulated APIs: each is mounted under its own prefix on one server and
publishes its own entry in the manifest. Adding a broker is one entry here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from starlette.types import ASGIApp

from sandbox import alpaca_broker, alpaca_trading, snaptrade, tradr
from sandbox.serving import ServingState
from sandbox.world import World


@dataclass(frozen=True)
class MountedApi:
    name: str  # the key under "apis" in the manifest, and in request_counts
    prefix: str  # where it is mounted: a client's base URL is server URL + prefix
    build: Callable[[ServingState], ASGIApp]
    describe: Callable[[World], dict[str, Any]]  # manifest entry (base_url is added)


APIS: tuple[MountedApi, ...] = (
    MountedApi("alpaca", "/alpaca", alpaca_trading.build_app, alpaca_trading.describe),
    MountedApi("snaptrade", "/snaptrade", snaptrade.build_app, snaptrade.describe),
    MountedApi("alpaca_broker", "/alpaca-broker", alpaca_broker.build_app, alpaca_broker.describe),
    MountedApi("tradr", "/tradr", tradr.build_app, tradr.describe),
)
