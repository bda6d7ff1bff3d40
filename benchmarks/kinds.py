"""The source kinds the benchmarks measure, each with its hooks: the fewest requests a
sync of it can make (computed from the world) and its raw download. The one registration
point of benchmarks/, parallel to `brokers.kinds.SPECS`: a kind left out here is not
benchmarked (its sources are left out of a run)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from assets.activity_windows import ActivitiesRead
from assets.order_sync import OrdersRead
from benchmarks import minimum, raw
from brokers.config import SourceConfig
from sandbox import World

Manifest = Mapping[str, Any]


@dataclass(frozen=True)
class BenchmarkHooks:
    kind: str
    # requests per table step of a full sync
    full_sync: Callable[[World, SourceConfig, Manifest], dict[str, int]]
    # requests of an incremental orders sync, and of an activities sync, as planned
    incremental_sync: Callable[[World, SourceConfig, Manifest, OrdersRead], int]
    activities_sync: Callable[[World, SourceConfig, Manifest, ActivitiesRead], int]
    # every page a sync reads, through the connector's own client, discarded
    download: Callable[[Any, OrdersRead | None], Awaitable[None]]


HOOKS: tuple[BenchmarkHooks, ...] = (
    BenchmarkHooks(
        "alpaca",
        minimum.alpaca_full,
        minimum.alpaca_orders,
        minimum.alpaca_activities,
        raw.alpaca,
    ),
    BenchmarkHooks(
        "alpaca_broker",
        minimum.alpaca_broker_full,
        minimum.alpaca_broker_orders,
        minimum.alpaca_broker_activities,
        raw.alpaca_broker,
    ),
    BenchmarkHooks(
        "snaptrade",
        minimum.snaptrade_full,
        minimum.snaptrade_orders,
        minimum.snaptrade_activities,
        raw.snaptrade,
    ),
    BenchmarkHooks(
        "tradr",
        minimum.tradr_full,
        minimum.tradr_orders,
        minimum.tradr_activities,
        raw.tradr,
    ),
)
BY_KIND: dict[str, BenchmarkHooks] = {hooks.kind: hooks for hooks in HOOKS}
BENCHMARKED = frozenset(BY_KIND)
