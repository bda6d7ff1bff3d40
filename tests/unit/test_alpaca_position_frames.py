"""The column-wise reading of Alpaca position pages gives exactly the rows the
record-by-record reading gives, and leaves to that reading every snapshot it does not
fully understand."""

from __future__ import annotations

import logging
import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import polars as pl
import pytest

from brokers.alpaca.normalize import position_identity, position_row
from brokers.alpaca_common.position_frames import CHUNK_POSITIONS, PositionBatch
from brokers.connector import FetchContext
from brokers.frames import canonical_frame, salvage, stamp

AS_OF = datetime(2026, 11, 20, 15, 30, tzinfo=UTC)
DAY = date(2026, 11, 20)
CTX = FetchContext(run_id="run-1", fetched_at=AS_OF, log=logging.getLogger("test"))

POSITION: dict[str, Any] = {
    "asset_id": "b0b6dd9d-8b9b-48a9-ba46-b9d54906e415",
    "symbol": "AAPL",
    "exchange": "NASDAQ",
    "asset_class": "us_equity",
    "avg_entry_price": "172.31",
    "qty": "12",
    "qty_available": "12",
    "side": "long",
    "market_value": "2291.64",
    "cost_basis": "2067.72",
    "unrealized_pl": "223.92",
    "unrealized_plpc": "0.1082931151",
    "current_price": "190.97",
    "lastday_price": "189.5",
    "change_today": "0.0077572559",
}
VARIANTS: dict[str, list[Any]] = {
    "symbol": ["BTC/USD", "BTCUSD", "ETHBTC", "AAPL250117C00190000", "VOO"],
    "asset_class": ["us_option", "crypto", "CRYPTO", None, "bond"],
    "side": ["short", "LONG", None, "both"],
    "qty": ["-3", "0.000000001", "100000", None, "", 7],
    "avg_entry_price": [None, "0.0001", "", "286.9749783265074366"],
    "current_price": ["1.5", None],
    "market_value": ["-572.91", None],
    "cost_basis": [None, "-1", "49.6499849505605227113711001112"],
    "unrealized_pl": ["-0.01", None, Decimal("-16.9179303736305227113711001112")],
    "swap_rate": [None, "1.499868775739003"],
    "usd": [
        None,
        {"avg_entry_price": "191.992", "market_value": "21.8232788803824064", "x": "y"},
        {"cost_basis": "33.216832931624", "unrealized_pl": "-11.2796070211508065000001"},
    ],
}
CURRENCIES = ("USD", "JPY", "AUD")


Page = tuple[str, datetime, str, list[dict[str, Any]]]


def _pages(seed: int) -> list[Page]:
    chooser = random.Random(seed)
    pages = []
    for n in range(5):
        page = []
        for m in range(chooser.randint(0, 8)):
            position = {**POSITION, "symbol": f"SYM{m}"}
            for field in chooser.sample(sorted(VARIANTS), k=4):
                position[field] = chooser.choice(VARIANTS[field])
            page.append(position)
        currency = CURRENCIES[n % len(CURRENCIES)]
        pages.append((f"account-{n}", AS_OF + timedelta(seconds=n), currency, page))
    return pages


def _by_records(pages: list[Page]) -> pl.DataFrame:
    rows = [
        row
        for account_id, as_of, currency, page in pages
        for row in salvage(
            page,
            lambda p, a=account_id, t=as_of, c=currency: position_row(
                p, account_id=a, as_of=t, currency=c
            ),
            lambda p, a=account_id, t=as_of: position_identity(p, a, t),
        )
    ]
    stamp(rows, as_of_date=DAY)
    return canonical_frame("positions", rows, source="src", broker="alpaca", ctx=CTX)


def _framed(pages: list[Page], chunk: int = CHUNK_POSITIONS) -> PositionBatch:
    batch = PositionBatch(source="src", broker="alpaca", ctx=CTX, chunk=chunk)
    for account_id, as_of, currency, page in pages:
        batch.add(account_id, as_of, page, currency)
    return batch


def _rows(frame: pl.DataFrame) -> list[dict[str, Any]]:
    return frame.sort("account_id", "position_key", "quantity").to_dicts()


@pytest.mark.parametrize("seed", range(20))
def test_both_readings_give_the_same_rows(seed):
    pages = _pages(seed)
    batch = _framed(pages)
    fast = batch.frame(day=DAY)
    assert batch.by_records == 0  # read column-wise
    slow = _by_records(pages)
    assert fast.schema == slow.schema
    assert _rows(fast) == _rows(slow)


@pytest.mark.parametrize("chunk", [1, 3, 10])
def test_a_snapshot_read_in_chunks_gives_the_rows_of_one_reading(chunk):
    """Chunks of a few records (a partner's book is read about 1,000 accounts at a
    time); an unusual record sends its chunk alone to the record-by-record reading."""
    pages = [page for seed in range(4) for page in _pages(seed)]
    whole = _framed(pages).frame(day=DAY)
    chunked = _framed(pages, chunk=chunk)
    assert _rows(chunked.frame(day=DAY)) == _rows(whole)
    assert chunked.by_records == 0
    pages[7][3].append({**POSITION, "qty": "lots"})
    chunked = _framed(pages, chunk=chunk)
    frame = chunked.frame(day=DAY)
    assert chunked.by_records == 1
    assert _rows(frame) == _rows(_by_records(pages))
    assert frame.get_column("as_of_date").unique().to_list() == [DAY]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("qty", "1e3"),
        ("qty", "lots"),
        ("qty", True),
        ("symbol", None),
        ("market_value", [1]),
        ("cost_basis", "123456789012345678901.5"),  # more than 20 integer digits
        ("usd", "in dollars"),
        ("usd", {"market_value": "lots"}),
    ],
)
def test_a_snapshot_with_an_unusual_record_is_read_record_by_record(field, value):
    pages = _pages(3)
    pages[1][3].append({**POSITION, field: value})
    framed = _framed(pages).frame(day=DAY)
    assert _rows(framed.drop("quarantine_reason", strict=False)) == _rows(
        _by_records(pages).drop("quarantine_reason", strict=False)
    )
    assert framed.columns == _by_records(pages).columns


def test_an_lct_position_lands_in_its_currency_with_its_usd_figures():
    """alpaca-py's recorded `GET /v1/accounts/positions` answer (tests/fixtures/alpaca):
    derived values with up to 28 decimal places, rounded half to even to the contract's
    18, in the account's currency, with the USD figures and the rate beside them."""
    position = {
        **POSITION,
        "symbol": "TSLA",
        "qty": "0.173011547",
        "avg_entry_price": "286.9749783265074366",
        "market_value": "32.73205457693",
        "cost_basis": "49.6499849505605227113711001112",
        "unrealized_pl": "-16.9179303736305227113711001112",
        "current_price": "189.19",
        "swap_rate": "1.499868775739003",
        "usd": {
            "avg_entry_price": "191.992",
            "market_value": "21.8232788803824064",
            "cost_basis": "33.216832931624",
            "unrealized_pl": "-11.2796070211508065",
            "current_price": "126.13770155111327",
        },
    }
    pages = [("account-0", AS_OF, "AUD", [position])]
    batch = _framed(pages)
    [row] = _rows(batch.frame(day=DAY))
    assert batch.by_records == 0  # long decimals keep the column-wise reading
    assert row == _rows(_by_records(pages))[0]
    assert (row["cost_basis"], row["unrealized_pnl"], row["average_cost"]) == (
        Decimal("49.649984950560522711"),
        Decimal("-16.917930373630522711"),
        Decimal("286.9749783265074366"),
    )
    assert row["currency"] == "AUD" and row["swap_rate"] == Decimal("1.499868775739003")
    assert (row["usd_market_value"], row["usd_cost_basis"]) == (
        Decimal("21.8232788803824064"),
        Decimal("33.216832931624"),
    )


def test_a_crypto_position_takes_the_pair_its_orders_have():
    pages = [
        ("account-0", AS_OF, "USD", [{**POSITION, "symbol": "BTCUSD", "asset_class": "crypto"}])
    ]
    for frame in (
        _framed(pages).frame(day=DAY),
        _by_records(pages),
    ):
        assert frame.select("symbol", "position_key").row(0) == ("BTC/USD", "crypto:BTC/USD")


def test_an_empty_snapshot_has_the_contract_columns():
    fast = _framed([]).frame(day=DAY)
    assert fast.is_empty() and fast.schema == _by_records([]).schema
