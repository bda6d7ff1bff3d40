"""The World: one seeded ground truth at one instant, which every simulated API renders.

Building a World costs nothing; accounts, positions and orders are drawn per account on
first use and kept in small caches, so a world of ten thousand accounts never has to sit
in memory at once. Orders live on an absolute timeline (their times do not depend on the
clock), so two worlds with the same seed agree on every order they both show.
"""

from __future__ import annotations

import dataclasses
import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import TypeVar

from sandbox.world import tradr_trading as tradr
from sandbox.world.accounts import ALPACA, alpaca_account
from sandbox.world.activities import ledger
from sandbox.world.book import Book
from sandbox.world.broker_accounts import (
    ALPACA_BROKER,
    BrokerAccountRecord,
    CustomerProfile,
    broker_account,
)
from sandbox.world.holdings import balance, value
from sandbox.world.lifecycle import OrderPlan
from sandbox.world.model import (
    Account,
    Activity,
    ApiKey,
    Balance,
    Connection,
    Order,
    Position,
    SnapTradeUser,
    WorldSizes,
)
from sandbox.world.plans import SPILL, day_plans
from sandbox.world.prices import swap_rate
from sandbox.world.randomness import rng, uuid4
from sandbox.world.snaptrade_users import SNAPTRADE, UserRecord, snaptrade_user
from sandbox.world.trade_events import TradeEvent, account_trade_events
from sandbox.world.tradr_accounts import TradrAccountRecord, TradrUserRecord, tradr_user
from sandbox.world.tradr_model import (
    TradrAccount,
    TradrBalance,
    TradrOrder,
    TradrPosition,
    TradrTrade,
    TradrTransaction,
    TradrUser,
)
from sandbox.world.transfers import Journal, journal_legs, partner_journals, user_transfer

T = TypeVar("T")
ZERO = Decimal(0)
_MEMO_SIZE = 64
_EVENT_WINDOWS_KEPT = 4


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


@lru_cache(maxsize=16)
def _snaptrade_roster(seed: int, count: int) -> tuple[UserRecord, ...]:
    return tuple(snaptrade_user(seed, index) for index in range(count))


@lru_cache(maxsize=16)
def _snaptrade_accounts(seed: int, count: int) -> dict[str, Account]:
    return {a.account_id: a for record in _snaptrade_roster(seed, count) for a in record.accounts}


@lru_cache(maxsize=8)
def _broker_roster(seed: int, count: int) -> tuple[BrokerAccountRecord, ...]:
    return tuple(broker_account(seed, index) for index in range(count))


@lru_cache(maxsize=8)
def _broker_index(seed: int, count: int) -> dict[str, int]:
    return {r.account.account_id: i for i, r in enumerate(_broker_roster(seed, count))}


@lru_cache(maxsize=8)
def _tradr_roster(seed: int, count: int) -> tuple[TradrUserRecord, ...]:
    return tuple(tradr_user(seed, index) for index in range(count))


@lru_cache(maxsize=8)
def _tradr_accounts(seed: int, count: int) -> dict[int, TradrAccountRecord]:
    return {
        record.account.account_id: record
        for user in _tradr_roster(seed, count)
        for record in user.accounts
    }


# A broken connection stops syncing this long after the world's history starts (plus
# the planned number of days), during a working day.
DISABLED_AT_HOUR = timedelta(hours=14, minutes=7, seconds=31)
# SnapTrade reprocesses one account's history six hours after the default history ends:
# from then on one of its activities carries a new id (the API's documented caveat).
READDED_AFTER_HISTORY = timedelta(hours=6)


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
        # Each account's book (its positions and cash: small), kept for the world's life:
        # an account listing values every account, and a ledger costs its orders' plans.
        self._books: dict[str, Book] = {}
        self._events: OrderedDict[tuple[datetime, datetime], list[TradeEvent]] = OrderedDict()
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
        found: list[Account] = []
        if venue in (None, ALPACA):
            found += [a for a, _ in self._roster() if a.created_at <= self.clock]
        if venue in (None, ALPACA_BROKER):
            found += self.broker_accounts()
        if venue in (None, SNAPTRADE):
            found += sorted(
                (a for a in self._snaptrade_accounts().values() if a.created_at <= self.clock),
                key=lambda a: a.account_id,
            )
        return found

    def account(self, account_id: str) -> Account:
        """Any account of the world, opened yet or not; KeyError if there is none."""
        index = self._index().get(account_id)
        if index is not None:
            return self._roster()[index][0]
        broker_index = self._broker_index().get(account_id)
        if broker_index is not None:
            return self._broker_roster()[broker_index].account
        return self._snaptrade_accounts()[account_id]

    # Alpaca Broker API customer accounts

    def _broker_roster(self) -> tuple[BrokerAccountRecord, ...]:
        return _broker_roster(self.seed, self.sizes.broker_accounts)

    def _broker_index(self) -> dict[str, int]:
        return _broker_index(self.seed, self.sizes.broker_accounts)

    def broker_accounts(self) -> list[Account]:
        """The Broker API partner's accounts opened at or before the clock, by
        (created_at, account_id): the order the API lists them in."""
        opened = [r.account for r in self._broker_roster() if r.account.created_at <= self.clock]
        return sorted(opened, key=lambda a: (a.created_at, a.account_id))

    def customer_profile(self, account_id: str) -> CustomerProfile:
        """The personal data of a Broker API account's holder; KeyError for others."""
        return self._broker_roster()[self._broker_index()[account_id]].profile

    # SnapTrade users and connections

    def _snaptrade_roster(self) -> tuple[UserRecord, ...]:
        return _snaptrade_roster(self.seed, self.sizes.snaptrade_users)

    def _snaptrade_accounts(self) -> dict[str, Account]:
        return _snaptrade_accounts(self.seed, self.sizes.snaptrade_users)

    def snaptrade_users(self) -> list[SnapTradeUser]:
        """SnapTrade users registered at or before the clock, by user id."""
        users = [r.user for r in self._snaptrade_roster() if r.user.created_at <= self.clock]
        return sorted(users, key=lambda u: u.user_id)

    def connections(self, user_id: str | None = None) -> list[Connection]:
        """Connections made at or before the clock (all, or one user's), by id. A broken
        connection carries its `disabled_at` (it is disabled once the clock reaches it)."""
        found = [
            self._dated(connection, days)
            for record in self._snaptrade_roster()
            if user_id in (None, record.user.user_id)
            for connection, days in record.connections
            if connection.created_at <= self.clock
        ]
        return sorted(found, key=lambda c: c.connection_id)

    def connection(self, connection_id: str) -> Connection:
        for record in self._snaptrade_roster():
            for connection, days in record.connections:
                if connection.connection_id == connection_id:
                    return self._dated(connection, days)
        raise KeyError(connection_id)

    def _dated(self, connection: Connection, disabled_after_days: int | None) -> Connection:
        if disabled_after_days is None:
            return connection
        at = self.since.replace(hour=0, minute=0, second=0, microsecond=0)
        at += timedelta(days=disabled_after_days) + DISABLED_AT_HOUR
        return dataclasses.replace(connection, disabled_at=at)

    def accounts_of_user(self, user_id: str) -> list[Account]:
        return [a for a in self.accounts(SNAPTRADE) if a.user_id == user_id]

    def data_as_of(self, account_id: str) -> datetime:
        """The instant an account's data describes: the clock, or for an account behind a
        disabled connection, the moment it was disabled (its last cached state)."""
        account = self.account(account_id)
        if account.venue != SNAPTRADE:
            return self.clock
        disabled_at = self.connection(account.connection_id).disabled_at
        if disabled_at is not None and disabled_at <= self.clock:
            return disabled_at
        return self.clock

    def alpaca_keys(self) -> list[ApiKey]:
        """One key pair per Alpaca account opened at or before the clock."""
        return [key for account, key in self._roster() if account.created_at <= self.clock]

    # TradrAPI users and trading accounts

    def _tradr_record(self, account_id: int) -> TradrAccountRecord:
        return _tradr_accounts(self.seed, self.sizes.tradr_users)[account_id]

    def tradr_users(self) -> list[TradrUser]:
        """TradrAPI users registered at or before the clock, by id."""
        roster = _tradr_roster(self.seed, self.sizes.tradr_users)
        return [r.user for r in roster if r.user.created_at <= self.clock]

    def tradr_accounts(self, user_id: int | None = None) -> list[TradrAccount]:
        """TradrAPI accounts opened at or before the clock (all, or one user's), by id."""
        records = _tradr_accounts(self.seed, self.sizes.tradr_users).values()
        found = [
            r.account
            for r in records
            if r.account.created_at <= self.clock and user_id in (None, r.account.user_id)
        ]
        return sorted(found, key=lambda a: a.account_id)

    def tradr_account(self, account_id: int) -> TradrAccount:
        """Any TradrAPI account, opened yet or not; KeyError if there is none."""
        return self._tradr_record(account_id).account

    def tradr_positions(self, account_id: int) -> list[TradrPosition]:
        """Open positions valued at the clock's day, by id."""
        record = self._tradr_record(account_id)
        if record.account.created_at > self.clock:
            return []
        sizes = self.sizes
        return list(
            self._memoized(
                ("tradr_positions", str(account_id)),
                lambda: tradr.positions(
                    self.seed,
                    record,
                    sizes.tradr_positions_per_account,
                    sizes.tradr_busy_positions,
                    self._tradr_daily(),
                    self.since,
                    self.clock,
                ),
            )
        )

    def tradr_orders(self, account_id: int) -> list[TradrOrder]:
        """Pending orders, by id."""
        record = self._tradr_record(account_id)
        if record.account.created_at > self.clock:
            return []
        return list(tradr.pending_orders(self.seed, record, self.since))

    def tradr_trades(self, account_id: int) -> list[TradrTrade]:
        """Trades closed in [since, clock], by (closed_at, ticket)."""
        record = self._tradr_record(account_id)
        if record.account.created_at > self.clock:
            return []
        return list(
            self._memoized(
                ("tradr_trades", str(account_id)),
                lambda: tradr.closed_trades(
                    self.seed, record, self._tradr_daily(), self.since, self.clock
                ),
            )
        )

    def _tradr_daily(self) -> float:
        """Trades a TradrAPI account opens a day, on average."""
        return self.sizes.tradr_trades_per_account / max(self.sizes.history_days, 1)

    def tradr_transactions(self, account_id: int) -> list[TradrTransaction]:
        """Balance operations up to the clock, by (created_at, id)."""
        record = self._tradr_record(account_id)
        return tradr.transactions(self.seed, record, self.since, self.clock)

    def tradr_balance(self, account_id: int) -> TradrBalance | None:
        """The account's balance at the clock; None before it was opened."""
        record = self._tradr_record(account_id)
        if record.account.created_at > self.clock:
            return None
        return tradr.balance(
            self.seed,
            record,
            self.tradr_positions(account_id),
            self.tradr_trades(account_id),
            self.tradr_transactions(account_id),
            self.clock.date(),
        )

    # holdings: what each account's ledger adds up to

    def _ledger(self, account_id: str) -> tuple[list[Activity], Book]:
        """The account's activities booked by its data's instant, and their sum (kept as
        its book: a listing of every account's activities draws each ledger once, and its
        positions and cash then cost nothing more)."""
        account = self.account(account_id)
        until = self.data_as_of(account_id)

        def draw() -> tuple[list[Activity], Book]:
            drawn = ledger(
                self.seed,
                account,
                self.order_plans(account_id),
                since=self.since,
                until=until,
                positions_per_account=self.sizes.positions_per_account,
                links=self._links(account),
            )
            self._books.setdefault(account_id, drawn[1])
            return drawn

        return self._memoized(("ledger", account_id), draw)

    def _book(self, account_id: str) -> Book:
        """The sum of the account's ledger (kept for every account, unlike the ledger)."""
        book = self._books.get(account_id)
        return book if book is not None else self._ledger(account_id)[1]  # kept as drawn

    def _links(self, account: Account) -> list[Activity]:
        """The account's legs of money moving between two of the world's accounts."""
        legs: list[Activity] = []
        if account.venue == ALPACA_BROKER:
            for journal in self.journals():
                legs += journal_legs(journal, self.clock)
        elif account.venue == SNAPTRADE:
            record = next(r for r in self._snaptrade_roster() if r.user.user_id == account.user_id)
            legs += user_transfer(self.seed, record.accounts, self.since) or ()
        return [leg for leg in legs if leg.account_id == account.account_id]

    def journals(self) -> list[Journal]:
        """The Broker API partner's journals booked by the clock, by creation time."""
        journals = self._memoized(
            ("journals", ""),
            lambda: partner_journals(
                self.seed,
                [r.account for r in self._broker_roster()],
                self.since,
                self.sizes.history_days,
            ),
        )
        return [j for j in journals if j.created_at <= self.clock]

    def positions(self, account_id: str) -> list[Position]:
        """Open positions valued at the clock's day, sorted by symbol."""
        account = self.account(account_id)
        if account.created_at > self.clock:
            return []
        as_of = self.data_as_of(account_id)

        def valued() -> list[Position]:
            held = self._book(account_id).holdings(self.seed, account_id)
            return [value(self.seed, account, holding, as_of) for holding in held]

        return list(self._memoized(("positions", account_id), valued))

    def balances(self, account_id: str) -> list[Balance]:
        """One balance per currency of the account's cash: its base currency's (the
        positions priced in it counting towards its equity), and for Canadian accounts
        a USD balance too (USD cash and US holdings)."""
        account = self.account(account_id)
        if account.created_at > self.clock:
            return []
        cash = self._book(account_id).cash
        positions = self.positions(account_id)
        as_of = self.data_as_of(account_id)
        currencies = set(cash) | {account.base_currency}
        if account.base_currency == "CAD":
            currencies.add("USD")
        if currencies == {account.base_currency}:  # one currency
            return [balance(account, cash.get(account.base_currency, ZERO), positions, as_of)]
        return [
            dataclasses.replace(
                balance(
                    account,
                    cash.get(currency, ZERO),
                    [p for p in positions if p.currency == currency],
                    as_of,
                ),
                currency=currency,
            )
            for currency in sorted(currencies)
        ]

    def activities(self, account_id: str) -> list[Activity]:
        """Every activity the account booked since it opened, up to its data's instant,
        in time order: its positions and cash are exactly the sum of the executed ones."""
        account = self.account(account_id)
        if account.created_at > self.clock:
            return []
        found = list(self._ledger(account_id)[0])
        if account_id == self._readded_account():
            found = self._readded(found, self.data_as_of(account_id))
        return found

    def _readded_account(self) -> str | None:
        """The SnapTrade account whose history SnapTrade reprocesses: the first user's
        first account."""
        roster = self._snaptrade_roster()
        if not roster or not roster[0].accounts:
            return None
        return roster[0].accounts[0].account_id

    def _readded(self, found: list[Activity], until: datetime) -> list[Activity]:
        """Its first interest payment deleted and re-added under a new id, once the
        reprocessing has happened."""
        readded_at = self.since + timedelta(days=self.sizes.history_days) + READDED_AFTER_HISTORY
        first = next((a for a in found if a.kind == "interest"), None)
        if first is None or until < readded_at:
            return found
        new = dataclasses.replace(
            first,
            activity_id=uuid4(rng(first.activity_id, "readded")),
            previous_id=first.activity_id,
        )
        return [new if a is first else a for a in found]

    # orders

    def orders(self, account_id: str) -> list[Order]:
        """Orders submitted in [since, clock], as they stand at the clock, sorted by
        (submitted_at, order_id)."""
        return list(self._memoized(("orders", account_id), lambda: self._orders(account_id)))

    def _orders(self, account_id: str) -> list[Order]:
        clock = self.data_as_of(account_id)
        result = [plan.state_at(clock) for plan in self.order_plans(account_id)]
        result.sort(key=lambda order: (order.submitted_at, order.order_id))
        return result

    def order_plans(self, account_id: str) -> list[OrderPlan]:
        """The plans of the orders `orders` shows (submitted in [since, the account's
        data instant]), whose events include those still to come after the clock."""
        account = self.account(account_id)
        index = self._index().get(account_id)
        wanted = self.sizes.orders_per_account if index is None else self.sizes.orders_for(index)
        daily = wanted / max(self.sizes.history_days, 1)
        clock = self.data_as_of(account_id)
        if account.status == "closed" or daily <= 0 or clock < self.since:
            return []
        day, last_day = (self.since - SPILL).date(), clock.date()
        result: list[OrderPlan] = []
        while day <= last_day:
            for plan in day_plans(self.seed, account, day, daily):
                if self.since <= plan.order.submitted_at <= clock:
                    result.append(plan)
            day += timedelta(days=1)
        if account.account_type == "crypto":  # an exchange account trades crypto only
            result = [plan for plan in result if plan.order.instrument.kind == "crypto"]
        if account.is_lct:  # US stocks and ETFs, priced in the account's currency
            result = [
                plan.localized(
                    swap_rate(self.seed, account.base_currency, plan.order.submitted_at.date())
                )
                for plan in result
                if plan.order.instrument.kind in ("equity", "etf")
            ]
        return result

    def trade_events(self, after: datetime, until: datetime) -> list[TradeEvent]:
        """Every event of the partner's orders in (after, min(until, clock)], account by
        account (an API orders them its own way). Drawing every account's plans is the
        cost (about 10 ms an account), so the latest windows' answers are kept, apart
        from the per-account memo (which a listing of every account would flush)."""
        key = (after, min(until, self.clock))
        with self._lock:
            kept = self._events.get(key)
        if kept is None:
            kept = [
                event
                for account in self.broker_accounts()
                for event in account_trade_events(self.order_plans(account.account_id), *key)
            ]
            with self._lock:
                self._events[key] = kept
                while len(self._events) > _EVENT_WINDOWS_KEPT:
                    self._events.popitem(last=False)
        return list(kept)

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
