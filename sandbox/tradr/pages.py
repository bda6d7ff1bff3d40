"""TradrAPI's list parameters and its pagination envelope `{data, limit, page, total}`:
`page` from 1, `limit` 10 by default and at most MAX_LIMIT, `from`/`to` inclusive."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from starlette.datastructures import QueryParams

from sandbox.tradr.errors import bad_request

T = TypeVar("T")
DEFAULT_LIMIT = 10
MAX_LIMIT = 100
SORT_DIRECTIONS = ("ASC", "DESC")


@dataclass(frozen=True)
class ListQuery:
    page: int
    limit: int
    descending: bool
    sort_by: str
    since: datetime | None
    until: datetime | None


def _positive(params: QueryParams, name: str, default: int) -> int:
    raw = params.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise bad_request(f"{name} must be an integer number") from None
    if value < 1:
        raise bad_request(f"{name} must not be less than 1")
    return value


def _instant(params: QueryParams, name: str) -> datetime | None:
    raw = params.get(name)
    if not raw:
        return None
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise bad_request(f"{name} must be a valid ISO 8601 date string") from None
    if moment.tzinfo is None:
        raise bad_request(f"{name} must carry a timezone")
    return moment


def list_query(params: QueryParams, sort_fields: Sequence[str]) -> ListQuery:
    limit = _positive(params, "limit", DEFAULT_LIMIT)
    if limit > MAX_LIMIT:
        raise bad_request(f"limit must not be greater than {MAX_LIMIT}")
    direction = params.get("sortDir", "DESC")
    if direction not in SORT_DIRECTIONS:
        raise bad_request("sortDir must be one of the following values: ASC, DESC")
    sort_by = params.get("sortBy", sort_fields[0])
    if sort_by not in sort_fields:
        raise bad_request(f"sortBy must be one of the following values: {', '.join(sort_fields)}")
    return ListQuery(
        page=_positive(params, "page", 1),
        limit=limit,
        descending=direction == "DESC",
        sort_by=sort_by,
        since=_instant(params, "from"),
        until=_instant(params, "to"),
    )


def envelope(
    query: ListQuery,
    items: Sequence[T],
    sort_keys: dict[str, Callable[[T], Any]],
    render: Callable[[T], Any],
) -> dict[str, Any]:
    """One page of `items`, sorted by the query's field (each sort key ends with the id,
    so the order is total and pages never overlap), in the documented envelope."""
    ordered = sorted(items, key=sort_keys[query.sort_by], reverse=query.descending)
    start = (query.page - 1) * query.limit
    chosen = ordered[start : start + query.limit]
    return {
        "data": [render(item) for item in chosen],
        "limit": query.limit,
        "page": query.page,
        "total": len(items),
    }


def within(query: ListQuery, moment: datetime) -> bool:
    """Whether `moment` lies in the query's inclusive [from, to]."""
    return (query.since is None or moment >= query.since) and (
        query.until is None or moment <= query.until
    )
