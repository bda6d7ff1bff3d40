"""What every broker connector offers, and the context one fetch runs in.

A connector reads one configured source. Accounts come first (with the users and
connections they belong to); balances, positions, orders and activities are then read
for those accounts, so each canonical table is fetched by its own step.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

import polars as pl

from brokers.access import Access

OTHER = "other"  # the canonical value a broker value no mapping knows lands as
RAW_PREFIX = "raw_"


class Log(Protocol):
    """The part of a logger a connector uses (a `logging.Logger` or Dagster's `context.log`)."""

    def info(self, msg: str, *args: object) -> None: ...
    def warning(self, msg: str, *args: object) -> None: ...


@dataclass(frozen=True)
class FetchContext:
    run_id: str
    fetched_at: datetime  # UTC; stamped on every row of this fetch
    log: Log
    # What the user should know about a fetch that still succeeded (a user skipped, ...);
    # the step logs each as a warning and shows them in its metadata.
    warnings: list[str] = field(default_factory=list)

    # Broker values that landed as `other` (an enum grew), per "table.column": the step
    # lists them in its metadata.
    unknown: dict[str, set[str]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def warn(self, message: str) -> None:
        self.warnings.append(message)
        self.log.warning(message)

    def note_unknown(self, table: str, frame: pl.DataFrame) -> None:
        """Note the raw values of `frame` that landed as `other` (every canonical column
        with a `raw_` twin; blank raw values aside), logging each the first time."""
        for raw in (name for name in frame.columns if name.startswith(RAW_PREFIX)):
            column = raw.removeprefix(RAW_PREFIX)
            if column not in frame.columns:
                continue
            values = (
                frame.filter((pl.col(column) == OTHER) & (pl.col(raw) != ""))
                .get_column(raw)
                .unique()
                .to_list()
            )
            if not values:
                continue
            key = f"{table}.{column}"
            with self._lock:
                seen = self.unknown.setdefault(key, set())
                new = sorted(str(value) for value in values if str(value) not in seen)
                seen.update(new)
            for value in new:
                self.log.info(f"{key}: {value!r} is a value brokerlake does not know: {OTHER}")

    @property
    def unknown_values(self) -> dict[str, list[str]]:
        """The values noted by `note_unknown`, sorted, for a step's metadata."""
        with self._lock:
            return {key: sorted(values) for key, values in sorted(self.unknown.items())}


@dataclass(frozen=True)
class AccountsBatch:
    users: pl.DataFrame
    connections: pl.DataFrame
    accounts: pl.DataFrame
    # Users whose connections and accounts could not be read this time (a rejected
    # secret): their previously landed rows are kept rather than dropped.
    unread_users: tuple[str, ...] = ()


@dataclass(frozen=True)
class Snapshot:
    """A point-in-time table (balances, positions) and the instant it describes, which
    holds even when the frame is empty (an account with no positions today)."""

    frame: pl.DataFrame
    as_of: datetime


@dataclass(frozen=True)
class Window:
    """A span of time (bounds inclusive; None: unbounded) in which a read of an account's
    activities saw every activity the API holds: what the lake held in it and was not
    read again is no longer served (deleted, or re-added under a new id)."""

    start: datetime | None = None
    end: datetime | None = None


@dataclass(frozen=True)
class ActivityPage:
    """Canonical activities, and the accounts whose read ended with them, each with the
    window it saw whole."""

    frame: pl.DataFrame
    covered: Mapping[str, Window] = field(default_factory=dict)


def account_currencies(accounts: pl.DataFrame) -> dict[str, str]:
    """Each account's base currency (its prices are in it), from an accounts frame."""
    return dict(
        zip(
            accounts.get_column("account_id").to_list(),
            accounts.get_column("base_currency").to_list(),
            strict=True,
        )
    )


class Connector(Protocol):
    broker: str  # the canonical `broker` value of its rows

    @property
    def requests_sent(self) -> int: ...

    async def whoami(self) -> Access:
        """What the credentials reach, from one cheap authenticated request (nothing is
        written): for `brokerlake check`."""
        ...

    async def accounts(self, ctx: FetchContext) -> AccountsBatch: ...

    async def balances(self, ctx: FetchContext, accounts: pl.DataFrame) -> Snapshot: ...

    async def positions(self, ctx: FetchContext, accounts: pl.DataFrame) -> Snapshot: ...

    def orders(
        self,
        ctx: FetchContext,
        accounts: pl.DataFrame,
        since: Mapping[str, datetime] | None = None,
    ) -> AsyncIterator[pl.DataFrame]:
        """The orders of the accounts, page by page (one canonical frame per page): every
        order, or where `since` names an account and the API can list by submission
        time, those submitted after that instant (APIs that cannot read all)."""
        ...

    def activities(
        self,
        ctx: FetchContext,
        accounts: pl.DataFrame,
        since: Mapping[str, datetime] | None = None,
        until: datetime | None = None,
    ) -> AsyncIterator[ActivityPage]:
        """The accounts' activities that occurred at or after `since[account]` (an
        account's whole history where it has none) and at or before `until` (when
        given); each account's window read whole comes with the page that ends its read."""
        ...

    async def aclose(self) -> None: ...
