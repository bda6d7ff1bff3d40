"""How both Alpaca APIs list orders and activities: the paginators and the queries."""

from __future__ import annotations

from datetime import datetime, timedelta

from brokers.paging import TimeWindowPaginator, TokenPaginator
from brokers.parse import rfc3339

ORDERS_PAGE_LIMIT = 500  # the API's maximum
# Orders page by submission time, oldest first; bracket legs ride under their parent
# (nested=true) so every leg keeps its parent's id.
ORDERS = TimeWindowPaginator(time_field="submitted_at", limit=ORDERS_PAGE_LIMIT)
ORDERS_PARAMS = {"status": "all", "direction": "asc", "nested": "true"}


ACTIVITIES_PAGE_SIZE = 100  # the API's maximum
# Activities page by the last id read, oldest first, so a window is read from its start.
ACTIVITIES = TokenPaginator(page_size=ACTIVITIES_PAGE_SIZE)
ONE_MICROSECOND = timedelta(microseconds=1)


def activities_params(since: datetime | None, until: datetime | None) -> dict[str, str]:
    """The listing of activities at or after `since` and at or before `until` (the API's
    bounds are exclusive), oldest first."""
    params = {"direction": "asc"}
    if since is not None:
        params["after"] = rfc3339(since - ONE_MICROSECOND)
    if until is not None:
        params["until"] = rfc3339(until + ONE_MICROSECOND)
    return params


def orders_params(after: datetime | None) -> dict[str, str]:
    """The order listing's query; `after` (exclusive) starts it at a submission time."""
    return {**ORDERS_PARAMS, **({"after": rfc3339(after)} if after else {})}
