"""Alpaca's activities read column-wise give the rows reading them one by one gives: the
world's whole Broker API listing as the sandbox renders it, from decoded records and
from the frame polars reads from its bytes, and records in unusual forms (numbers for
text, a timestamp without an offset, a missing symbol, a journal's leg), some of which
send the listing through the reading one by one."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import polars as pl
import pytest

from brokers.alpaca_common.activities import activity_rows
from brokers.alpaca_common.activity_frames import activities_frame, columnwise_rows
from brokers.alpaca_common.activity_pages import activity_page
from brokers.connector import FetchContext
from brokers.frames import Row, Unreadable, canonical_frame, lineage_columns
from sandbox import World
from sandbox.alpaca_trading.activities import activity_json, partner_index

CLOCK = datetime(2026, 11, 20, 15, 30, tzinfo=UTC)
CTX = FetchContext("run", CLOCK, logging.getLogger("test"))
LINEAGE = {"source": "partner", "broker": "alpaca"}


def rows_frame(rows: list[Row | Unreadable]) -> pl.DataFrame:
    return canonical_frame("activities", rows, ctx=CTX, **LINEAGE)


def both(records: list[dict[str, Any]], **options: Any) -> tuple[pl.DataFrame, pl.DataFrame]:
    currencies = options.pop("currencies", {})
    columnwise = activities_frame(
        records,
        currencies=currencies,
        rows_frame=rows_frame,
        lineage=lineage_columns("activities", ctx=CTX, **LINEAGE),
        ctx=CTX,
        **options,
    )
    one_by_one = rows_frame(activity_rows(records, currencies=currencies, **options))
    key = ["account_id", "activity_id"]
    return columnwise.sort(key), one_by_one.sort(key)


@pytest.fixture(scope="module")
def listing() -> list[dict[str, Any]]:
    """The partner's whole listing, decoded as the client decodes it (exact decimals)."""
    world = World(0, CLOCK)
    index = partner_index(world)
    body = json.dumps([activity_json(a, with_account=True) for a in index.activities])
    return json.loads(body, parse_float=Decimal)


def test_the_worlds_listing_reads_the_same_both_ways(listing):
    currencies = {a.account_id: a.base_currency for a in World(0, CLOCK).broker_accounts()}
    assert sum(r["activity_type"] == "FILL" for r in listing) > 1000
    columnwise, one_by_one = both(listing, currencies=currencies)
    assert columnwise.equals(one_by_one)
    fills = [r for r in listing if r["activity_type"] == "FILL"]
    lineage = lineage_columns("activities", ctx=CTX, **LINEAGE)
    assert columnwise_rows(fills, currencies, lineage) is not None  # read column-wise
    assert columnwise_rows(listing, currencies, lineage) is not None  # the others too
    assert {"trade", "dividend", "journal"} <= set(columnwise["activity_type"])


def test_the_listings_pages_read_by_polars_give_the_same_rows(listing):
    currencies = {a.account_id: a.base_currency for a in World(0, CLOCK).broker_accounts()}
    lineage = lineage_columns("activities", ctx=CTX, **LINEAGE)
    pages = [
        activity_page(json.dumps(listing[n : n + 100], default=str).encode())
        for n in range(0, len(listing), 100)
    ]
    assert all(isinstance(page, pl.DataFrame) for page in pages)
    read = activities_frame(
        pl.concat(pages), currencies=currencies, rows_frame=rows_frame, lineage=lineage, ctx=CTX
    )
    _, one_by_one = both(listing, currencies=currencies)
    assert read.sort(["account_id", "activity_id"]).equals(one_by_one)


@pytest.mark.parametrize(
    ("body", "read_by_polars"),
    [
        (b'[{"id": "a", "qty": "1", "cum_qty": 1, "leaves_qty": 0}]', True),  # not read
        (b'[{"id": "a", "qty": 1}]', False),  # a number where text is read
        (b'[{"id": "a", "net_amount": -1.5}]', False),
        (b'[{"id": "a", "description": "said: true"}]', True),  # inside text
        (b'[{"id": "a", "symbol": {"x": "y"}}]', False),  # an object where text is
        (b'[{"id": "a", "description": "\\ud83d\\ude00"}]', False),  # a surrogate escape
        (b'{"message": "not a page"}', False),
        (b'[{"id": "a", "net_\\u0061mount": 1.5}]', False),  # a key read, escaped
    ],
)
def test_a_page_is_read_by_polars_only_when_it_reads_exactly(body, read_by_polars):
    page = activity_page(body)
    assert isinstance(page, pl.DataFrame) == read_by_polars
    expected = json.loads(body, parse_float=Decimal)
    if read_by_polars:
        assert page.to_dicts()[0]["id"] == expected[0]["id"]
    else:
        assert page == expected


def test_a_trading_api_listing_names_no_account(listing):
    account = listing[0]["account_id"]
    records = [{k: v for k, v in r.items() if k != "account_id"} for r in listing[:300]]
    columnwise, one_by_one = both(records, account_id=account, currencies={account: "EUR"})
    assert columnwise.equals(one_by_one)
    assert set(columnwise["account_id"]) == {account}


@pytest.mark.parametrize(
    ("change", "columnwise"),
    [
        ({"qty": 3, "price": Decimal("101.25")}, True),  # numbers where the spec says text
        ({"transaction_time": "2026-11-19T14:30:00"}, False),  # no offset
        ({"symbol": None}, False),  # missing: quarantined
        ({"group_id": "g-1"}, True),  # in a group: that fill alone read one by one
        ({"qty": "1e3"}, False),  # an exponent
        ({"qty": "1", "price": "10.005", "side": "buy"}, True),  # a half cent, exact
        ({"qty": "3", "price": "0.000833333333333333333"}, True),  # 21 places, no half near
        ({"qty": "1.5", "price": "0.00333333333333333333"}, False),  # 20 places, near a half
        ({"qty": "20000000000", "price": "1"}, False),  # units past 10^10
    ],
)
def test_unusual_fills_read_the_same_both_ways(listing, change, columnwise):
    fills = [r for r in listing if r["activity_type"] == "FILL"][:50]
    records = [dict(fills[0], **change), *fills[1:], *listing[:20]]
    read, one_by_one = both(records)
    assert read.equals(one_by_one)
    lineage = lineage_columns("activities", ctx=CTX, **LINEAGE)
    assert (columnwise_rows(records[:50], {}, lineage) is not None) == columnwise


@pytest.mark.parametrize(
    ("change", "columnwise"),
    [
        ({"net_amount": Decimal("12.5")}, True),  # a number where the spec says text
        ({"net_amount": "-100", "activity_type": "ACATC"}, True),  # a transfer out
        ({"net_amount": None, "activity_type": "TRANS"}, True),  # a transfer, no cash
        ({"per_share_amount": "0", "price": "3.5"}, True),  # no amount per share: the price
        ({"status": None}, True),  # executed
        ({"status": "Weird"}, True),  # other
        ({"currency": ""}, True),  # the account's
        ({"currency": "eur"}, True),
        ({"symbol": ""}, True),  # none
        ({"symbol": "BTC/USD"}, True),
        ({"activity_type": "optrd", "qty": "-2"}, True),
        ({"activity_type": "JNLC", "description": "ID: j-1 - a journal"}, True),  # a leg
        ({"created_at": None}, True),  # its date's midnight
        ({"created_at": None, "date": None}, True),  # no time at all
        ({"created_at": "2026-11-19T14:30:00"}, False),  # no offset
        ({"date": "2026-11-19T00:00:00Z"}, False),  # a timestamp for a date
        ({"date": "2026-13-45"}, False),  # not a date: quarantined
        ({"net_amount": "abc"}, False),  # not a number: quarantined
        ({"activity_type": None}, False),
        ({"qty": "1e3"}, False),  # an exponent
        ({"created_at": "2026-06-30T23:59:60Z"}, False),  # a leap second: quarantined
        ({"created_at": "2026-11-19T14:30:00z"}, False),  # a lower-case z: quarantined
        ({"date": "0000-01-01"}, False),  # no year 0: quarantined
        ({"symbol": "AAPL240119C00150000\n"}, False),  # where Python's `$` and polars' differ
        ({"activity_type": "JNLC", "description": "ID:\x1cj-1 - a journal"}, False),  # `\s`
    ],
)
def test_unusual_other_activities_read_the_same_both_ways(listing, change, columnwise):
    others = [r for r in listing if r["activity_type"] not in ("FILL", "JNLC", "SPLIT")]
    fills = [r for r in listing if r["activity_type"] == "FILL"][:20]
    records = [dict(others[0], **change), *others[1:30], *fills]
    read, one_by_one = both(records, currencies={others[0]["account_id"]: "CAD"})
    assert read.equals(one_by_one)
    lineage = lineage_columns("activities", ctx=CTX, **LINEAGE)
    assert (columnwise_rows(records, {}, lineage) is not None) == columnwise


def test_a_record_without_a_type_is_quarantined_both_ways(listing):
    others = [r for r in listing if r["activity_type"] not in ("FILL", "JNLC", "SPLIT")]
    untyped = {k: v for k, v in others[0].items() if k != "activity_type"}
    records = [untyped, *others[1:10]]
    page = activity_page(json.dumps(records).encode())
    assert isinstance(page, pl.DataFrame)  # the missing key reads as null
    lineage = lineage_columns("activities", ctx=CTX, **LINEAGE)
    read = activities_frame(page, currencies={}, rows_frame=rows_frame, lineage=lineage, ctx=CTX)
    _, one_by_one = both(records)
    assert read.sort(["account_id", "activity_id"]).equals(one_by_one)
    quarantined = read.filter(pl.col("quarantine_reason").is_not_null())
    assert quarantined["activity_id"].to_list() == [untyped["id"]]
    assert "activity_type" in quarantined["quarantine_reason"][0]


def test_values_brokerlake_does_not_know_are_noted_when_read_column_wise(listing):
    ctx = FetchContext("run", CLOCK, logging.getLogger("test"))
    others = [r for r in listing if r["activity_type"] not in ("FILL", "JNLC", "SPLIT")]
    records = [dict(others[0], status="held"), *others[1:10]]
    lineage = lineage_columns("activities", ctx=ctx, **LINEAGE)
    assert columnwise_rows(records, {}, lineage) is not None
    activities_frame(records, currencies={}, rows_frame=rows_frame, lineage=lineage, ctx=ctx)
    assert ctx.unknown_values == {"activities.status": ["held"]}
