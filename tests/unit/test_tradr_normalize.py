"""TradrAPI normalization details the end-to-end comparison does not isolate: which
symbols are fx, MetaTrader's suffixed names, a closed trade's two fills, exact numbers."""

from __future__ import annotations

from decimal import Decimal

import pytest

from brokers.http import decode_json
from brokers.tradr.normalize import instrument_type, is_trade, pending_order_row, trade_rows


@pytest.mark.parametrize(
    ("symbol", "kind"),
    [
        ("EURUSD", "fx"), ("USDJPY", "fx"), ("EURUSD.m", "fx"), ("GBPJPYm", "fx"),
        ("#AUDCAD-ECN", "fx"), ("XAUUSD", "cfd"), ("XAGUSD", "cfd"), ("US30", "cfd"),
        ("GER40", "cfd"), ("BTCUSD", "cfd"), ("USOIL", "cfd"), ("AAPL.US", "cfd"),
    ],
)  # fmt: skip
def test_instrument_type_follows_the_symbol(symbol, kind):
    assert instrument_type(symbol).value == kind


def test_a_closed_trade_is_the_fill_that_opened_it_and_the_fill_that_closed_it():
    record = decode_json(
        '{"exchangeOperationId": 30000438821, "symbol": "USDJPY", "type": "SELL",'
        ' "volume": 0.1, "openPrice": 149.190, "closePrice": 149.117, "status": "CLOSED",'
        ' "openedAt": "2026-11-21T04:54:40.000Z", "closedAt": "2026-11-22T23:26:25.123Z",'
        ' "commission": -0.70}'
    )
    assert is_trade(record)
    opened, closed = trade_rows(record, account_id="1", currency="USD")
    assert (opened["order_id"], opened["side"], opened["average_fill_price"]) == (
        "30000438821", "sell", Decimal("149.190"),
    )  # fmt: skip
    assert (closed["order_id"], closed["parent_order_id"], closed["side"]) == (
        "30000438821-close", "30000438821", "buy",
    )  # fmt: skip
    assert closed["filled_at"].isoformat() == "2026-11-22T23:26:25.123000+00:00"
    assert opened["quantity"] == closed["filled_quantity"] == Decimal("0.1")
    assert str(opened["quantity"]) == "0.1"  # read from the text, no float in between
    assert (opened["commission"], closed["commission"]) == (Decimal("-0.70"), None)


def test_a_balance_operation_in_the_summary_is_not_a_trade():
    assert not is_trade({"type": "BALANCE", "exchangeOperationId": 1})


def test_a_stop_limit_order_has_its_stop_and_its_limit():
    order = decode_json(
        '{"id": 7, "exchangeOperationId": "300", "symbol": "EURUSD", "type": "BUY_STOP_LIMIT",'
        ' "volume": 1.5, "openPrice": 1.09, "stopLimitPrice": 1.0922, "status": "PLACED",'
        ' "expiration": null, "createdAt": "2026-10-01T00:00:00.000Z"}'
    )
    row = pending_order_row(order, account_id="1", currency="USD")
    assert (row["order_type"], row["side"], row["time_in_force"], row["status"]) == (
        "stop_limit", "buy", "gtc", "open",
    )  # fmt: skip
    assert (row["stop_price"], row["limit_price"]) == (Decimal("1.09"), Decimal("1.0922"))
    assert row["updated_at"] == row["submitted_at"]
