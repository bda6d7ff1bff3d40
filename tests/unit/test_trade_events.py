"""Reading trade events: Server-Sent Events parsed as the format says, the ULID bounds of
a time window, and orders read from events (the latest per order, a leg's parent kept)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import polars as pl

from brokers.alpaca_broker.order_changes import latest_changes
from brokers.alpaca_broker.trade_events import first_id_at, last_id_at
from brokers.sse import Comment, ServerSentEvent, server_sent_events
from sandbox.alpaca_broker.events import decode_ulid
from schemas.validate import REASON


async def _lines(*lines: str):
    for line in lines:
        yield line


def parsed(*lines: str) -> list[ServerSentEvent | Comment]:
    async def collect() -> list[ServerSentEvent | Comment]:
        return [item async for item in server_sent_events(_lines(*lines))]

    return asyncio.run(collect())


def test_events_comments_and_multiline_data():
    got = parsed(
        ": heartbeat", "", "data: {\"a\": 1}", "", "event: fill", "id: 7", "data: one",
        "data: two", "", "data: unfinished",
    )  # fmt: skip
    assert got == [
        Comment("heartbeat"),
        ServerSentEvent('{"a": 1}'),
        ServerSentEvent("one\ntwo", "fill", "7"),
    ]  # an event the stream ends before its blank line is dropped


def test_window_bounds_take_whole_milliseconds():
    at = datetime(2026, 11, 20, 15, 30, 0, 123456, tzinfo=UTC)
    millis = int(datetime(2026, 11, 20, 15, 30, tzinfo=UTC).timestamp()) * 1000 + 123
    low, high = decode_ulid(first_id_at(at)), decode_ulid(last_id_at(at))
    assert low == millis << 80 and high == (millis << 80) | ((1 << 80) - 1)
    assert first_id_at(at) < last_id_at(at) < first_id_at(at + timedelta(milliseconds=1))
    assert len(first_id_at(at)) == 26


def orders(*rows: tuple[str, str | None, int]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "order_id": [r[0] for r in rows],
            "parent_order_id": [r[1] for r in rows],
            "updated_at": [
                datetime(2026, 11, 20, tzinfo=UTC) + timedelta(seconds=r[2]) for r in rows
            ],
            REASON: [None] * len(rows),
        },
        schema_overrides={"parent_order_id": pl.String, REASON: pl.String},
    )


def test_latest_event_per_order_wins_and_legs_keep_their_parents():
    parents = {"landed-leg": "landed-parent"}
    frame = orders(
        ("parent", None, 1),
        ("leg", "parent", 1),  # nested under the parent's event
        ("leg", None, 2),  # the leg's own event shows it alone
        ("landed-leg", None, 3),  # a leg whose parent landed in an earlier run
        ("parent", None, 4),
    )
    got = latest_changes(frame, parents)
    assert got.select("order_id", "parent_order_id", pl.col("updated_at").dt.second()).rows() == [
        ("leg", "parent", 2),
        ("landed-leg", "landed-parent", 3),
        ("parent", None, 4),
    ]
    assert parents["leg"] == "parent"  # learnt for the next batch
    again = latest_changes(orders(("leg", None, 9)), parents)
    assert again["parent_order_id"].to_list() == ["parent"]


def test_rows_that_could_not_be_read_are_all_kept():
    frame = pl.concat(
        [
            orders(("a", None, 1), ("a", None, 2)),
            orders(("a", None, 3)).with_columns(pl.lit("bad qty").alias(REASON)),
            orders(("a", None, 4)).with_columns(pl.lit("bad price").alias(REASON)),
        ]
    )
    got = latest_changes(frame, {})
    assert got.height == 3 and got.filter(pl.col(REASON).is_null())[
        "updated_at"
    ].dt.second().to_list() == [2]
