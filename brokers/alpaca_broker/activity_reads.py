"""Reading a partner's activities with the fewest requests the Broker API allows.

Activities are listed across every account at once (`GET /v1/accounts/activities`), so
no read costs a request per account:

- a first read (no account has a cursor) walks the whole listing, oldest first, 100 a
  page;
- a later one asks for each UTC day from the earliest cursor's to the API's today: with
  a `date`, the API answers a whole day at once whatever its size; an account without a
  cursor yet (opened since) is walked on its own (`account_id`), its whole history;
- a backfill asks for each day of its range.

The partner's journals (`GET /v1/journals`, one request) add what the activities do
not hold: journals waiting for approval or rejected, a row per account under the
journal's id. Pages (frames polars read from the bytes, or records) are read into
canonical rows in batches cut between two instants, so the legs of a journal or a split
(booked at one instant, possibly many accounts' at once) are paired within a batch; a
batch is read in a worker thread while the listing's next pages are fetched.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import polars as pl

from brokers.alpaca_broker.client import AlpacaBrokerClient
from brokers.alpaca_common.activities import journal_rows
from brokers.alpaca_common.activity_frames import activities_frame
from brokers.concurrency import built_behind
from brokers.connector import ActivityPage, FetchContext, Window
from brokers.frames import Row, Unreadable, salvage
from brokers.paging import Page

BATCH_RECORDS = 20_000  # activities read into rows at a time
DAY = timedelta(days=1)
Frame = Callable[[list[Row | Unreadable]], pl.DataFrame]


def midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


def _instants(page: Page) -> list[str]:
    """Each activity's instant: its id starts with its time to the millisecond."""
    if isinstance(page, pl.DataFrame):
        ids = page.get_column("id").to_list()
    else:
        ids = [record.get("id") if isinstance(record, Mapping) else None for record in page]
    return [str(value or "").split("::", 1)[0] for value in ids]


class Batches:
    """Pages gathered, handed over in batches that end between two instants."""

    def __init__(self, size: int = BATCH_RECORDS) -> None:
        self.size = size
        self.pages: list[Page] = []
        self.held = 0

    def add(self, page: Page) -> list[Page] | None:
        """Add a page; a batch when enough are held (the last instant's stay behind)."""
        self.pages.append(page)
        self.held += len(page)
        if self.held < self.size:
            return None
        last: str | None = None
        for n in range(len(self.pages) - 1, -1, -1):  # from the end, to the last instant's start
            instants = _instants(self.pages[n])
            last = instants[-1] if last is None and instants else last
            cut = len(instants)
            while cut and instants[cut - 1] == last:
                cut -= 1
            if cut:
                batch = [*self.pages[:n], self.pages[n][:cut]]
                self.pages = [self.pages[n][cut:], *self.pages[n + 1 :]]
                self.held = sum(len(page) for page in self.pages)
                return batch
        return None  # one instant so far: keep gathering

    def rest(self) -> list[Page]:
        batch, self.pages, self.held = self.pages, [], 0
        return batch


def joined(pages: Sequence[Page]) -> pl.DataFrame | list[dict[str, Any]]:
    """Pages as one frame, or as records when one is (a body polars did not read)."""
    if pages and all(isinstance(page, pl.DataFrame) for page in pages):
        return pl.concat(pages)  # type: ignore[arg-type]
    return [
        record
        for page in pages
        for record in (page.to_dicts() if isinstance(page, pl.DataFrame) else page)
    ]


async def read_activities(
    client: AlpacaBrokerClient,
    accounts: pl.DataFrame,
    currencies: Mapping[str, str],
    frame: Frame,
    since: Mapping[str, datetime] | None,
    until: datetime | None,
    lineage: Sequence[pl.Expr],
    ctx: FetchContext,
) -> AsyncIterator[ActivityPage]:
    ids = sorted(accounts.get_column("account_id").to_list())
    cursors = {a: since[a] for a in ids if since and a in since}

    def rows(pages: Sequence[Page]) -> pl.DataFrame:
        read = joined(pages)
        return activities_frame(
            read, currencies=currencies, rows_frame=frame, lineage=lineage, ctx=ctx
        )

    if not cursors and until is None:  # a first read: the whole listing
        async for read in built_behind(_batched(client.activity_pages()), rows):
            yield ActivityPage(read)
        yield ActivityPage(frame(_journals(await client.journals())), dict.fromkeys(ids, Window()))
        return
    first_day = min(cursors.values()).date() if cursors else date.today()
    walked = [a for a in ids if a not in cursors]
    day = first_day
    while True:  # each day to the API's today (or the backfill's last)
        response = await client.activity_day(day)
        kept = [r for r in response.body if str(r.get("account_id")) not in walked]
        yield ActivityPage(rows([kept]))
        if day >= (until.date() if until else response.server_time.date()):
            break
        day += DAY
    journals = await client.journals(first_day - DAY)
    window = Window(midnight(first_day), until)
    yield ActivityPage(frame(_journals(journals)), dict.fromkeys(cursors, window))
    for account_id in walked:  # opened since the last read: its whole history
        pages = [page async for page in client.activity_pages(account_id)]
        yield ActivityPage(rows(pages), {account_id: Window()})


async def _batched(pages: AsyncIterator[Page]) -> AsyncIterator[list[Page]]:
    """A listing's pages in batches cut between two instants; the last may be empty."""
    batches = Batches()
    async for page in pages:
        batch = batches.add(page)
        if batch is not None:
            yield batch
    yield batches.rest()


def _journals(journals: Iterable[Mapping[str, Any]]) -> list[Row | Unreadable]:
    """Rows of the journals not executed; one that cannot be read is quarantined (under
    the account it is from)."""
    return salvage(
        journals,
        journal_rows,
        lambda j: {"account_id": str(j.get("from_account")), "activity_id": str(j.get("id"))},
    )
