"""The paginators over in-memory lists sorted by time or numbered: every row once however
the page boundaries fall among rows sharing an instant (pages of records or frames alike),
and a clear error when more than a page shares one."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

import polars as pl
import pytest

from brokers.paging import (
    InclusiveTimeWindowPaginator,
    MalformedPage,
    PageNumberPaginator,
    StalledPaging,
    TimeWindowPaginator,
    TokenPaginator,
    values,
)
from brokers.parse import to_utc

PAGE = 4


def listing(times: list[str]) -> list[dict[str, Any]]:
    return [{"id": f"a{i}", "created_at": t} for i, t in enumerate(times)]


def walk(rows: list[dict[str, Any]]) -> tuple[list[str], int]:
    """(ids yielded, requests made): an API with an inclusive `created_after`."""
    paginator = InclusiveTimeWindowPaginator("created_at", PAGE, "created_after")
    calls = 0

    async def fetch(params: Mapping[str, Any]) -> list[dict[str, Any]]:
        nonlocal calls
        calls += 1
        bound = params.get("created_after")
        return [r for r in rows if bound is None or r["created_at"] >= bound][:PAGE]

    async def main() -> list[str]:
        return [row["id"] async for page in paginator.pages(fetch, {}) for row in page]

    return asyncio.run(main()), calls


@pytest.mark.parametrize(
    "times",
    [
        [f"2024-01-0{d}T00:00:00Z" for d in range(1, 10)],  # all distinct
        ["2024-01-01T00:00:00Z"] * 3 + ["2024-01-02T00:00:00Z"] * 3 + ["2024-01-03T00:00:00Z"],
        ["2024-01-01T00:00:00Z"] + ["2024-01-02T00:00:00Z"] * 3 + ["2024-01-03T00:00:00Z"],
        [f"2024-01-0{d}T00:00:00Z" for d in range(1, 5)],  # exactly one full page
        [],
    ],
)
def test_every_row_once(times):
    rows = listing(times)
    ids, _ = walk(rows)
    assert ids == [r["id"] for r in rows]


@pytest.mark.parametrize("tied", [PAGE, PAGE + 2])
def test_a_whole_page_at_one_instant_stops_with_a_clear_error(tied):
    """With a page of rows at one instant the API cannot show whether more follow."""
    rows = listing(["2024-01-01T00:00:00Z"] + ["2024-01-02T00:00:00Z"] * tied)
    with pytest.raises(StalledPaging, match=r"a whole page \(4 rows\) shares the timestamp"):
        walk(rows)


def numbered_walk(
    total: int, limit: int, served_limit: int | None = None
) -> tuple[list[int], list[int]]:
    """(ids yielded, page numbers asked) from an envelope API holding `total` rows that
    serves at most `served_limit` per page."""
    rows = [{"id": i} for i in range(total)]
    asked: list[int] = []

    async def fetch(params: Mapping[str, Any]) -> dict[str, Any]:
        page, size = params["page"], min(params["limit"], served_limit or params["limit"])
        asked.append(page)
        start = (page - 1) * size
        return {"data": rows[start : start + size], "limit": size, "page": page, "total": total}

    async def collect() -> list[int]:
        pager = PageNumberPaginator(limit=limit)
        return [row["id"] async for page in pager.pages(fetch, {}) for row in page]

    return asyncio.run(collect()), asked


@pytest.mark.parametrize(
    ("total", "limit", "pages"),
    [(0, 10, [1]), (7, 10, [1]), (10, 10, [1]), (11, 10, [1, 2]), (230, 100, [1, 2, 3])],
)
def test_page_numbers_stop_exactly_at_total(total, limit, pages):
    ids, asked = numbered_walk(total, limit)
    assert ids == list(range(total))
    assert asked == pages


def test_a_server_that_serves_smaller_pages_is_walked_to_the_end():
    ids, asked = numbered_walk(25, 100, served_limit=10)
    assert ids == list(range(25))
    assert asked == [1, 2, 3]


def test_an_envelope_without_its_list_is_refused():
    async def fetch(params: Mapping[str, Any]) -> dict[str, Any]:
        return {"items": [], "count": 0}

    async def collect() -> None:
        async for _ in PageNumberPaginator(limit=10).pages(fetch, {}):
            pass

    with pytest.raises(MalformedPage, match="expected a page envelope"):
        asyncio.run(collect())


def window_walk(rows: list[dict[str, Any]], *, framed: bool) -> tuple[list[str], int]:
    """(ids yielded, requests made): an API with an exclusive `after` and nanosecond
    timestamps, answering in records or, as a page decoder reads them, in a frame."""
    paginator = TimeWindowPaginator("submitted_at", limit=PAGE)
    calls = 0

    async def fetch(params: Mapping[str, Any]) -> Any:
        nonlocal calls
        calls += 1
        bound = to_utc(params["after"]) if "after" in params else None
        page = [r for r in rows if bound is None or to_utc(r["submitted_at"]) > bound]
        page = page[: params["limit"]]
        return (
            pl.DataFrame(page, schema={"id": pl.String, "submitted_at": pl.String})
            if (framed)
            else page
        )

    async def main() -> list[str]:
        return [i async for page in paginator.pages(fetch, {}) for i in values(page, "id")]

    return asyncio.run(main()), calls


@pytest.mark.parametrize(
    "times",
    [
        [f"2024-01-01T00:00:0{s}.000000001Z" for s in range(9)],  # nanoseconds past the bound
        ["2024-01-01T00:00:00Z"] * 3 + ["2024-01-02T00:00:00.5Z"] * 3 + ["2024-01-03T00:00:00Z"],
        ["2024-01-01T00:00:00Z"]
        + ["2024-01-02T00:00:00.000000007Z"] * 3  # ties with nanoseconds at a page's end
        + ["2024-01-03T00:00:00Z"],
        [f"2024-01-0{d}T00:00:00Z" for d in range(1, 5)],  # exactly one full page
        [],
    ],
)
def test_time_windows_walk_records_and_frames_alike(times):
    rows = [{"id": f"o{i}", "submitted_at": t} for i, t in enumerate(times)]
    as_records = window_walk(rows, framed=False)
    assert as_records[0] == [r["id"] for r in rows]
    assert window_walk(rows, framed=True) == as_records


def _token_walk(rows: list[dict[str, Any]], as_frames: bool) -> tuple[list[str], int]:
    """(ids yielded, requests made): an API paged by the last id read (`page_token`)."""
    paginator = TokenPaginator(page_size=PAGE)
    calls = 0

    async def fetch(params: Mapping[str, Any]) -> Any:
        nonlocal calls
        calls += 1
        token = params.get("page_token")
        start = 0 if token is None else [r.get("id") for r in rows].index(token) + 1
        page = rows[start : start + PAGE]
        return pl.DataFrame(page, schema={"id": pl.String}) if as_frames else page

    async def main() -> list[str]:
        return [
            str(row_id)
            async for page in paginator.pages(fetch, {})
            for row_id in (
                page.get_column("id")
                if isinstance(page, pl.DataFrame)
                else [r.get("id") for r in page]
            )
        ]

    return asyncio.run(main()), calls


@pytest.mark.parametrize("as_frames", [False, True])
@pytest.mark.parametrize("count", [0, 3, 4, 9])
def test_token_pages_walk_records_and_frames_alike(count, as_frames):
    rows = [{"id": f"a{n}"} for n in range(count)]
    ids, calls = _token_walk(rows, as_frames)
    assert ids == [row["id"] for row in rows]
    assert calls == count // PAGE + 1  # a short page is the last


@pytest.mark.parametrize("as_frames", [False, True])
def test_a_full_page_whose_last_row_has_no_id_is_refused(as_frames):
    rows = [{"id": "a0"}, {"id": "a1"}, {"id": "a2"}, {"other": "x"}, {"id": "a4"}]
    with pytest.raises(MalformedPage, match="last row has no 'id'"):
        _token_walk(rows, as_frames)
