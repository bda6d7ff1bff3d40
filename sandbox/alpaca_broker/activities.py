"""`GET /v1/accounts/activities`: the partner's account activities, newest first by
default, paged by `page_token` (the id of the last activity of the previous page).

Ids start with the activity's time to the millisecond, then the world's id, so sorting by
id sorts by time, as Alpaca's ids do. A fill is a trade activity (FILL); deposits,
withdrawals, dividends, fees and interest are non-trade activities (CSD, CSW, DIV, FEE,
INT) dated by day.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sandbox.alpaca_trading.errors import invalid
from sandbox.alpaca_trading.wire import decimal_text, order_timestamp
from sandbox.world import Activity

NON_TRADE = {
    "CONTRIBUTION": "CSD",
    "WITHDRAWAL": "CSW",
    "DIVIDEND": "DIV",
    "FEE": "FEE",
    "INTEREST": "INT",
}
DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 100


def activity_type(activity: Activity) -> str:
    return "FILL" if activity.type in ("BUY", "SELL") else NON_TRADE.get(activity.type, "MISC")


def activity_id(activity: Activity) -> str:
    moment = activity.trade_date
    return f"{moment:%Y%m%d%H%M%S}{moment.microsecond // 1000:03d}::{activity.activity_id}"


def activity_json(activity: Activity) -> dict[str, Any]:
    kind = activity_type(activity)
    symbol = activity.option_symbol or activity.symbol
    base = {"id": activity_id(activity), "account_id": activity.account_id, "activity_type": kind}
    if kind == "FILL":
        return {
            **base,
            "transaction_time": order_timestamp(activity.account_id, activity.trade_date),
            "type": "fill",
            "price": decimal_text(activity.price),
            "qty": decimal_text(activity.units),
            "cum_qty": decimal_text(activity.units),
            "leaves_qty": "0",
            "side": "buy" if activity.type == "BUY" else "sell",
            "symbol": symbol,
            "order_id": activity.order_id,
            "order_status": "filled",
        }
    return {
        **base,
        "date": activity.trade_date.date().isoformat(),
        "net_amount": decimal_text(activity.amount),
        "description": activity.description,
        "status": "executed",
        "symbol": symbol,
        "qty": decimal_text(activity.units) if activity.units else None,
        "per_share_amount": None,
    }


def page_size(params: Mapping[str, str]) -> int:
    text = params.get("page_size")
    if not text:
        return DEFAULT_PAGE_SIZE
    try:
        size = int(text)
    except ValueError:
        raise invalid(f"invalid page_size: {text!r}") from None
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise invalid(f"page_size must be between 1 and {MAX_PAGE_SIZE}")
    return size


def select_activities(
    activities: Sequence[Activity], params: Mapping[str, str], types: Sequence[str]
) -> list[dict[str, Any]]:
    """One page of activities as JSON, in the requested direction."""
    direction = params.get("direction") or "desc"
    if direction not in ("asc", "desc"):
        raise invalid(f"invalid direction: {direction!r} (one of asc, desc)")
    wanted = {t.strip().upper() for value in types for t in value.split(",") if t.strip()}
    category = params.get("category")
    if category not in (None, "", "trade_activity", "non_trade_activity"):
        raise invalid(f"invalid category: {category!r}")
    chosen = [
        a
        for a in activities
        if (not wanted or activity_type(a) in wanted)
        and (not category or (category == "trade_activity") == (activity_type(a) == "FILL"))
        and (not params.get("date") or a.trade_date.date().isoformat() == params["date"])
    ]
    chosen.sort(key=activity_id, reverse=direction == "desc")
    token = params.get("page_token")
    if token:
        ids = [activity_id(a) for a in chosen]
        if token not in ids:
            raise invalid(f"invalid page_token: {token!r}")
        chosen = chosen[ids.index(token) + 1 :]
    return [activity_json(a) for a in chosen[: page_size(params)]]
