"""The registry of simulated APIs: each is mounted under its own prefix on one server and
publishes its own entry in the manifest. Adding a broker is one entry here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from starlette.types import ASGIApp

from sandbox import alpaca_broker, alpaca_trading, snaptrade, tradr
from sandbox.faults import ApiTraits
from sandbox.serving import ServingState
from sandbox.world import World


@dataclass(frozen=True)
class MountedApi:
    prefix: str  # where it is mounted: a client's base URL is server URL + prefix
    build: Callable[[ServingState], ASGIApp]
    describe: Callable[[World], dict[str, Any]]  # manifest entry (base_url is added)
    traits: ApiTraits  # its name (in the manifest and request_counts), limit, headers

    @property
    def name(self) -> str:
        return self.traits.name


APIS: tuple[MountedApi, ...] = (
    MountedApi(
        "/alpaca",
        alpaca_trading.build_app,
        alpaca_trading.describe,
        ApiTraits("alpaca", alpaca_trading.RATE_LIMIT, "epoch", issues_tokens=False),
    ),
    MountedApi(
        "/snaptrade",
        snaptrade.build_app,
        snaptrade.describe,
        ApiTraits("snaptrade", snaptrade.RATE_LIMIT, "seconds", issues_tokens=False),
    ),
    MountedApi(
        "/alpaca-broker",
        alpaca_broker.build_app,
        alpaca_broker.describe,
        ApiTraits("alpaca_broker", alpaca_broker.RATE_LIMIT, "epoch", issues_tokens=True),
    ),
    MountedApi(
        "/tradr",
        tradr.build_app,
        tradr.describe,
        ApiTraits("tradr", tradr.RATE_LIMIT, None, issues_tokens=False),
    ),
)
