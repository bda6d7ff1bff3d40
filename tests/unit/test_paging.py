"""The inclusive time-window paginator over an in-memory list sorted by time: every row
once however the page boundaries fall among rows sharing an instant, and a clear error
when more than a page shares one."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

import pytest

from brokers.paging import InclusiveTimeWindowPaginator, StalledPaging

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
