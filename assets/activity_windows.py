"""Where a run's read of a source's activities starts, and what it settles.

Activities post and settle late, and a broker may delete one and re-add it under a new
id (SnapTrade says so of its ids), so each run reads, per account, from the latest
activity landed less a look-back, or from the oldest one landed still pending when that
is older (a pending activity executes, or is canceled, any time); an account with none
landed is read whole. The connector says which window of each account it read whole;
a row landed in that window that the read did not return is no longer served by the
API, and goes: the table then equals a full re-read. A row removed so whose account,
type, time, symbol, units and cash match a row the run wrote under another id was
re-added under that id (what is reported); any other was deleted at the broker.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import polars as pl

from brokers.connector import Window

DEFAULT_LOOKBACK = timedelta(days=3)
CURSOR_COLUMNS = ("account_id", "occurred_at", "status")
# What names an activity whatever its id: a re-added one matches its old self on these.
FINGERPRINT = (
    "account_id", "activity_type", "occurred_at", "symbol", "quantity", "amount", "currency"
)  # fmt: skip
ONE_MICROSECOND = timedelta(microseconds=1)


@dataclass(frozen=True)
class ActivitiesRead:
    """How one run reads a source's activities: per account from `since` (absent: its
    whole history), up to `until` (a backfill's end; None: now)."""

    accounts: pl.DataFrame
    since: dict[str, datetime] = field(default_factory=dict)
    until: datetime | None = None

    @property
    def mode(self) -> str:
        if self.until is not None:
            start = min(self.since.values(), default=None)
            return f"backfill from {start and start.isoformat()} to {self.until.isoformat()}"
        if self.since:
            return (
                f"incremental ({len(self.since)} of {self.accounts.height} accounts from a "
                f"cursor, the earliest {min(self.since.values()).isoformat()})"
            )
        return "full"


def activity_cursors(landed: pl.DataFrame, lookback: timedelta) -> dict[str, datetime]:
    """Per account with activities landed: the latest's time less `lookback`, or the
    oldest pending one's when earlier."""
    if landed.is_empty():
        return {}
    per_account = landed.group_by("account_id").agg(
        latest=pl.col("occurred_at").max(),
        oldest_pending=pl.col("occurred_at").filter(pl.col("status") == "pending").min(),
    )
    cursors = {}
    for row in per_account.iter_rows(named=True):
        if row["latest"] is None:
            continue
        start = row["latest"] - lookback
        if row["oldest_pending"] is not None:
            start = min(start, row["oldest_pending"])
        cursors[row["account_id"]] = start
    return cursors


def plan_read(
    accounts: pl.DataFrame,
    landed: pl.DataFrame,
    *,
    lookback: timedelta = DEFAULT_LOOKBACK,
    full_refresh: bool = False,
    backfill: tuple[datetime, datetime] | None = None,
) -> ActivitiesRead:
    """The read of one run: a backfill's range for every account, everything on a full
    refresh, else each account from its cursor (`landed`: the cursor columns of the
    activities landed)."""
    if backfill is not None:
        start, end = backfill
        if end < start:
            raise ValueError(f"a backfill ends after it starts: {start} to {end}")
        ids = accounts.get_column("account_id").to_list()
        return ActivitiesRead(accounts, dict.fromkeys(ids, start), until=end)
    if full_refresh:
        return ActivitiesRead(accounts)
    return ActivitiesRead(accounts, activity_cursors(landed, lookback))


def in_windows(covered: Mapping[str, Window]) -> pl.Expr:
    """Rows of the accounts covered that lie in their windows (occurred_at)."""
    by_window: dict[Window, list[str]] = {}
    for account_id, window in covered.items():
        by_window.setdefault(window, []).append(account_id)
    parts = []
    for window, ids in by_window.items():
        part = pl.col("account_id").is_in(ids)
        if window.start is not None:
            part &= pl.col("occurred_at") >= window.start
        if window.end is not None:
            part &= pl.col("occurred_at") <= window.end
        parts.append(part)
    return pl.any_horizontal(parts) if parts else pl.lit(False)


def readded(removed: pl.DataFrame, written: pl.DataFrame) -> list[tuple[str, str, str]]:
    """(account, old id, new id) of the removed rows a row written under another id
    matches on everything but its id."""
    if removed.is_empty() or written.is_empty():
        return []
    old = removed.select(*FINGERPRINT, old=pl.col("activity_id"))
    new = written.select(*FINGERPRINT, new=pl.col("activity_id"))
    matched = old.join(new, on=list(FINGERPRINT), nulls_equal=True).filter(
        pl.col("old") != pl.col("new")
    )
    return [
        (row["account_id"], row["old"], row["new"])
        for row in matched.unique(subset=["old"], keep="first").iter_rows(named=True)
    ]
