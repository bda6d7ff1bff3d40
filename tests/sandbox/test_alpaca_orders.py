"""`GET /v2/orders` over real HTTP: filters, limits, exclusive time bounds, ties, nesting."""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import httpx
import pytest

from sandbox import World
from sandbox.world import OPEN_ORDER_STATUSES
from tests.sandbox.helpers import AlpacaKey

NINE_DIGITS_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$")
Row = dict[str, Any]


def orders(http: httpx.Client, key: AlpacaKey, **params: object) -> list[Row]:
    response = http.get("/v2/orders", headers=key.headers, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def nanos(text: str) -> int:
    head, fraction = text.rstrip("Z").split(".")
    moment = datetime.fromisoformat(head).replace(tzinfo=UTC)
    return int(moment.timestamp()) * 1_000_000_000 + int(fraction.ljust(9, "0"))


def ns_text(value: int) -> str:
    seconds, fraction = divmod(value, 1_000_000_000)
    return f"{datetime.fromtimestamp(seconds, UTC):%Y-%m-%dT%H:%M:%S}.{fraction:09d}Z"


def ids(rows: list[Row]) -> list[str]:
    return [row["id"] for row in rows]


def world_ids(world: World, key: AlpacaKey, *, top_level: bool = False) -> list[str]:
    return [
        o.order_id
        for o in world.orders(key.account_id)
        if not (top_level and o.parent_order_id is not None)
    ]


def test_defaults_are_open_newest_first_at_most_50(
    http: httpx.Client, keys: list[AlpacaKey], world: World
) -> None:
    for key in keys:
        rows = orders(http, key)
        assert 0 < len(rows) <= 50
        assert {row["status"] for row in rows} <= OPEN_ORDER_STATUSES
        expected = [o.order_id for o in world.orders(key.account_id) if o.is_open]
        assert ids(rows) == list(reversed(expected))[:50]


def test_status_closed_and_all(http: httpx.Client, keys: list[AlpacaKey], world: World) -> None:
    key = keys[0]
    closed = orders(http, key, status="closed", limit=500)
    assert closed and not {row["status"] for row in closed} & OPEN_ORDER_STATUSES
    everything = orders(http, key, status="all", limit=500, direction="asc")
    assert ids(everything) == world_ids(world, key)
    assert len(closed) + len(orders(http, key, limit=500)) == len(everything)


def test_limit_and_direction(http: httpx.Client, keys: list[AlpacaKey]) -> None:
    key = keys[0]
    newest = orders(http, key, status="all", limit=5)
    oldest_first = orders(http, key, status="all", limit=500, direction="asc")
    assert len(newest) == 5
    assert ids(newest) == list(reversed(ids(oldest_first)))[:5]
    stamps = [nanos(row["submitted_at"]) for row in oldest_first]
    assert stamps == sorted(stamps)
    keys_asc = [(nanos(row["submitted_at"]), row["id"]) for row in oldest_first]
    assert keys_asc == sorted(keys_asc)  # ties broken by order id


@pytest.mark.parametrize("limit", ["501", "0", "-1", "10000"])
def test_limit_out_of_range(http: httpx.Client, keys: list[AlpacaKey], limit: str) -> None:
    response = http.get("/v2/orders", headers=keys[0].headers, params={"limit": limit})
    assert response.status_code == 422
    assert response.json() == {"code": 42210000, "message": "limit must be between 1 and 500"}


@pytest.mark.parametrize(
    "params",
    [
        {"status": "done"},
        {"limit": "ten"},
        {"direction": "sideways"},
        {"after": "yesterday"},
        {"until": "2026-11-99"},
        {"nested": "maybe"},
        {"side": "short"},
        {"asset_class": "stocks"},
        {"after_order_id": "a", "before_order_id": "b"},
        {"after_order_id": "a", "after": "2026-11-01"},
    ],
)
def test_bad_parameters(http: httpx.Client, keys: list[AlpacaKey], params: dict[str, str]) -> None:
    response = http.get("/v2/orders", headers=keys[0].headers, params=params)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == 40010001 and isinstance(body["message"], str)


def _tie(rows: list[Row]) -> tuple[str, set[str]]:
    """A submitted_at shared by several orders, and their ids."""
    counts = Counter(row["submitted_at"] for row in rows)
    stamp = next(s for s, n in counts.items() if n > 1)
    return stamp, {row["id"] for row in rows if row["submitted_at"] == stamp}


def test_after_and_until_are_exclusive_to_the_nanosecond(
    http: httpx.Client, keys: list[AlpacaKey]
) -> None:
    key = keys[0]
    everything = orders(http, key, status="all", limit=500)
    stamp, tied = _tie(everything)
    assert len(tied) > 1
    at = nanos(stamp)

    def window(**params: str) -> set[str]:
        return set(ids(orders(http, key, status="all", limit=500, **params)))

    assert not tied & window(after=stamp)
    assert tied <= window(after=ns_text(at - 1))
    assert not tied & window(until=stamp)
    assert tied <= window(until=ns_text(at + 1))
    assert window(after=ns_text(at - 1), until=ns_text(at + 1)) == tied
    # the same instant written with an offset and fewer digits
    just_before = datetime.fromisoformat(stamp[:26]).replace(tzinfo=UTC) - timedelta(microseconds=1)
    eastern = timezone(timedelta(hours=-5))
    assert tied <= window(after=just_before.astimezone(eastern).isoformat())
    assert not tied & window(after=stamp[:26] + "999+00:00")


def test_time_window_paging_meets_ties_at_page_boundaries(
    http: httpx.Client, keys: list[AlpacaKey], world: World
) -> None:
    key = keys[0]
    expected = world_ids(world, key)

    def walk(limit: int, overlap: int) -> list[str]:
        seen: list[str] = []
        after: str | None = None
        while True:
            params: dict[str, object] = {"status": "all", "direction": "asc", "limit": limit}
            if after is not None:
                params["after"] = after
            page = orders(http, key, **params)
            seen += [i for i in ids(page) if i not in seen]
            if len(page) < limit:
                return seen
            after = ns_text(nanos(page[-1]["submitted_at"]) - overlap)

    assert walk(7, overlap=1) == expected  # step back a nanosecond, drop repeats
    naive = [walk(limit, overlap=0) for limit in range(5, 12)]
    assert any(len(found) < len(expected) for found in naive)  # exact `after` skips ties


def test_order_id_cursor(http: httpx.Client, keys: list[AlpacaKey]) -> None:
    key = keys[0]
    everything = ids(orders(http, key, status="all", limit=500, direction="asc"))
    middle = everything[len(everything) // 2]
    after = orders(http, key, status="all", limit=500, direction="asc", after_order_id=middle)
    before = orders(http, key, status="all", limit=500, direction="asc", before_order_id=middle)
    assert ids(after) == everything[len(everything) // 2 + 1 :]
    assert ids(before) == everything[: len(everything) // 2]


def _account_with_legs(world: World, keys: list[AlpacaKey]) -> AlpacaKey:
    return next(k for k in keys if any(o.parent_order_id for o in world.orders(k.account_id)))


def test_nested_rolls_legs_under_their_parent(
    http: httpx.Client, keys: list[AlpacaKey], world: World
) -> None:
    key = _account_with_legs(world, keys)
    flat = orders(http, key, status="all", limit=500)
    nested = orders(http, key, status="all", limit=500, nested="true")
    leg_ids = {o.order_id for o in world.orders(key.account_id) if o.parent_order_id}
    legs = {row["id"]: row for row in flat if row["id"] in leg_ids}
    assert legs and all(row["legs"] is None for row in flat)
    assert not legs.keys() & set(ids(nested))
    assert set(ids(nested)) == set(world_ids(world, key, top_level=True))
    parents = [row for row in nested if row["legs"]]
    assert parents
    for parent in parents:
        assert len(parent["legs"]) == 2
        for leg in parent["legs"]:
            assert leg["submitted_at"] == parent["submitted_at"]
            assert leg["legs"] is None
            assert leg == legs[leg["id"]]
    single = http.get(
        f"/v2/orders/{parents[0]['id']}", headers=key.headers, params={"nested": "true"}
    ).json()
    assert single == parents[0]


def test_symbol_side_and_class_filters(http: httpx.Client, keys: list[AlpacaKey]) -> None:
    key = keys[0]
    everything = orders(http, key, status="all", limit=500)
    symbols = sorted({row["symbol"] for row in everything} - {""})[:2]  # "": multi-leg
    wire_symbols = ",".join(s.replace("/", "") for s in symbols)
    picked = orders(http, key, status="all", limit=500, symbols=wire_symbols)
    assert picked and {row["symbol"] for row in picked} <= set(symbols)
    assert len(picked) == sum(row["symbol"] in symbols for row in everything)
    sells = orders(http, key, status="all", limit=500, side="sell")
    assert sells and {row["side"] for row in sells} == {"sell"}
    crypto = orders(http, key, status="all", limit=500, asset_class="crypto")
    assert {row["asset_class"] for row in crypto} <= {"crypto"}


def test_order_wire_format(http: httpx.Client, keys: list[AlpacaKey], world: World) -> None:
    key = keys[0]
    by_id = {o.order_id: o for o in world.orders(key.account_id)}
    for row in orders(http, key, status="all", limit=500):
        order = by_id[row["id"]]
        for field in ("created_at", "updated_at", "submitted_at"):
            assert NINE_DIGITS_UTC.match(row[field]), row[field]
        assert datetime.fromisoformat(row["submitted_at"][:26] + "+00:00") == order.submitted_at
        assert row["order_class"] == ("" if order.order_class == "simple" else order.order_class)
        for field in ("source", "subtag", "legs"):
            assert row[field] is None
        if order.is_multi_leg_parent:  # no symbol, side or asset of its own, as the spec's
            assert (row["asset_id"], row["symbol"], row["asset_class"], row["side"]) == ("",) * 4
            assert "position_intent" not in row
        else:
            assert row["asset_id"] == order.instrument.asset_id
            assert row["asset_class"] in ("us_equity", "us_option", "crypto")
            assert row["position_intent"] == order.position_intent
        assert isinstance(row["extended_hours"], bool)
        assert isinstance(row["filled_qty"], str)
        assert Decimal(row["filled_qty"]) == order.filled_quantity
        assert row["status"] == order.status
        for field, value in (("qty", order.quantity), ("limit_price", order.limit_price)):
            assert (row[field] is None) == (value is None)
            assert value is None or Decimal(row[field]) == value
