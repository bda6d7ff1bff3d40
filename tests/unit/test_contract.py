"""The contract catches bad values row by row (data checks really run), keeps the good
rows, and refuses a frame of the wrong shape."""

from datetime import datetime
from decimal import Decimal

import polars as pl
import pytest

from schemas import TABLES, ContractError, validate
from tests.factories import frame, row


@pytest.mark.parametrize("name", list(TABLES))
def test_a_valid_row_passes_every_table(name):
    result = validate(name, frame(name))
    assert result.counts == {"valid": 1, "quarantined": 0}


BAD_VALUES = [
    ("users", {"user_kind": "robot"}, "user_kind failed isin"),
    ("connections", {"status": "paused"}, "status failed isin"),
    (
        "accounts",
        {"account_number_masked": "PA3ABCD1234"},
        "account_number_masked failed str_matches",
    ),
    ("accounts", {"base_currency": "usd"}, "base_currency failed str_matches"),
    ("balances", {"currency": "DOLLARS"}, "currency failed str_matches"),
    ("positions", {"quantity": Decimal("-1")}, "quantity failed greater_than_or_equal_to(0)"),
    ("positions", {"instrument_type": "stock"}, "instrument_type failed isin"),
    ("orders", {"filled_quantity": Decimal("11")}, "filled_quantity <= quantity"),
    ("orders", {"status": "done"}, "status failed isin"),
    ("orders", {"broker": "etrade"}, "broker failed isin"),
    ("activities", {"activity_type": "buy"}, "activity_type failed isin"),
    ("activities", {"status": "settled"}, "status failed isin"),
    ("activities", {"currency": "usd"}, "currency failed str_matches"),
    ("activities", {"fx_rate": Decimal("0")}, "fx_rate failed greater_than(0)"),
]


@pytest.mark.parametrize(("name", "change", "reason"), BAD_VALUES)
def test_a_bad_value_is_quarantined_with_its_reason(name, change, reason):
    good = row(name)
    bad = row(name, **change)
    key_column = TABLES[name].key[1]
    bad[key_column] = "the-bad-one"
    result = validate(name, frame(name, good, bad))
    assert result.valid.height == 1
    assert result.quarantined.height == 1
    assert result.quarantined[key_column][0] == "the-bad-one"
    assert reason in result.quarantined["quarantine_reason"][0]


def test_duplicate_keys_are_quarantined_not_silently_dropped():
    result = validate(
        "orders", frame("orders", row("orders"), row("orders"), row("orders", order_id="o2"))
    )
    assert result.valid["order_id"].to_list() == ["o2"]
    assert result.quarantined.height == 2
    assert "unique" in result.quarantined["quarantine_reason"][0]


def test_a_frame_of_the_wrong_shape_is_refused_whole():
    with pytest.raises(ContractError, match="balances"):
        validate("balances", frame("balances").drop("cash"))
    naive = frame("users").with_columns(pl.col("created_at").dt.replace_time_zone(None))
    with pytest.raises(ContractError, match="created_at"):
        validate("users", naive)
    floats = frame("balances").with_columns(pl.col("cash").cast(pl.Float64))
    with pytest.raises(ContractError, match="cash"):
        validate("balances", floats)


def test_decimals_keep_every_digit():
    value = Decimal("123456789012.123456789012345678")
    result = validate("balances", frame("balances", row("balances", cash=value)))
    assert result.valid["cash"][0] == value
    assert isinstance(result.valid["as_of"][0], datetime)
