"""`GET /v2/orders` query semantics: validation, filters, the time window and ordering.

Orders are ordered by (submitted_at as rendered, to the nanosecond; then order id), so
orders that share a timestamp have one stable order and a page boundary can fall between
them. `after`/`until` and the order-id cursors are exclusive.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sandbox.alpaca_trading.errors import LIMIT_OUT_OF_RANGE, ApiError, invalid
from sandbox.alpaca_trading.render import ASSET_CLASS
from sandbox.alpaca_trading.wire import order_nanos, parse_query_time
from sandbox.world import Order

DEFAULT_LIMIT = 50
MAX_LIMIT = 500
ASSET_CLASSES = frozenset(
    {
        "us_equity",
        "us_option",
        "crypto",
        "crypto_perp",
        "treasury",
        "corporate",
        "global_equity",
        "us_index",
        "us_equity_chain",
        "ipo",
        "all",
    }
)
_BOOLEANS = {"true": True, "1": True, "false": False, "0": False}
TIME_FORMAT_HINT = "format: '2006-01-02T15:04:05Z'"


@dataclass(frozen=True)
class OrdersQuery:
    status: str = "open"
    limit: int = DEFAULT_LIMIT
    after_ns: int | None = None
    until_ns: int | None = None
    direction: str = "desc"
    nested: bool = False
    symbols: frozenset[str] | None = None  # crypto pairs without the slash ("BTCUSD")
    side: str | None = None
    asset_classes: frozenset[str] | None = None
    after_order_id: str | None = None
    before_order_id: str | None = None


def _choice(params: Mapping[str, str], name: str, allowed: Sequence[str]) -> str | None:
    value = params.get(name)
    if value is None or value == "":
        return None
    if value not in allowed:
        raise invalid(f"invalid {name}: {value!r} (one of {', '.join(allowed)})")
    return value


def _limit(params: Mapping[str, str]) -> int:
    text = params.get("limit")
    if text is None or text == "":
        return DEFAULT_LIMIT
    try:
        limit = int(text)
    except ValueError:
        raise invalid(f"invalid limit: {text!r}") from None
    if not 1 <= limit <= MAX_LIMIT:
        raise ApiError(422, LIMIT_OUT_OF_RANGE, f"limit must be between 1 and {MAX_LIMIT}")
    return limit


def _time(params: Mapping[str, str], name: str) -> int | None:
    text = params.get(name)
    if text is None or text == "":
        return None
    try:
        return parse_query_time(text)
    except ValueError:
        raise invalid(f"invalid format for {name}; {TIME_FORMAT_HINT}") from None


def _list(values: Sequence[str]) -> frozenset[str] | None:
    items = {item.strip() for value in values for item in value.split(",") if item.strip()}
    return frozenset(items) or None


def parse_orders_query(params: Mapping[str, str], asset_class: Sequence[str] = ()) -> OrdersQuery:
    """The query, or ApiError (422) naming the first bad parameter."""
    nested_text = params.get("nested")
    nested = False
    if nested_text:
        if nested_text.lower() not in _BOOLEANS:
            raise invalid(f"invalid nested: {nested_text!r}")
        nested = _BOOLEANS[nested_text.lower()]
    classes = _list(asset_class)
    if classes and not classes <= ASSET_CLASSES:
        raise invalid(f"invalid asset_class: {', '.join(sorted(classes - ASSET_CLASSES))}")
    query = OrdersQuery(
        status=_choice(params, "status", ("open", "closed", "all")) or "open",
        limit=_limit(params),
        after_ns=_time(params, "after"),
        until_ns=_time(params, "until"),
        direction=_choice(params, "direction", ("asc", "desc")) or "desc",
        nested=nested,
        symbols=_list([_symbol_key(params.get("symbols", ""))]),
        side=_choice(params, "side", ("buy", "sell")),
        asset_classes=None if classes is None or "all" in classes else classes,
        after_order_id=params.get("after_order_id") or None,
        before_order_id=params.get("before_order_id") or None,
    )
    if query.after_order_id and query.before_order_id:
        raise invalid("after_order_id and before_order_id are mutually exclusive")
    cursor = query.after_order_id or query.before_order_id
    if cursor and (query.after_ns is not None or query.until_ns is not None):
        raise invalid("after_order_id/before_order_id cannot be combined with after/until")
    return query


def _key(order: Order) -> tuple[int, str]:
    return order_nanos(order.account_id, order.submitted_at), order.order_id


def _symbol_key(symbol: str) -> str:
    return symbol.replace("/", "")


def _matches(query: OrdersQuery, order: Order, cursor: tuple[int, str] | None) -> bool:
    if query.status == "open" and not order.is_open:
        return False
    if query.status == "closed" and order.is_open:
        return False
    parent = order.is_multi_leg_parent  # its symbol and asset class are "" on the wire
    if query.symbols and (parent or _symbol_key(order.instrument.symbol) not in query.symbols):
        return False
    if query.side and order.side != query.side:
        return False
    if query.asset_classes and (
        parent or ASSET_CLASS[order.instrument.kind] not in query.asset_classes
    ):
        return False
    nanos, _ = key = _key(order)
    if query.after_ns is not None and nanos <= query.after_ns:
        return False
    if query.until_ns is not None and nanos >= query.until_ns:
        return False
    if cursor is not None:
        return key > cursor if query.after_order_id else key < cursor
    return True


def select_orders(
    query: OrdersQuery, orders: list[Order]
) -> list[tuple[Order, list[Order] | None]]:
    """The page: (order, its legs when nested) in the requested direction, at most `limit`."""
    cursor = None
    cursor_id = query.after_order_id or query.before_order_id
    if cursor_id:
        found = next((o for o in orders if o.order_id == cursor_id), None)
        if found is None:
            raise invalid(f"order not found: {cursor_id}")
        cursor = _key(found)
    legs: dict[str, list[Order]] = {}
    if query.nested:
        for order in orders:
            if order.parent_order_id is not None:
                legs.setdefault(order.parent_order_id, []).append(order)
    top = [o for o in orders if not (query.nested and o.parent_order_id is not None)]
    chosen = sorted((o for o in top if _matches(query, o, cursor)), key=_key)
    if query.direction == "desc":
        chosen.reverse()
    page = chosen[: query.limit]
    if not query.nested:
        return [(order, None) for order in page]
    return [
        (order, sorted(legs[order.order_id], key=_key) if order.order_id in legs else None)
        for order in page
    ]
