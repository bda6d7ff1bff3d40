"""The column-wise reading of Alpaca order pages, from decoded records or from a frame read
straight from the response bytes, gives exactly the rows the record-by-record reading
gives, and leaves to that reading every page it does not fully understand."""

from __future__ import annotations

import copy
import json
import logging
import random
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import polars as pl
import pytest

from brokers.alpaca_common.order_frames import by_records, orders_frame, read_columnwise
from brokers.alpaca_common.order_pages import order_page
from brokers.connector import FetchContext
from brokers.frames import canonical_frame, lineage_columns

FETCHED_AT = datetime(2026, 11, 20, 15, 30, tzinfo=UTC)
CTX = FetchContext(run_id="run-1", fetched_at=FETCHED_AT, log=logging.getLogger("test"))
ACCOUNT = "5900e766-3235-4b6b-a69d-6fbcbece9568"

ORDER: dict[str, Any] = {
    "id": "608fde78-a674-47e2-83f2-38b23a6f51bc",
    "client_order_id": "3c94d121-ab10-4d81-9560-cd431fdd4482",
    "created_at": "2026-10-21T15:47:48.310747695Z",
    "updated_at": "2026-10-21T18:05:15.761977333Z",
    "submitted_at": "2026-10-21T15:47:48.310747695Z",
    "filled_at": "2026-10-21T18:05:15.761977333Z",
    "expired_at": None,
    "canceled_at": None,
    "symbol": "VOO",
    "asset_class": "us_equity",
    "notional": None,
    "qty": "159",
    "filled_qty": "159",
    "filled_avg_price": "461.94",
    "order_class": "",
    "order_type": "limit",
    "type": "limit",
    "side": "sell",
    "position_intent": "sell_to_close",
    "time_in_force": "day",
    "limit_price": "461.94",
    "stop_price": None,
    "status": "filled",
    "legs": None,
}

# Values the column-wise reading must read as the record-by-record one does.
VARIANTS: dict[str, list[Any]] = {
    "side": ["buy", "sell", "SELL", None, "sell_short_exempt"],
    "position_intent": ["sell_to_open", "buy_to_close", "buy_to_open", None, ""],
    "status": ["new", "partially_filled", "canceled", "Done_For_Day", "held", "brand_new", None],
    "type": ["market", "stop_limit", "trailing_stop", "", None, "auction"],
    "order_type": ["limit", None],
    "time_in_force": ["gtc", "ioc", "opg", "cls", "fok", "gtd", None],
    "asset_class": ["us_option", "crypto", "crypto_perp", "bond", None],
    "qty": ["0.5", "100", "123456789012.123456", None, ""],
    "notional": ["250.10", None, "-1"],
    "filled_qty": ["0", None, "", "3.00000000000000001"],
    "filled_avg_price": [None, "99.999999999", "-1.28"],
    "submitted_at": ["2026-10-21T10:12:30.403135025-04:00", "2026-10-21T15:47:48Z", None],
    "created_at": ["2026-10-21T15:47:48.3+05:30", None],
    "updated_at": [None, "", "2026-11-20T15:29:59.999999999Z"],
    "filled_at": [None, "2026-10-21T18:05:15.7Z"],
    "canceled_at": ["2026-10-22T00:00:00.000000001+00:00", None],
    "client_order_id": [None, "my-order"],
    "order_class": ["", "simple", "bracket", "oco", "oto", "mleg", "MLEG", None, "basket"],
    "replaces": [None, "f3c1b7a2-0d4e-4b8a-9c6f-1e2d3c4b5a69"],
    "replaced_by": [None, "0b11f089-722d-4ced-9beb-e2eeed3637dc"],
    "expired_at": [None, "2026-10-21T20:00:00.123456789Z"],
    "failed_at": ["2026-10-21T15:47:49-04:00", None],
    "ratio_qty": [None, "1", "2", ""],
    "trail_percent": [None, "2.5"],
    "trail_price": [None, "0.6", "1.0000000000000000025"],
    "hwm": [None, "170.25", "170.2500000000000000000001"],
    "commission": [None, "0", "1.25", "-0.01"],
    "swap_rate": [None, "149.8312345678901234", "1.499868775739003"],
    "usd": [
        None,
        {"limit_price": "1.5", "filled_avg_price": "1.49000000000000000049", "notional": None},
        {"stop_price": "3", "x": "y"},
    ],
    "symbol": ["VOO", "BTCUSD", "BTC/USD", "ETHBTC", "USDTUSD", ""],
    "limit_price": ["0.0001", None, "-0.35", "461.940000000000000000001"],
}


def _columnwise(page: list[dict[str, Any]]) -> pl.DataFrame | None:
    lineage = lineage_columns("orders", source="src", broker="alpaca", ctx=CTX)
    return read_columnwise([(ACCOUNT, page)], lineage=lineage)


def _rows(frame: pl.DataFrame) -> list[dict[str, Any]]:
    """The rows, in key order: a frame's row order means nothing."""
    return frame.sort("account_id", "order_id").to_dicts()


def _framed(page: list[dict[str, Any]]) -> pl.DataFrame:
    return orders_frame([(ACCOUNT, page)], source="src", broker="alpaca", ctx=CTX)


def _by_records(page: list[dict[str, Any]], account: str = ACCOUNT) -> pl.DataFrame:
    rows = by_records(account, page, "USD")
    return canonical_frame("orders", rows, source="src", broker="alpaca", ctx=CTX)


def _page(size: int, seed: int, *, nested_legs: bool = True) -> list[dict[str, Any]]:
    chooser = random.Random(seed)
    page = []
    for n in range(size):
        order = {**ORDER, "id": f"order-{seed}-{n}"}
        for field in chooser.sample(sorted(VARIANTS), k=6):
            order[field] = chooser.choice(VARIANTS[field])
        if n % 7 == 3:  # a multi-leg order: legs, one with a leg of its own
            leg = {**ORDER, "id": f"leg-{seed}-{n}", "side": "buy", "legs": None}
            inner = {**ORDER, "id": f"inner-{seed}-{n}", "status": "held"}
            leg["legs"] = [inner] if nested_legs else []
            second = {**ORDER, "id": f"leg2-{seed}-{n}", "symbol": chooser.choice(["B", ""])}
            order["legs"] = [leg, {**second, "asset_class": chooser.choice(["us_option", ""])}]
            if chooser.random() < 0.5:  # an mleg parent: no symbol, side or class of its own
                order.update(symbol="", side="", asset_class=chooser.choice(["", None]))
        page.append(order)
    return page


def _wire(page: list[dict[str, Any]]) -> bytes:
    """The page as the API sends it: compact JSON."""
    return json.dumps(page, separators=(",", ":"), ensure_ascii=False).encode()


def _decoded(body: bytes) -> list[dict[str, Any]]:
    return json.loads(body, parse_float=Decimal)


@pytest.mark.parametrize("seed", range(20))
def test_both_readings_give_the_same_rows(seed):
    page = _page(60, seed)
    assert _columnwise(page) is not None  # read column-wise
    fast = _framed(page)
    slow = _by_records(page)
    assert fast.schema == slow.schema
    assert _rows(fast) == _rows(slow)


UNUSUAL = [
    ("qty", "1e3"),
    ("qty", "abc"),
    ("qty", "123456789012345678901"),  # more than 20 integer digits: quarantined
    ("qty", " 5"),
    ("qty", True),
    ("qty", "1e-20"),
    ("usd", "not an object"),
    ("usd", {"limit_price": "lots"}),
    ("submitted_at", "2026-10-21"),
    ("submitted_at", "yesterday"),
    ("updated_at", "2026-10-21 15:47:48"),
    ("id", None),
    ("symbol", None),
    ("legs", {"id": "not-a-list"}),
    ("status", ["filled"]),
]


@pytest.mark.parametrize(("field", "value"), UNUSUAL)
def test_a_page_with_an_unusual_record_is_read_record_by_record(field, value):
    page = _page(10, 1)
    page[4] = {**copy.deepcopy(page[4]), field: value}
    assert _columnwise(page) is None
    framed = _framed(page)
    assert _rows(framed) == _rows(_by_records(page))


STILL_USUAL = [
    ("qty", 5),  # a number where the API sends a string, as JSON decoding gives it
    ("qty", Decimal("1.00000000000000000049")),
    ("commission", Decimal("1.25")),
    ("notional", 0),
    ("qty", "0.0000000000000000001"),  # more than 18 places: rounded half to even
    ("qty", "12345678901234567890.123456789012345678"),
    ("hwm", "286.9749783265074366"),
]


@pytest.mark.parametrize(("field", "value"), STILL_USUAL)
def test_numbers_and_long_decimals_keep_the_columnwise_reading(field, value):
    page = _page(10, 1)
    page[4] = {**copy.deepcopy(page[4]), field: value}
    assert _columnwise(page) is not None
    assert _rows(_framed(page)) == _rows(_by_records(page))


def test_a_missing_field_is_read_as_null():
    page = [{k: v for k, v in ORDER.items() if k not in {"notional", "client_order_id"}}]
    assert _columnwise(page) is not None
    fast = _framed(page)
    assert _rows(fast) == _rows(_by_records(page))


def test_an_empty_page_has_the_contract_columns():
    fast = _framed([])
    assert fast.is_empty() and fast.schema == _by_records([]).schema


def test_pages_of_several_accounts_are_read_at_once_and_an_unusual_one_alone():
    pages = [(f"account-{n}", _page(30, n)) for n in range(4)]
    slow = pl.concat([_by_records(page, account) for account, page in pages])
    fast = orders_frame(pages, source="src", broker="alpaca", ctx=CTX)
    assert _rows(fast) == _rows(slow)
    pages[2][1][5]["qty"] = "lots"  # one record the column-wise reading cannot take
    mixed = orders_frame(pages, source="src", broker="alpaca", ctx=CTX)
    assert mixed.filter(pl.col("quarantine_reason").is_not_null())["order_id"].to_list() == [
        pages[2][1][5]["id"]
    ]
    assert mixed.height == fast.height


@pytest.mark.parametrize("seed", range(10))
def test_a_page_read_from_its_bytes_gives_the_rows_of_its_records(seed):
    page = _page(60, seed, nested_legs=False)
    frame = order_page(_wire(page))
    assert isinstance(frame, pl.DataFrame)  # read by polars, no record decoded
    assert _columnwise(frame) is not None
    assert _rows(_framed(frame)) == _rows(_by_records(page))


# Bodies polars would misread (a number through a float, a boolean as text, a lone
# surrogate as NUL, legs deeper than the frame holds): decoded as JSON instead.
NOT_FOR_POLARS = [
    (b'"qty":"159"', b'"qty":1.00000000000000001'),
    (b'"qty":"159"', b'"qty":159'),
    (b'"qty":"159"', b'"qty": -2.5'),
    (b'"qty":"159"', b'"qty" :1.10'),
    (b'"qty":"159"', b'"qty"\n:\t-1'),
    (b'"side":"sell"', b'"side":true'),
    (b'"symbol":"VOO"', b'"symbol":"\\ud83d\\ude00"'),
    (b'"legs":null', b'"legs":[{"id":"leg","symbol":"VOO","legs":[{"id":"inner"}]}]'),
]


@pytest.mark.parametrize(("usual", "unusual"), NOT_FOR_POLARS)
def test_a_body_polars_could_misread_is_decoded_as_json(usual, unusual):
    body = _wire([ORDER, {**ORDER, "id": "second"}])
    assert usual in body
    body = body.replace(usual, unusual, 1)
    decoded = order_page(body)
    assert isinstance(decoded, list)
    assert decoded == _decoded(body)
    assert _rows(_framed(decoded)) == _rows(_by_records(_decoded(body)))


@pytest.mark.parametrize(
    "text",
    ["café", 'a "quoted" \\ path', "tab\tand newline\n", "emoji 😀", "a : 5, t"],
)
def test_escapes_and_layout_read_as_json_reads_them(text):
    page = _page(12, 3, nested_legs=False)
    page[1]["client_order_id"] = text
    laid_out = json.dumps(page, indent=2, ensure_ascii=False).encode()
    for body in (_wire(page), laid_out):
        read = order_page(body)
        assert isinstance(read, pl.DataFrame) or ": 5" in text  # text like a number: JSON
        assert _rows(_framed(read)) == _rows(_by_records(_decoded(body)))


def test_a_lone_surrogate_is_decoded_as_json():
    body = _wire([ORDER]).replace(b'"symbol":"VOO"', b'"symbol":"\\ud800"')
    assert order_page(body) == _decoded(body)  # polars would read it as NUL


def test_an_exact_number_stays_exact():
    body = _wire([ORDER]).replace(b'"qty":"159"', b'"qty":1.00000000000000001')
    frame = _framed(order_page(body))
    assert frame.get_column("quantity").to_list() == [Decimal("1.00000000000000001")]


def test_a_body_that_is_not_a_page_or_not_json():
    assert order_page(b'{"message":"forbidden"}') == {"message": "forbidden"}
    assert order_page(b"[]").is_empty()
    with pytest.raises(ValueError):
        order_page(_wire([ORDER])[:-40])  # cut short: the transport retries it


@pytest.mark.parametrize(("field", "value"), UNUSUAL)
def test_an_unusual_record_read_from_bytes_reads_as_its_record(field, value):
    page = _page(10, 1, nested_legs=False)
    page[4] = {**copy.deepcopy(page[4]), field: value}
    body = _wire(page)
    assert _rows(_framed(order_page(body))) == _rows(_by_records(_decoded(body)))


def test_a_leg_listing_null_legs_reads_as_its_record():
    page = _page(8, 2, nested_legs=False)
    page[3]["legs"][0]["legs"] = [None]  # read record by record: the order is quarantined
    frame = order_page(_wire(page))
    assert isinstance(frame, pl.DataFrame)
    read = _framed(frame)
    assert _rows(read) == _rows(_by_records(page))
    assert read.filter(pl.col("quarantine_reason").is_not_null()).height == 1


@pytest.mark.parametrize("field", ["id", "symbol"])
def test_a_null_required_field_is_quarantined_as_a_missing_one(field):
    absent = {k: v for k, v in ORDER.items() if k != field}
    null = {**ORDER, field: None}
    for page in ([absent], [null]):
        rows = _rows(_framed(page))
        assert len(rows) == 1
        assert rows[0]["quarantine_reason"] == (
            f"unreadable record: required field {field!r} is missing or null"
        )


def test_a_batch_of_frames_and_records_reads_each_page_as_its_records():
    pages = [(f"account-{n}", _page(20, n, nested_legs=n % 2 == 0)) for n in range(4)]
    pages[1][1][2]["qty"] = "lots"  # quarantined, whichever reading takes its page
    read = [(account, order_page(_wire(page))) for account, page in pages]
    assert [type(page).__name__ for _, page in read] == ["list", "DataFrame"] * 2
    expected = pl.concat([_by_records(page, account) for account, page in pages], how="diagonal")
    batch = orders_frame(read, source="src", broker="alpaca", ctx=CTX)
    assert _rows(batch) == _rows(expected)
    clean = [(account, page) for account, page in read if account != "account-1"]
    at_once = orders_frame(clean, source="src", broker="alpaca", ctx=CTX)  # one query
    assert _rows(at_once) == [
        {name: value for name, value in row.items() if name != "quarantine_reason"}
        for row in _rows(expected)
        if row["account_id"] != "account-1"
    ]
