"""Account activities in Alpaca's shapes: `GET /v2/account/activities` (the key's
account) and the Broker API's `GET /v1/accounts/activities` (every account of the
partner, each activity naming its account).

Ids start with the activity's time to the millisecond, then the world's id, so sorting
by id sorts by time, as Alpaca's ids do; a listing is in id order, newest first unless
`direction=asc`, and pages by `page_token` (the last id of the previous page: the next
page starts after it in the listing's direction). `after` and `until` bound the time
(a fill's `transaction_time`, another activity's `created_at`), both exclusive; `date`
keeps one UTC day and, without a `page_size`, returns all of it in one answer, as the
API documents. A fill is a trade activity (FILL); everything else a non-trade activity:
deposits and withdrawals (CSD, CSW), positions transferred in (ACATS), dividends (DIV),
interest (INT), fees (FEE), journals (JNLC, the journal's id in the description as
`ID: <id> - ...`), splits (SPLIT, a REMOVE and an ADD leg sharing a `group_id`).
Pending and canceled activities are not listed: the Broker API shows a journal waiting
for approval in its journals (journals.py).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC
from decimal import Decimal
from functools import lru_cache
from typing import Any

from sandbox.alpaca_trading.errors import invalid
from sandbox.alpaca_trading.wire import (
    decimal_text,
    epoch_micros,
    optional_decimal,
    order_nanos,
    order_timestamp,
    parse_query_time,
    utc_timestamp,
)
from sandbox.world import Activity, World

NON_TRADE = {  # world kind -> (activity_type, activity_sub_type)
    "deposit": ("CSD", None),
    "withdrawal": ("CSW", None),
    "transfer_in": ("ACATS", None),
    "transfer_out": ("ACATS", None),
    "dividend": ("DIV", "CDIV"),
    "interest": ("INT", "CDT"),
    "fee": ("FEE", None),
    "journal": ("JNLC", None),
    "transfer": ("JNLC", None),
}
DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 100
DAY_NS = 86_400 * 1_000_000_000


def activity_type(activity: Activity) -> str:
    if activity.kind == "fill":
        return "FILL"
    if activity.kind == "split":
        return "SPLIT"
    return NON_TRADE[activity.kind][0]


def _sub_type(activity: Activity) -> str | None:
    if activity.kind == "split":
        return "FSPLIT" if (activity.cum_quantity or 0) > 1 else "RSPLIT"
    return NON_TRADE.get(activity.kind, (None, None))[1]


def activity_id(activity: Activity) -> str:
    moment = activity.at.astimezone(UTC)
    return f"{moment:%Y%m%d%H%M%S}{moment.microsecond // 1000:03d}::{activity.activity_id}"


def _nanos(activity: Activity) -> int:
    """The instant a listing filters on, as the client reads it."""
    if activity.kind == "fill":
        return order_nanos(activity.account_id, activity.at)
    return epoch_micros(activity.at) * 1000


def _symbol(activity: Activity) -> str | None:
    return None if activity.instrument is None else activity.instrument.symbol


def _description(activity: Activity) -> str:
    if activity.kind in ("journal", "transfer") and activity.group_id:
        return f"ID: {activity.group_id} - {activity.description}"
    if activity.kind == "split":
        removed = activity.quantity < 0
        return f"{'REMOVE' if removed else 'ADD'}, {activity.description}"
    return activity.description


def activity_json(activity: Activity, *, with_account: bool) -> dict[str, Any]:
    kind = activity_type(activity)
    body: dict[str, Any] = {"id": activity_id(activity), "activity_type": kind}
    if with_account:
        body["account_id"] = activity.account_id
    if kind == "FILL":
        assert activity.cum_quantity is not None and activity.order_quantity is not None
        leaves = activity.order_quantity - activity.cum_quantity
        return {
            **body,
            "transaction_time": order_timestamp(activity.account_id, activity.at),
            "type": "partial_fill" if leaves > 0 else "fill",
            "price": optional_decimal(activity.price),
            "qty": decimal_text(abs(activity.quantity)),
            "side": activity.side,
            "symbol": _symbol(activity),
            "leaves_qty": decimal_text(leaves),
            "order_id": activity.order_id,
            "cum_qty": decimal_text(activity.cum_quantity),
            "order_status": "partially_filled" if leaves > 0 else "filled",
        }
    quantity: Decimal | None = None
    if activity.kind == "dividend":
        quantity = activity.cum_quantity  # the units that earned it
    elif activity.quantity:
        quantity = activity.quantity
    return {
        **body,
        "activity_sub_type": _sub_type(activity),
        "date": activity.at.astimezone(UTC).date().isoformat(),
        "created_at": utc_timestamp(activity.at),
        "net_amount": decimal_text(activity.amount),
        "description": _description(activity),
        "status": "executed",
        "symbol": _symbol(activity),
        "qty": optional_decimal(quantity),
        "price": optional_decimal(activity.price if activity.kind != "dividend" else None),
        "per_share_amount": optional_decimal(activity.per_share),
        "currency": activity.currency,
        "group_id": activity.group_id if activity.kind == "split" else None,
    }


@dataclass(frozen=True)
class ActivityIndex:
    """A listing's activities in id order, with what its filters and pages look up."""

    activities: tuple[Activity, ...]
    ids: tuple[str, ...]
    millis: tuple[int, ...]  # each one's time to the millisecond: ordered as the ids

    @classmethod
    def of(cls, activities: Sequence[Activity]) -> ActivityIndex:
        listed = sorted(
            ((activity_id(a), a) for a in activities if a.is_executed), key=lambda e: e[0]
        )
        return cls(
            activities=tuple(a for _, a in listed),
            ids=tuple(i for i, _ in listed),
            millis=tuple(epoch_micros(a.at) // 1000 for _, a in listed),
        )

    def between(self, after_ns: int | None, until_ns: int | None) -> range:
        """Positions whose time lies in (after, until), by the millisecond order, the
        boundary milliseconds still to be checked to the nanosecond."""
        start = 0 if after_ns is None else bisect_left(self.millis, after_ns // 1_000_000)
        stop = (
            len(self.ids) if until_ns is None else bisect_right(self.millis, until_ns // 1_000_000)
        )
        return range(start, max(start, stop))


@lru_cache(maxsize=16)
def account_index(world: World, account_id: str) -> ActivityIndex:
    """One account's listing (kept: its pages are asked for in turn)."""
    return ActivityIndex.of(world.activities(account_id))


@lru_cache(maxsize=2)
def partner_index(world: World) -> ActivityIndex:
    """Every Broker API account's activities in one listing, built once per world."""
    return ActivityIndex.of(
        [a for account in world.broker_accounts() for a in world.activities(account.account_id)]
    )


def _time_param(params: Mapping[str, str], name: str) -> int | None:
    text = params.get(name)
    if not text:
        return None
    try:
        return parse_query_time(text)
    except ValueError:
        raise invalid(f"invalid {name}: {text!r}") from None


def _page_size(params: Mapping[str, str], whole_day: bool) -> int | None:
    text = params.get("page_size")
    if not text:
        return None if whole_day else DEFAULT_PAGE_SIZE
    try:
        size = int(text)
    except ValueError:
        raise invalid(f"invalid page_size: {text!r}") from None
    if not 1 <= size <= MAX_PAGE_SIZE and not whole_day:
        raise invalid(f"page_size must be between 1 and {MAX_PAGE_SIZE}")
    return size


def select_activities(
    index: ActivityIndex,
    params: Mapping[str, str],
    types: Sequence[str],
    *,
    with_account: bool,
) -> list[dict[str, Any]]:
    """One page of the listing as JSON."""
    direction = params.get("direction") or "desc"
    if direction not in ("asc", "desc"):
        raise invalid(f"invalid direction: {direction!r} (one of asc, desc)")
    wanted = {t.strip().upper() for value in types for t in value.split(",") if t.strip()}
    category = params.get("category")
    if category not in (None, "", "trade_activity", "non_trade_activity"):
        raise invalid(f"invalid category: {category!r}")
    if category and wanted:
        raise invalid("category cannot be used with activity_types")
    after, until = _time_param(params, "after"), _time_param(params, "until")
    day = params.get("date")
    if day:
        try:
            start = parse_query_time(day[:10])
        except ValueError:
            raise invalid(f"invalid date: {day!r}") from None
        after = start - 1 if after is None else max(after, start - 1)
        until = start + DAY_NS if until is None else min(until, start + DAY_NS)
    size = _page_size(params, bool(day))

    def kept(position: int) -> bool:
        activity = index.activities[position]
        instant = _nanos(activity)
        return (
            (after is None or instant > after)
            and (until is None or instant < until)
            and (not wanted or activity_type(activity) in wanted)
            and (not category or (category == "trade_activity") == (activity.kind == "fill"))
        )

    page = []
    for position in _walk(index, index.between(after, until), direction, params.get("page_token")):
        if kept(position):
            page.append(activity_json(index.activities[position], with_account=with_account))
            if size is not None and len(page) == size:
                break
    return page


def _walk(index: ActivityIndex, span: range, direction: str, token: str | None) -> range:
    """The positions a page is taken from, in the listing's direction, after the token."""
    if direction == "asc":
        start = span.start if not token else max(span.start, bisect_right(index.ids, token))
        return range(start, span.stop)
    stop = span.stop if not token else min(span.stop, bisect_left(index.ids, token))
    return range(stop - 1, span.start - 1, -1)
