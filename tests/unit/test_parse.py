from datetime import UTC, datetime
from decimal import Decimal

import pytest

from brokers.http import decode_json
from brokers.parse import mask_account_number, to_decimal, to_utc


def test_decimals_are_exact_from_strings_and_json_numbers():
    assert to_decimal("100000.123456789") == Decimal("100000.123456789")
    body = decode_json('{"balance": 0.1, "equity": 1234567890.123456789, "n": 3}')
    assert body["balance"] == Decimal("0.1")
    assert to_decimal(body["equity"]) == Decimal("1234567890.123456789")
    assert to_decimal(body["n"]) == Decimal(3)
    assert to_decimal("") is None
    assert to_decimal(None) is None


@pytest.mark.parametrize("bad", ["abc", "NaN", "Infinity", True, "0.1234567890123456789"])
def test_decimals_refuse_what_they_cannot_keep_exactly(bad):
    with pytest.raises(ValueError):
        to_decimal(bad)


def test_timestamps_become_utc_microseconds():
    assert to_utc("2023-12-12T22:36:51.337711497Z") == datetime(
        2023, 12, 12, 22, 36, 51, 337711, tzinfo=UTC
    )
    assert to_utc("2021-04-01T19:00:00-04:00") == datetime(2021, 4, 1, 23, tzinfo=UTC)
    assert to_utc("2024-01-01") == datetime(2024, 1, 1, tzinfo=UTC)
    assert to_utc("2024-01-01T10:00:00") == datetime(2024, 1, 1, 10, tzinfo=UTC)
    with pytest.raises(ValueError):
        to_utc("yesterday")


def test_account_numbers_keep_only_the_last_four():
    assert mask_account_number("PA3ABCD1234") == "****1234"
    assert mask_account_number(None) is None
