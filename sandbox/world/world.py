"""The World: one seeded ground truth at one instant, which every simulated API renders.

Building a World costs nothing; accounts, positions and orders are drawn per account on
first use and kept in small caches, so a world of ten thousand accounts never has to sit
in memory at once. Orders live on an absolute timeline (their times do not depend on the
clock), so two worlds with the same seed agree on every order they both show.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import TypeVar

from sandbox.world.accounts import ALPACA, alpaca_account
from sandbox.world.holdings import balance, holdings, starting_cash, value
from sandbox.world.model import Account, ApiKey, Balance, Order, Position, WorldSizes
from sandbox.world.plans import SPILL, day_plans

T = TypeVar("T")
_MEMO_SIZE = 64


def start_of_today() -> datetime:
    now = datetime.now(UTC)
    return now.replace(hour=0, minute=0, second=0, microsecond=0)


def as_utc(moment: datetime) -> datetime:
    """The same instant in UTC; a naive datetime is refused (its instant is unknown)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"the world's clock must be timezone-aware, got {moment!r}")
    return moment.astimezone(UTC)


@lru_cache(maxsize=16)
def _alpaca_roster(seed: int, count: int) -> tuple[tuple[Account, ApiKey], ...]:
    return tuple(alpaca_account(seed, index) for index in range(count))


@lru_cache(maxsize=16)
def _alpaca_index(seed: int, count: int) -> dict[str, int]:
    """Account id -> position in the roster (which fixes per-account sizes)."""
    return {account.account_id: i for i, (account, _) in enumerate(_alpaca_roster(seed, count))}


class World:
    """The world of `seed` as it stands at `clock`.

    Orders are those submitted in [since, clock]; `since` defaults to `history_days`
    before the clock and is kept by `at()`, so moving the clock forward adds orders and
    never removes any.
    """

    def __init__(
        self,
        seed: int = 0,
        clock: datetime | None = None,
        sizes: WorldSizes = WorldSizes(),  # noqa: B008 (frozen, shared safely)
        since: datetime | None = None,
    ) -> None:
        self.seed = seed
        self.clock = start_of_today() if clock is None else as_utc(clock)
        self.sizes = sizes
        self.since = (
            self.clock - timedelta(days=sizes.history_days) if since is None else as_utc(since)
        )
        self._memo: OrderedDict[tuple[str, str], object] = OrderedDict()
        self._lock = threading.Lock()

    def at(self, clock: datetime) -> World:
        """The same world (seed, sizes, history start) at another instant."""
        return World(self.seed, clock, self.sizes, since=self.since)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, World):
            return NotImplemented
        return self._identity() == other._identity()

    def __hash__(self) -> int:
        return hash(self._identity())

    def __repr__(self) -> str:
        return (
            f"World(seed={self.seed}, clock={self.clock.isoformat()}, sizes={self.sizes}, "
            f"since={self.since.isoformat()})"
        )

    def _identity(self) -> tuple[object, ...]:
        return (self.seed, self.clock, self.sizes, self.since)

    # accounts and keys

    def _roster(self) -> tuple[tuple[Account, ApiKey], ...]:
        return _alpaca_roster(self.seed, self.sizes.alpaca_accounts)

    def _index(self) -> dict[str, int]:
        return _alpaca_index(self.seed, self.sizes.alpaca_accounts)

    def accounts(self, venue: str | None = None) -> list[Account]:
        """Accounts opened at or before the clock, of one venue or all."""
        if venue not in (None, ALPACA):
            return []
        return [a for a, _ in self._roster() if a.created_at <= self.clock]

    def account(self, account_id: str) -> Account:
        """Any account of the world, opened yet or not; KeyError if there is none."""
        return self._roster()[self._index()[account_id]][0]

    def alpaca_keys(self) -> list[ApiKey]:
        """One key pair per Alpaca account opened at or before the clock."""
        return [key for account, key in self._roster() if account.created_at <= self.clock]

    # holdings

    def positions(self, account_id: str) -> list[Position]:
        """Open positions valued at the clock's day, sorted by symbol."""
        account = self.account(account_id)
        if account.created_at > self.clock:
            return []
        held = holdings(self.seed, account, self.sizes.positions_per_account)
        valued = self._memoized(
            ("positions", account_id),
            lambda: [value(self.seed, account_id, holding, self.clock) for holding in held],
        )
        return list(valued)

    def balances(self, account_id: str) -> list[Balance]:
        """One balance per currency (USD for Alpaca accounts)."""
        account = self.account(account_id)
        if account.created_at > self.clock:
            return []
        cash = starting_cash(self.seed, account, self.sizes.positions_per_account)
        return [balance(account, cash, self.positions(account_id), self.clock)]

    # orders

    def orders(self, account_id: str) -> list[Order]:
        """Orders submitted in [since, clock], as they stand at the clock, sorted by
        (submitted_at, order_id)."""
        return list(self._memoized(("orders", account_id), lambda: self._orders(account_id)))

    def _orders(self, account_id: str) -> list[Order]:
        account = self.account(account_id)
        daily = self.sizes.orders_for(self._index()[account_id]) / max(self.sizes.history_days, 1)
        if account.status == "closed" or daily <= 0 or self.clock < self.since:
            return []
        day, last_day = (self.since - SPILL).date(), self.clock.date()
        result: list[Order] = []
        while day <= last_day:
            for plan in day_plans(self.seed, account, day, daily):
                if self.since <= plan.order.submitted_at <= self.clock:
                    result.append(plan.state_at(self.clock))
            day += timedelta(days=1)
        result.sort(key=lambda order: (order.submitted_at, order.order_id))
        return result

    def _memoized(self, key: tuple[str, str], compute: Callable[[], T]) -> T:
        """A small per-world LRU: a world is immutable, so its answers never go stale.
        Callers hand out copies of cached lists."""
        with self._lock:
            if key in self._memo:
                self._memo.move_to_end(key)
                return self._memo[key]  # type: ignore[return-value]
        computed = compute()
        with self._lock:
            self._memo[key] = computed
            while len(self._memo) > _MEMO_SIZE:
                self._memo.popitem(last=False)
        return computed
