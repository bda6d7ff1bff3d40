"""`GET /v2/events/trades`: the partner's trade events as Server-Sent Events.

The spec's rules: `since`/`until` (dates) or `since_id`/`until_id` (ULIDs); `since` and
`since_id` not both, `until` only with `since`, `until_id` only with `since_id`. Without a
start no history is sent; once `until` is reached the stream ends (200). A range that
reaches past the world's clock streams what has happened, then stays open (the world does
not move while served), sending comment heartbeats, until the client goes away.

Each event is `data: <TradeUpdateEventV2>`; its `event_id` is a ULID of the event's
millisecond whose random part orders events within it (microsecond, then the order's
step), so ids sort as the events happened. Computing a window draws every account's
plans (seconds at thousands of accounts), so heartbeats are sent meanwhile too.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable, Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, TypeVar

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from sandbox.alpaca_broker.render import broker_order_json
from sandbox.alpaca_trading.errors import invalid
from sandbox.alpaca_trading.wire import EPOCH, MICROSECOND, epoch_micros, utc_timestamp
from sandbox.world import World
from sandbox.world.randomness import stable_int
from sandbox.world.trade_events import TradeEvent

HEARTBEAT_SECONDS = 5.0
HEARTBEAT = b": heartbeat\n\n"
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_DIGITS = {c: i for i, c in enumerate(CROCKFORD)}
# The Order status an event sets -> the event's name (the rest are named as the status).
EVENT_NAMES = {"partially_filled": "partial_fill", "filled": "fill"}
FILLS = frozenset({"partial_fill", "fill"})
STAMPED = frozenset({"fill", "partial_fill", "canceled", "expired", "replaced", "rejected"})
T = TypeVar("T")


def encode_ulid(value: int) -> str:
    return "".join(CROCKFORD[(value >> (5 * (25 - i))) & 31] for i in range(26))


def decode_ulid(text: str) -> int:
    """A ULID's 128-bit value; ValueError (or KeyError) when it is not one."""
    if len(text) != 26 or text[0] > "7":
        raise ValueError(text)
    value = 0
    for char in text.upper():
        value = value * 32 + _DIGITS[char]  # KeyError: not a ULID character
    return value


def event_ulid(event: TradeEvent) -> int:
    micros = epoch_micros(event.at)
    noise = stable_int(event.plan.order.order_id, event.index) & ((1 << 62) - 1)
    return (micros // 1000) << 80 | (micros % 1000) << 70 | (event.index & 0xFF) << 62 | noise


def _ulid_instant(value: int) -> datetime:
    return EPOCH + timedelta(milliseconds=value >> 80)


def _param(params: Mapping[str, str], name: str, read: Callable[[str], T], form: str) -> T | None:
    text = params.get(name)
    if not text:
        return None
    try:
        return read(text)
    except (ValueError, KeyError):
        raise invalid(f"invalid {name}: {text!r}, expected {form}") from None


def _day(params: Mapping[str, str], name: str) -> date | None:
    return _param(params, name, date.fromisoformat, "YYYY-MM-DD")


def _ulid(params: Mapping[str, str], name: str) -> int | None:
    return _param(params, name, decode_ulid, "a ULID")


class Window:
    """Which events a request asks for: ids in (low, high] within (after, until]."""

    def __init__(self, params: Mapping[str, str], clock: datetime) -> None:
        since, until = _day(params, "since"), _day(params, "until")
        since_id, until_id = _ulid(params, "since_id"), _ulid(params, "until_id")
        if since is not None and since_id is not None:
            raise invalid("since and since_id cannot be used at the same time")
        if until is not None and until_id is not None:
            raise invalid("until and until_id cannot be used at the same time")
        if until is not None and since is None:
            raise invalid("since is required if until is specified")
        if until_id is not None and since_id is None:
            raise invalid("since_id is required if until_id is specified")
        self.low, self.high = -1, 1 << 128
        self.after = clock  # no start: nothing past, only what comes
        self.until: datetime | None = None  # the latest instant asked for; None: none
        self.ends_at: datetime | None = None  # when the range is over (None: never)
        if since is not None:
            self.after = datetime.combine(since, time(0), tzinfo=UTC) - MICROSECOND
        if since_id is not None:
            self.low = since_id
            self.after = _ulid_instant(since_id) - MICROSECOND
        if until is not None:
            self.until = (
                datetime.combine(until, time(0), tzinfo=UTC) + timedelta(days=1) - MICROSECOND
            )
            self.ends_at = self.until
        if until_id is not None:
            self.high = until_id
            self.ends_at = _ulid_instant(until_id)
            self.until = self.ends_at + timedelta(microseconds=999)

    def ends_by(self, clock: datetime) -> bool:
        """Whether the range is over by `clock` (the stream ends after its events)."""
        return self.ends_at is not None and self.ends_at <= clock


def event_json(event: TradeEvent, ulid: int) -> dict[str, Any]:
    order = event.order()
    legs = event.leg_orders() if event.legs else None
    name = EVENT_NAMES.get(event.status, event.status)
    at = utc_timestamp(event.at)
    body: dict[str, Any] = {
        "account_id": order.account_id,
        "at": at,
        "event": name,
        "event_id": encode_ulid(ulid),
        "order": broker_order_json(order, legs),
    }
    if name in STAMPED:
        body["timestamp"] = at
    if name in FILLS:
        step = event.plan.events[event.index]
        before = event.plan.events[event.index - 1].filled_quantity if event.index else 0
        body["execution_id"] = str(stable_int("execution", order.order_id, event.index))
        body["price"] = str(step.filled_avg_price)
        body["qty"] = str(step.filled_quantity - before)
    return body


async def _stream(world: World, window: Window) -> AsyncIterator[bytes]:
    """Heartbeats from the start until the window's events are drawn (the answer begins
    at once, however long that takes), then the events in id order."""
    drawing = asyncio.ensure_future(
        asyncio.to_thread(world.trade_events, window.after, window.until or world.clock)
    )
    while not drawing.done():
        yield HEARTBEAT
        await asyncio.wait({drawing}, timeout=HEARTBEAT_SECONDS)
    events = drawing.result()
    for ulid, n in sorted((event_ulid(event), n) for n, event in enumerate(events)):
        if window.low < ulid <= window.high:
            yield b"data: " + json.dumps(event_json(events[n], ulid)).encode() + b"\n\n"
    if window.ends_by(world.clock):
        return
    while True:  # the range reaches past the clock: nothing more happens in this world
        await asyncio.sleep(HEARTBEAT_SECONDS)
        yield HEARTBEAT


async def trade_events(request: Request) -> Response:
    world: World = request.state.world
    window = Window(request.query_params, world.clock)
    return StreamingResponse(_stream(world, window), media_type="text/event-stream")
