"""The worlds a benchmark runs at: the demo world, and a Broker API partner's book of
1,000 or 10,000 accounts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from benchmarks.kinds import BENCHMARKED
from sandbox import WorldSizes

CLOCK = datetime(2026, 11, 20, 15, 30, tzinfo=UTC)  # the full sync's instant
MOVED = CLOCK + timedelta(hours=1)  # the incremental sync's: the world one hour on


@dataclass(frozen=True)
class Scale:
    name: str
    sizes: WorldSizes
    kinds: frozenset[str]  # the source kinds the run reads

    def describe(self) -> str:
        if self.kinds == {"alpaca_broker"}:
            return (
                f"{self.sizes.broker_accounts:,} Broker API accounts x "
                f"{self.sizes.positions_per_account} positions x "
                f"{self.sizes.orders_per_account} orders"
            )
        return "the demo world (every source kind)"


def _partner(accounts: int) -> WorldSizes:
    return WorldSizes(
        alpaca_accounts=0,
        snaptrade_users=0,
        tradr_users=0,
        broker_accounts=accounts,
        positions_per_account=20,
        orders_per_account=200,
    )


ALL_KINDS = BENCHMARKED  # every kind the benchmarks have hooks for
SCALES = {
    "S": Scale("S", WorldSizes(), ALL_KINDS),
    "M": Scale("M", _partner(1_000), frozenset({"alpaca_broker"})),
    "L": Scale("L", _partner(10_000), frozenset({"alpaca_broker"})),
}
