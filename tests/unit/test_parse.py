import random
from datetime import UTC, datetime
from decimal import Decimal

import polars as pl
import pytest

from brokers.http import decode_json
from brokers.parse import ParseError, mask_account_number, to_decimal, to_utc
from schemas import DECIMAL


def test_decimals_are_exact_from_strings_and_json_numbers():
    assert to_decimal("100000.123456789") == Decimal("100000.123456789")
    body = decode_json('{"balance": 0.1, "equity": 1234567890.123456789, "n": 3}')
    assert body["balance"] == Decimal("0.1")
    assert to_decimal(body["equity"]) == Decimal("1234567890.123456789")
    assert to_decimal(body["n"]) == Decimal(3)
    assert to_decimal("") is None
    assert to_decimal(None) is None


@pytest.mark.parametrize("bad", ["abc", "NaN", "Infinity", True, "1_0x"])
def test_decimals_refuse_what_is_not_a_number(bad):
    with pytest.raises(ValueError):
        to_decimal(bad)


ROUNDED = [
    # An Alpaca position's cost basis (alpaca-py's recorded Broker API response).
    ("49.6499849505605227113711001112", "49.649984950560522711"),
    ("-16.9179303736305227113711001112", "-16.917930373630522711"),
    ("1.0000000000000000025", "1.000000000000000002"),  # half to even: down
    ("1.0000000000000000035", "1.000000000000000004"),  # half to even: up
    ("1.00000000000000000250001", "1.000000000000000003"),  # past half: up
    ("0.0000000000000000005", "0"),
    ("12345678901234567890.1234567890123456789", "12345678901234567890.123456789012345679"),
    (Decimal("0.12345678901234567891"), "0.123456789012345679"),  # a JSON number
]


@pytest.mark.parametrize(("text", "rounded"), ROUNDED)
def test_decimals_past_the_contract_scale_are_rounded_half_to_even(text, rounded):
    assert to_decimal(text) == Decimal(rounded)


@pytest.mark.parametrize(
    "wide", ["123456789012345678901", "99999999999999999999.9999999999999999995", "1e30"]
)
def test_a_decimal_with_more_than_20_integer_digits_is_refused_with_why(wide):
    with pytest.raises(ParseError, match="more than 20 integer digits"):
        to_decimal(wide)


def _texts(seed: int) -> list[str]:
    """Decimal text of every length around the contract's edges (18 places, 20 digits)."""
    chooser = random.Random(seed)
    texts = []
    for _ in range(400):
        whole = "".join(chooser.choices("0123456789", k=chooser.randint(1, 21)))
        places = "".join(chooser.choices("0123456789", k=chooser.randint(0, 40)))
        tail = chooser.choice(["", "5", "50", "500000001", "4999"])
        text = f"{chooser.choice(['', '-'])}{whole}"
        texts.append(f"{text}.{places}{tail}" if places or tail else text)
    return texts


@pytest.mark.parametrize("seed", range(5))
def test_polars_casts_decimal_text_as_the_record_reading_reads_it(seed):
    """The column-wise readings cast text with polars: the same value, or null where the
    record reading refuses it (then that reading decides)."""
    texts = _texts(seed)
    cast = pl.Series(texts, dtype=pl.String).cast(DECIMAL, strict=False).to_list()
    for text, value in zip(texts, cast, strict=True):
        try:
            expected = to_decimal(text)
        except ParseError:
            expected = None
        assert value == expected, text


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
