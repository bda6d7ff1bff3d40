"""What every broker connector offers, and the context one fetch runs in.

A connector reads one configured source. Accounts come first (with the users and
connections they belong to); balances, positions and orders are then read for those
accounts, so each canonical table is fetched by its own step.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

import polars as pl

from brokers.access import Access


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

    def warn(self, message: str) -> None:
        self.warnings.append(message)
        self.log.warning(message)


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

    async def aclose(self) -> None: ...
