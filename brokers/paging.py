"""Paginators: how to walk a list endpoint to the end without missing or repeating a row.

A paginator is given a `fetch(params)` for one page (the decoded JSON document, of the
type the paginator `expect`s) and yields pages of new rows. Adding an endpoint means
choosing a paginator, not writing a new loop.

A page of rows is a list of records, or, where the endpoint's `walk` is given a decoder
that reads the body straight into columns, a polars frame of them (`TimeWindowPaginator`
and `TokenPaginator` walk both).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, ClassVar, Protocol

import polars as pl

from brokers.errors import PagingError, PayloadError
from brokers.http import BodyDecoder, Transport
from brokers.parse import rfc3339, to_utc

Row = dict[str, Any]
Page = list[Row] | pl.DataFrame  # records, or a frame of their columns
FetchPage = Callable[[Mapping[str, Any]], Awaitable[Any]]

ONE_MICROSECOND = timedelta(microseconds=1)


class StalledPaging(RuntimeError):
    """A whole page shares one timestamp: a time window cannot move past it."""


class MalformedPage(ValueError):
    """A page is not the document the paginator walks (an envelope without its list)."""


class Paginator(Protocol):
    expect: ClassVar[type]  # the JSON type of one page: list, or dict for an envelope

    def pages(self, fetch: FetchPage, params: Mapping[str, Any]) -> AsyncIterator[Page]: ...


async def walk(
    transport: Transport,
    path: str,
    paginator: Paginator,
    params: Mapping[str, Any],
    *,
    decode: BodyDecoder | None = None,
) -> AsyncIterator[Page]:
    """Every page of a list endpoint, read through the source's transport; a walk that
    cannot progress, or a page that is not what the paginator walks, fails the source,
    naming the endpoint. `decode` reads each body (see `Transport.get_json`): a frame it
    returns stands for a list of records (`TimeWindowPaginator` and `TokenPaginator` walk
    both)."""
    expect = paginator.expect if decode is None else (paginator.expect, pl.DataFrame)

    async def fetch(query: Mapping[str, Any]) -> Any:
        return (await transport.get_json(path, query, expect=expect, decode=decode)).body

    endpoint = f"GET {path}"
    try:
        async for page in paginator.pages(fetch, params):
            yield page
    except StalledPaging as exc:
        raise PagingError(transport.source, str(exc), endpoint=endpoint) from None
    except MalformedPage as exc:
        raise PayloadError(transport.source, str(exc), endpoint=endpoint) from None


@dataclass(frozen=True)
class TimeWindowPaginator:
    """Pages a list ordered by a timestamp, ascending, through an exclusive `after` bound.

    Each next window starts one microsecond before the last row's timestamp, so rows that
    share that timestamp (or carry nanoseconds the bound cannot express) are fetched again
    rather than skipped; ids already yielded are dropped, so none is repeated.
    """

    expect: ClassVar[type] = list
    time_field: str
    id_field: str = "id"
    after_param: str = "after"
    limit_param: str = "limit"
    limit: int = 500

    async def pages(self, fetch: FetchPage, params: Mapping[str, Any]) -> AsyncIterator[Page]:
        after: datetime | None = None
        recent: set[str] = set()  # ids yielded whose time is at or past the current bound
        while True:
            query = {**params, self.limit_param: self.limit}
            if after is not None:
                query[self.after_param] = rfc3339(after)
            page: Page = await fetch(query)
            ids = [str(value) for value in values(page, self.id_field)]
            fresh = kept(page, [i not in recent for i in ids]) if recent else page
            if len(fresh):
                yield fresh
            if len(page) < self.limit:
                return
            if not len(fresh):
                raise StalledPaging(
                    f"{len(page)} rows share the timestamp {rfc3339(after or datetime.min)}; "
                    f"more than one page ({self.limit}) cannot be walked by time"
                )
            times = values(page, self.time_field)
            last = to_utc(times[-1])
            assert last is not None
            next_after = last - ONE_MICROSECOND
            carried = recent if after == next_after else set()
            recent = carried | {
                row_id
                for row_id, time in zip(ids, times, strict=True)
                if (moment := to_utc(time)) is not None and moment >= next_after
            }
            after = next_after


@dataclass(frozen=True)
class InclusiveTimeWindowPaginator:
    """Pages a list sorted ascending by a timestamp through an inclusive lower bound and a
    fixed page size the client cannot choose (Alpaca's accounts: `created_after`, 1000).

    Each next window starts at the last row's timestamp, sent back exactly as the API
    wrote it, so the rows at that instant (at least the last one) come again; ids already
    yielded are dropped, so none is repeated. A full page of rows already seen means a
    whole page shares one instant, which no time window can get past.
    """

    expect: ClassVar[type] = list
    time_field: str
    page_size: int
    after_param: str
    id_field: str = "id"

    async def pages(self, fetch: FetchPage, params: Mapping[str, Any]) -> AsyncIterator[list[Row]]:
        bound: str | None = None
        at_bound: set[str] = set()  # ids yielded whose time equals the current bound
        while True:
            query = dict(params) if bound is None else {**params, self.after_param: bound}
            page = await fetch(query)
            fresh = [row for row in page if str(row[self.id_field]) not in at_bound]
            if fresh:
                yield fresh
            if len(page) < self.page_size:
                return
            if not fresh:
                raise StalledPaging(
                    f"a whole page ({self.page_size} rows) shares the timestamp {bound}: "
                    "rows past them cannot be reached by time"
                )
            last = str(page[-1][self.time_field])
            instant = to_utc(last)
            same = {str(r[self.id_field]) for r in page if to_utc(r[self.time_field]) == instant}
            at_bound = (at_bound | same) if bound is not None and to_utc(bound) == instant else same
            bound = last


@dataclass(frozen=True)
class PageNumberPaginator:
    """Pages numbered from 1 in an envelope `{data, limit, page, total}` (TradrAPI).

    The walk stops when it has been handed `total` rows (or an empty page): the last
    request is the last page, never an empty one after it. The list should be sorted by a
    stable key (the caller's params); rows whose id was already yielded are dropped, so a
    list that shifts between pages never repeats a row.
    """

    expect: ClassVar[type] = dict
    limit: int
    id_field: str | None = "id"
    page_param: str = "page"
    limit_param: str = "limit"

    async def pages(self, fetch: FetchPage, params: Mapping[str, Any]) -> AsyncIterator[list[Row]]:
        number, walked = 1, 0
        seen: set[str] = set()
        while True:
            body = await fetch({**params, self.page_param: number, self.limit_param: self.limit})
            rows, total = _envelope(body)
            fresh = rows
            if self.id_field is not None:
                fresh = [row for row in rows if str(row.get(self.id_field)) not in seen]
                seen.update(str(row.get(self.id_field)) for row in fresh)
            if fresh:
                yield fresh
            walked += len(rows)
            if not rows or walked >= total:
                return
            number += 1


@dataclass(frozen=True)
class TokenPaginator:
    """Pages a list through the id of the previous page's last row (Alpaca's activities:
    `page_token`), in the list's order. A page shorter than the page size is the last:
    the one after it is not asked for (past the end the API answers `[]`, which only a
    full last page costs)."""

    expect: ClassVar[type] = list
    page_size: int
    id_field: str = "id"
    token_param: str = "page_token"
    size_param: str = "page_size"

    async def pages(self, fetch: FetchPage, params: Mapping[str, Any]) -> AsyncIterator[Page]:
        token: str | None = None
        while True:
            query = {**params, self.size_param: self.page_size}
            if token is not None:
                query[self.token_param] = token
            page: Page = await fetch(query)
            if len(page):
                yield page
            if len(page) < self.page_size:
                return
            last_id = _last(page, self.id_field)
            if last_id is None:
                raise MalformedPage(
                    f"the page's last row has no {self.id_field!r}: the next page cannot be "
                    "asked for"
                )
            last = str(last_id)
            if last == token:
                raise StalledPaging(f"the page after {token!r} ends with it again")
            token = last


def values(page: Page, field: str) -> list[Any]:
    """One field of every row of a page, in order."""
    if isinstance(page, pl.DataFrame):
        return page.get_column(field).to_list()
    return [row[field] for row in page]


def _last(page: Page, field: str) -> Any:
    """One field of a page's last row; None when it has none (or is not an object)."""
    if isinstance(page, pl.DataFrame):
        return page.get_column(field)[-1] if field in page.columns else None
    row = page[-1]
    return row.get(field) if isinstance(row, Mapping) else None


def kept(page: Page, keep: list[bool]) -> Page:
    """The rows of a page whose `keep` is true."""
    if isinstance(page, pl.DataFrame):
        return page.filter(pl.Series(keep, dtype=pl.Boolean))
    return [row for row, wanted in zip(page, keep, strict=True) if wanted]


def _envelope(body: Mapping[str, Any]) -> tuple[list[Row], int]:
    rows, total = body.get("data"), body.get("total")
    if not isinstance(rows, list) or not isinstance(total, int) or isinstance(total, bool):
        raise MalformedPage(
            f"expected a page envelope {{data: [...], total: <count>}}, got keys {sorted(body)[:8]}"
        )
    if not all(isinstance(row, dict) for row in rows):
        raise MalformedPage("the envelope's data holds something other than objects")
    return rows, total
