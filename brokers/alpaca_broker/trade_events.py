"""The Broker API's trade events stream (`GET /v2/events/trades`): every order update of
every account of the partner, in event-id order, between two ULIDs.

A ULID's first 48 bits are a millisecond since the epoch, so the bounds of a time window
are the lowest id of its first millisecond and the highest of its last: the API compares
ids as the spec promises ("lexically sortable, monotonically increasing"). A stream cut
short is asked for again from the last event read (`since_id` is exclusive), so nothing
is read twice or missed. The server's notice that it dropped messages for a slow reader
makes the read fail: what was dropped cannot be asked for again within that stream.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

from brokers.errors import PayloadError, SourceError, StreamCut
from brokers.http import Transport, decode_json
from brokers.sse import Comment, server_sent_events

log = logging.getLogger("brokerlake.alpaca_broker")

PATH = "/v2/events/trades"
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
RANDOM_BITS = 80
# Comments the API sends before closing a stream: "internal server error" ends it early
# (resumed), a slow reader's "dropped N messages" means events were lost (the read fails).
INTERNAL_ERROR = "internal server error"
DROPPED = "dropped"


def _ulid(value: int) -> str:
    return "".join(CROCKFORD[(value >> (5 * (25 - i))) & 31] for i in range(26))


def _millis(at: datetime) -> int:
    return (at.astimezone(UTC) - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(milliseconds=1)


def first_id_at(at: datetime) -> str:
    """The lowest event id of `at`'s millisecond: a `since_id` that takes that whole
    millisecond (every event id is above it)."""
    return _ulid(_millis(at) << RANDOM_BITS)


def last_id_at(at: datetime) -> str:
    """The highest event id of `at`'s millisecond: an `until_id` that takes all of it."""
    return _ulid((_millis(at) << RANDOM_BITS) | ((1 << RANDOM_BITS) - 1))


async def trade_events(
    transport: Transport, since_id: str, until_id: str, *, max_resumes: int
) -> AsyncIterator[dict[str, Any]]:
    """Every event with an id in (since_id, until_id], each once, in order."""
    resumes = 0
    after = since_id
    while True:
        params = {"since_id": after, "until_id": until_id}
        try:
            async for item in server_sent_events(transport.stream_lines(PATH, params)):
                if isinstance(item, Comment):
                    _check_notice(transport.source, item.text)
                    continue
                event = _event(transport.source, item.data)
                yield event
                after = event["event_id"]
            return
        except StreamCut as cut:
            resumes += 1
            if resumes > max_resumes:
                raise
            log.warning("%s; resuming after event %s (%d of %d)", cut, after, resumes, max_resumes)


def _check_notice(source: str, text: str) -> None:
    if text == INTERNAL_ERROR:
        raise StreamCut(source, f"the API ended the stream: {text!r}", endpoint=f"GET {PATH}")
    if DROPPED in text:
        raise SourceError(
            source,
            f"the trade events stream lost events ({text!r}). The orders read so far stand and "
            "the next run reads the same window again; if it recurs, run with full_refresh "
            "to list every account's orders instead",
            endpoint=f"GET {PATH}",
        )


def _event(source: str, data: str) -> dict[str, Any]:
    try:
        event = decode_json(data)
    except ValueError:
        event = None
    if (
        not isinstance(event, dict)
        or not isinstance(event.get("event_id"), str)
        or not isinstance(event.get("account_id"), str)
        or not isinstance(event.get("order"), dict)
    ):
        raise PayloadError(
            source,
            "a trade event that is not an object with an event_id, an account_id and an "
            f"order: {data[:200]!r}",
            endpoint=f"GET {PATH}",
        )
    return event
