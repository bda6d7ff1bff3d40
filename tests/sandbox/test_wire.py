"""Alpaca's wire conventions: decimal strings, nanosecond timestamps, query times."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from sandbox.alpaca_trading.wire import (
    decimal_text,
    order_nanos,
    order_timestamp,
    parse_query_time,
)

MOMENT = datetime(2026, 11, 22, 15, 30, 1, 123456, tzinfo=UTC)
MOMENT_NS = 1_795_361_401_123_456_000


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("150.00", "150"),
        ("100", "100"),
        ("0.50", "0.5"),
        ("-39598.440", "-39598.44"),
        ("0E-9", "0"),
        ("-0.00", "0"),
        ("1E+3", "1000"),
        ("4968.979527557920000000", "4968.97952755792"),
    ],
)
def test_decimal_text(value: str, text: str) -> None:
    assert decimal_text(Decimal(value)) == text


def test_order_timestamps_have_nine_digits_and_keep_the_microsecond_truth() -> None:
    text = order_timestamp("acct", MOMENT)
    assert text is not None
    assert text.startswith("2026-11-22T15:30:01.123456") and text.endswith("Z")
    assert len(text.split(".")[1]) == 10  # nine digits and 'Z'
    nanos = order_nanos("acct", MOMENT)
    assert MOMENT_NS <= nanos < MOMENT_NS + 1000
    assert parse_query_time(text) == nanos
    assert order_timestamp("acct", MOMENT) == text  # deterministic
    assert order_timestamp("acct", None) is None


@pytest.mark.parametrize(
    ("text", "nanos"),
    [
        ("2026-11-22T15:30:01.123456Z", MOMENT_NS),
        ("2026-11-22T15:30:01.123456789Z", MOMENT_NS + 789),
        ("2026-11-22T15:30:01.1234567891Z", MOMENT_NS + 789),
        ("2026-11-22T10:30:01.123456-05:00", MOMENT_NS),
        ("2026-11-22T15:30:01.123456+00:00", MOMENT_NS),
        ("2026-11-22T15:30:01.123456 00:00", MOMENT_NS),  # '+' left unencoded
        ("2026-11-22T15:30:01.123456", MOMENT_NS),
        ("2026-11-22T15:30:01Z", MOMENT_NS - 123_456_000),
        ("2026-11-22", MOMENT_NS - 55_801_123_456_000),
    ],
)
def test_query_times(text: str, nanos: int) -> None:
    assert parse_query_time(text) == nanos


@pytest.mark.parametrize("text", ["", "yesterday", "2026-13-01", "2026-11-22T25:00:00Z", "1"])
def test_bad_query_times(text: str) -> None:
    with pytest.raises(ValueError):
        parse_query_time(text)
