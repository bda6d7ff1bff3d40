"""Activities as the brokers publish them (tests/fixtures/README.md) land as the rows
written here by hand: signs by side or type, a trade's cash rounded to the cent, the
legs of a journal and of a transfer paired, unknown types as `other` beside their raw
value, an unreadable record quarantined with its reason, TradrAPI's two deals a trade."""

from __future__ import annotations

import json
import logging
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl

from brokers.alpaca_common.activities import activity_rows, journal_rows
from brokers.connector import FetchContext
from brokers.frames import Unreadable, canonical_frame
from brokers.snaptrade import activities as snaptrade
from brokers.tradr import activities as tradr
from schemas import validate

FIXTURES = Path(__file__).parents[1] / "fixtures"
D = Decimal


def load(*path: str) -> Any:
    return json.loads(FIXTURES.joinpath(*path).read_text())


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def landed(rows: list[Any], broker: str = "alpaca") -> pl.DataFrame:
    """Rows as a step lands them: framed and validated (nothing quarantined)."""
    ctx = FetchContext("run-1", utc("2026-11-20T15:30:00Z"), logging.getLogger("test"))
    frame = canonical_frame("activities", rows, source="s", broker=broker, ctx=ctx)
    result = validate("activities", frame)
    assert result.quarantined.is_empty(), result.quarantined
    return result.valid


def test_the_trading_apis_examples() -> None:
    rows = activity_rows(
        load("alpaca", "spec", "trading_activity_examples.json"),
        currencies={"acct": "USD"},
        account_id="acct",
    )
    fill, dividend = (dict(r) for r in rows)  # type: ignore[arg-type]
    assert fill | {} == {
        **fill,
        "activity_id": "20220202135509981::2d7be4ff-d1f3-43e9-856a-0f5cf5c5088e",
        "activity_type": "trade", "raw_type": "FILL", "raw_subtype": "fill",
        "raw_status": "filled", "status": "executed",
        "occurred_at": utc("2022-02-02T18:55:09.981482Z"), "trade_date": date(2022, 2, 2),
        "symbol": "AAPL", "instrument_type": "equity", "quantity": D("2"),
        "price": D("174.78"), "amount": D("-349.56"), "currency": "USD",
        "order_id": "b5abe576-6a8a-49f3-a353-46b72c1ccae9",
    }  # fmt: skip
    assert dividend["activity_type"] == "dividend" and dividend["raw_subtype"] == "SDIV"
    assert dividend["quantity"] is None  # the units that earned it moved nowhere
    assert (dividend["price"], dividend["amount"]) == (D("0.51"), D("1.02"))
    # posted long after the day it is for: occurred when created, dated by its date
    assert dividend["occurred_at"] == utc("2021-05-10T14:01:04.650275Z")
    assert dividend["trade_date"] == date(2019, 8, 1)
    landed(rows)


def test_the_broker_sdks_recorded_pages() -> None:
    rows = activity_rows(
        load("alpaca", "alpaca-py", "get_account_activities.json"), currencies={}
    ) + activity_rows(
        load("alpaca", "alpaca-py", "get_account_activities_by_date.json"), currencies={}
    )
    frame = landed(rows)
    deposits = frame.filter(pl.col("raw_type") == "CSD")
    assert deposits.height == 3 and set(deposits["activity_type"]) == {"deposit"}
    assert deposits["amount"].to_list() == [D("33324.35"), D("29161.91"), D("45850.47")]
    assert deposits["occurred_at"].to_list() == [utc("2022-04-19T00:00:00Z")] * 3
    fills = frame.filter(pl.col("raw_type") == "FILL").sort("occurred_at")
    assert fills.select("symbol", "quantity", "amount", "raw_subtype").rows() == [
        ("GOOGL", D("9"), D("-23678.55"), "fill"),
        ("GOOGL", D("-0.058773239"), D("155.45"), "fill"),  # 155.4458... to the cent
        ("AMZN", D("1.792161878"), D("-5210.08"), "partial_fill"),  # 5210.0834...
    ]


def test_a_journals_legs_are_paired_and_one_not_executed_is_a_row_per_account() -> None:
    (published,) = load("alpaca", "docs", "broker_jnlc_activity.json")
    other_leg = {
        **published,
        "id": "20210108000000000::1b2c3d4e-0000-4000-8000-000000000001",
        "account_id": "3dcb795c-3ccc-402a-abb9-07e26a1b1326",
        "net_amount": "-15",
    }
    first, second = activity_rows([published, other_leg], currencies={})
    assert first["activity_type"] == second["activity_type"] == "journal"  # type: ignore[index]
    assert first["related_activity_id"] == other_leg["id"]  # type: ignore[index]
    assert second["related_activity_id"] == published["id"]  # type: ignore[index]
    pending = {
        "id": "6d2cba43-cb57-4534-9603-a6e159167c0a", "entry_type": "JNLC",
        "from_account": "3dcb795c-3ccc-402a-abb9-07e26a1b1326",
        "to_account": "2a87c088-ffb6-472b-a4a3-cd9305c8605c", "status": "pending",
        "settle_date": "2022-02-17", "net_amount": "645", "description": "",
        "created_at": "2022-02-17T10:00:00Z",
    }  # fmt: skip
    legs = journal_rows(pending)
    assert [(r["account_id"], r["amount"], r["status"]) for r in legs] == [
        ("3dcb795c-3ccc-402a-abb9-07e26a1b1326", D("-645"), "pending"),
        ("2a87c088-ffb6-472b-a4a3-cd9305c8605c", D("645"), "pending"),
    ]
    assert journal_rows({**pending, "status": "executed"}) == []  # an activity by then
    assert {r["status"] for r in journal_rows({**pending, "status": "refused"})} == {"canceled"}
    landed([first, second, *legs])


def test_an_unreadable_alpaca_record_is_quarantined_with_its_reason() -> None:
    good, bad = load("alpaca", "spec", "trading_activity_examples.json")[0], {
        "id": "20220202135509981::bad", "activity_type": "FILL", "qty": "n/a",
        "price": "1", "side": "buy", "symbol": "AAPL",
        "transaction_time": "2022-02-02T18:55:09Z",
    }  # fmt: skip
    read, unread = activity_rows([good, bad], currencies={}, account_id="acct")
    assert isinstance(unread, Unreadable) and not isinstance(read, Unreadable)
    assert unread.reason == "unreadable record: qty: not a decimal: 'n/a'"
    assert unread.identity == {"account_id": "acct", "activity_id": "20220202135509981::bad"}


def test_snaptrade_transactions() -> None:
    body = load("snaptrade", "activities.json")
    buy, dividend, unknown = snaptrade.activity_rows([("acct", body["data"])])
    assert buy == {  # type: ignore[comparison-overlap]
        **buy,  # type: ignore[dict-item]
        "activity_id": "2f7dc9b3-5c33-4668-3440-2b31e056ebe6", "activity_type": "trade",
        "raw_type": "BUY", "raw_subtype": "BUY_TO_OPEN",
        "occurred_at": utc("2024-03-22T16:27:55Z"), "settle_date": date(2024, 3, 26),
        "symbol": "VAB.TO", "instrument_type": "equity", "raw_instrument_type": "cs",
        "quantity": D("5.2"), "price": D("0.4"), "amount": D("263.82"), "currency": "USD",
        "fee": D("0"), "fx_rate": D("1.032"),
    }  # fmt: skip
    assert dividend["symbol"] is None and dividend["quantity"] is None  # type: ignore[index]
    assert unknown["activity_type"] == "other"  # type: ignore[index]
    assert unknown["raw_type"] == "STAKING_REWARD"  # type: ignore[index]
    sold = snaptrade.activity_rows([("acct", [{**body["data"][0], "type": "SELL", "units": 5.2}])])[
        0
    ]
    assert sold["quantity"] == D("-5.2")  # type: ignore[index]  # a sale's units go out
    landed([buy, dividend, unknown], broker="snaptrade")


def test_snaptrade_transfer_legs_in_two_accounts_are_paired() -> None:
    leg = {
        "id": "out-1", "symbol": None, "option_symbol": None, "price": 0, "units": 0,
        "amount": -500, "currency": {"code": "CAD"}, "type": "TRANSFER",
        "trade_date": "2026-11-01T16:00:00Z", "settlement_date": "2026-11-01T00:00:00Z",
        "fee": 0, "external_reference_id": "ref-7",
    }  # fmt: skip
    out, into = snaptrade.activity_rows(
        [("a", [leg]), ("b", [{**leg, "id": "in-1", "amount": 500}])]
    )
    assert (out["activity_type"], into["activity_type"]) == ("transfer_out", "transfer_in")  # type: ignore[index]
    assert (out["related_activity_id"], into["related_activity_id"]) == ("in-1", "out-1")  # type: ignore[index]


def test_tradr_operations_and_the_deals_of_a_trade() -> None:
    deposit = tradr.transaction_row(
        {"balanceTransactionId": 7, "amount": 0.1, "currency": "USD", "operation": "add",
         "comment": "Initial deposit", "createdAt": "2025-01-02T03:04:05.000Z"},
        account_id="100", currency="USD",
    )  # fmt: skip
    assert (deposit["activity_type"], deposit["amount"]) == ("deposit", D("0.1"))
    withdrawal = tradr.transaction_row(
        {"balanceTransactionId": 8, "amount": 50, "operation": "sub",
         "createdAt": "2025-02-01T00:00:00Z"},
        account_id="100", currency="EUR",
    )  # fmt: skip
    assert (withdrawal["amount"], withdrawal["currency"]) == (D("-50"), "EUR")
    trade = {
        "exchangeOperationId": 30000400012, "symbol": "EURUSD", "type": "SELL", "volume": 0.5,
        "openPrice": 1.08123, "closePrice": 1.07923, "profit": 100, "swap": -1.2,
        "commission": -3.5, "status": "CLOSED", "openedAt": "2026-11-20T10:00:00.000Z",
        "closedAt": "2026-11-21T09:00:00.000Z",
    }  # fmt: skip
    opened, closed = tradr.trade_rows(trade, account_id="100", currency="USD")
    assert (opened["activity_id"], opened["quantity"], opened["amount"]) == (
        "30000400012",
        D("-0.5"),
        D(0),
    )
    assert (closed["activity_id"], closed["quantity"], closed["amount"], closed["fee"]) == (
        "30000400012-close",
        D("0.5"),
        D("95.3"),
        D("3.5"),
    )
    assert (opened["order_id"], closed["order_id"]) == ("30000400012", "30000400012-close")
    assert opened["instrument_type"] == "fx"
    still_open = tradr.open_deal_row(
        {"exchangeOperationId": "30000000001", "symbol": "XAUUSD", "type": "BUY",
         "volume": 0.01, "openPrice": 2400.5, "openedAt": "2026-11-19T08:00:00.000Z"},
        account_id="100", currency="USD",
    )  # fmt: skip
    assert (still_open["quantity"], still_open["order_id"]) == (D("0.01"), None)
    landed([deposit, withdrawal, opened, closed, still_open], broker="tradr")
