"""The registry of simulated APIs: each is mounted under its own prefix on one server and
publishes its own entry in the manifest, in this order. Adding a broker is its package
(sandbox/<kind>/, exporting API) and one line here."""

from __future__ import annotations

from sandbox import alpaca_broker, alpaca_trading, plaid, snaptrade, tradr
from sandbox.mounting import MountedApi
from sandbox.world import World

APIS: tuple[MountedApi, ...] = (
    alpaca_trading.API,
    snaptrade.API,
    alpaca_broker.API,
    tradr.API,
    plaid.API,
)


def served(world: World) -> tuple[MountedApi, ...]:
    """The APIs a sandbox over `world` mounts and lists in its manifest."""
    return tuple(api for api in APIS if api.served_by(world))


__all__ = ["APIS", "MountedApi", "served"]
