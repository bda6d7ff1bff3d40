"""The sandbox's trade events stream over HTTP (`GET /v2/events/trades`): the spec's
parameter rules, ids that sort as events happened, every order's events in a window and
each order's last event showing it as the listing does, a stream that stays open past
the clock, and the market clock the reader bounds its window with."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest

from sandbox import Sandbox, World
from sandbox.alpaca_broker.events import decode_ulid

WINDOW = timedelta(days=3)


@pytest.fixture(scope="module")
def broker(sandbox: Sandbox) -> Iterator[httpx.Client]:
    api = sandbox.manifest()["apis"]["alpaca_broker"]
    auth = (api["key_id"], api["secret_key"])
    with httpx.Client(base_url=api["base_url"], auth=auth, timeout=10) as client:
        yield client


def ulid_at(at: datetime, high: bool = False) -> str:
    """The first (or last) id of `at`'s millisecond, as a reader writes one."""
    from brokers.alpaca_broker.trade_events import first_id_at, last_id_at

    return last_id_at(at) if high else first_id_at(at)


def events(broker: httpx.Client, **params: str) -> list[dict[str, Any]]:
    response = broker.get("/v2/events/trades", params=params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/event-stream")
    lines = response.text.split("\n")
    return [json.loads(line.removeprefix("data: ")) for line in lines if line.startswith("data:")]


def test_the_clock_is_the_worlds(broker, world: World):
    clock = broker.get("/v1/clock").json()
    assert datetime.fromisoformat(clock["timestamp"].replace("Z", "+00:00")) == world.clock
    assert set(clock) == {"timestamp", "is_open", "next_open", "next_close"}


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"since": "2026-11-01", "since_id": "01KAHZZZZZZZZZZZZZZZZZZZZZ"}, "same time"),
        ({"until": "2026-11-01"}, "since is required"),
        ({"since_id": "01KAHZZZZZZZZZZZZZZZZZZZZZ", "until": "2026-11-01"}, "since is required"),
        ({"since_id": "not-a-ulid"}, "expected a ULID"),
        ({"since": "yesterday"}, "expected YYYY-MM-DD"),
    ],
)
def test_parameters_out_of_the_rules_are_refused(broker, params, message):
    response = broker.get("/v2/events/trades", params=params)
    assert response.status_code == 422
    assert message in response.json()["message"]


def test_a_window_holds_every_order_change_in_it_in_id_order(broker, world: World):
    start = world.clock - WINDOW
    got = events(broker, since_id=ulid_at(start), until_id=ulid_at(world.clock, high=True))
    assert got, "the window has events"
    ids = [e["event_id"] for e in got]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    assert [decode_ulid(i) >> 80 for i in ids] == [
        int(datetime.fromisoformat(e["at"].replace("Z", "+00:00")).timestamp() * 1000) for e in got
    ]
    # every order updated in the window shows up, its last event as the listing shows it
    last = {e["order"]["id"]: e for e in got}
    for account in world.broker_accounts():
        for order in world.orders(account.account_id):
            if order.updated_at > start:
                event = last.pop(order.order_id, None)
                if event is None:  # a bracket leg's latest state may ride with its parent
                    continue
                assert event["account_id"] == account.account_id
                assert event["order"]["status"] == order.status
    names = {e["event"] for e in got}
    assert {"fill", "new"} & names and not {"filled", "partially_filled"} & names
    fills = [e for e in got if e["event"] == "fill"]
    assert all("price" in e and "qty" in e and "timestamp" in e for e in fills)


def test_since_id_is_exclusive_and_until_id_inclusive(broker, world: World):
    start = world.clock - WINDOW
    every = events(broker, since_id=ulid_at(start), until_id=ulid_at(world.clock, high=True))
    middle = len(every) // 2
    rest = events(broker, since_id=every[middle]["event_id"], until_id=every[-2]["event_id"])
    assert [e["event_id"] for e in rest] == [e["event_id"] for e in every[middle + 1 : -1]]


def test_a_range_past_the_clock_stays_open_with_heartbeats(broker, world: World):
    later = world.clock + timedelta(days=1)
    params = {"since_id": ulid_at(world.clock - WINDOW), "until_id": ulid_at(later)}
    heartbeats_after_data, data = 0, 0
    with broker.stream("GET", "/v2/events/trades", params=params) as response:
        assert response.status_code == 200
        for line in response.iter_lines():
            data += line.startswith("data:")
            heartbeats_after_data += bool(data) and line == ": heartbeat"
            if heartbeats_after_data == 2:
                break  # still open after every event: it would go on
    assert data and heartbeats_after_data == 2
