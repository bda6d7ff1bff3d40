"""Plaid's documented shapes read into canonical rows, by hand-written records as Plaid's
API reference describes them: an option's quantity counts options (contracts times 100)
and its prices are per share; a crypto currency's ticker is its base; amounts are
positive when cash leaves the account; a transfer's direction is its units' sign; a
type Plaid adds later lands as `other`; a record missing what identifies it is
quarantined, not lost."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from brokers.frames import Unreadable
from brokers.plaid.activities import activity_rows
from brokers.plaid.normalize import account_row, item_rows, position_row

AS_OF = datetime(2026, 11, 20, 15, 30, tzinfo=UTC)
OPTION = {
    "security_id": "KdDjmojBPjtJ8mzn4Q9vIAfBj1B7a3f7wJnd1",
    "ticker_symbol": "NFLX180201C00355000",
    "type": "derivative",
    "iso_currency_code": "USD",
    "option_contract": {
        "contract_type": "call", "expiration_date": "2018-02-01", "strike_price": 355,
        "underlying_security_ticker": "NFLX",
    },
}  # fmt: skip
CRYPTO = {
    "security_id": "JDdP7XPMklt5vwPmDN45t3KAoWAPmjtpaW7DP",
    "ticker_symbol": "BTC",
    "type": "cryptocurrency",
    "iso_currency_code": "USD",
    "option_contract": None,
}
SECURITIES = {s["security_id"]: s for s in (OPTION, CRYPTO)}


def holding(security: dict, **fields: object) -> dict:
    return {
        "account_id": "acc", "security_id": security["security_id"], "iso_currency_code": "USD",
        **fields,
    }  # fmt: skip


def test_an_option_holding_counts_contracts_priced_per_share():
    row = position_row(
        holding(
            OPTION, quantity=Decimal(300), institution_price=Decimal("1.25"),
            institution_value=Decimal(375), cost_basis=Decimal(450),
        ),
        SECURITIES,
        as_of=AS_OF,
    )  # fmt: skip
    assert row["symbol"] == "NFLX180201C00355000"
    assert (row["instrument_type"], row["raw_instrument_type"]) == ("option", "derivative")
    assert (row["quantity"], row["contract_size"]) == (Decimal(3), Decimal(100))
    assert (row["average_cost"], row["market_price"]) == (Decimal("1.5"), Decimal("1.25"))
    assert (row["market_value"], row["unrealized_pnl"]) == (Decimal(375), Decimal(-75))
    assert row["side"] == "long"


def test_a_crypto_holding_is_a_pair():
    row = position_row(
        holding(CRYPTO, quantity=Decimal("0.5"), institution_price=Decimal(90000),
                institution_value=Decimal(45000), cost_basis=None),
        SECURITIES,
        as_of=AS_OF,
    )  # fmt: skip
    assert (row["symbol"], row["position_key"]) == ("BTC/USD", "crypto:BTC/USD")
    assert row["average_cost"] is None and row["unrealized_pnl"] is None


def transaction(**fields: object) -> dict:
    return {
        "investment_transaction_id": "t1", "account_id": "acc", "date": "2026-11-02",
        "transaction_datetime": None, "name": "x", "quantity": Decimal(0),
        "amount": Decimal(0), "price": Decimal(0), "fees": Decimal(0),
        "iso_currency_code": "USD", "security_id": None, **fields,
    }  # fmt: skip


def test_transactions_read_with_plaids_signs():
    sale, transfer, deposit, later = activity_rows(
        [
            transaction(
                investment_transaction_id="sale", type="sell", subtype="sell",
                security_id=OPTION["security_id"], quantity=Decimal(-200),
                price=Decimal("2.10"), amount=Decimal("-419.35"), fees=Decimal("0.65"),
                transaction_datetime="2026-11-02T14:31:07Z",
            ),
            transaction(
                investment_transaction_id="out", type="transfer", subtype="transfer",
                security_id=CRYPTO["security_id"], quantity=Decimal("-0.1"),
            ),
            transaction(
                investment_transaction_id="in", type="cash", subtype="contribution",
                amount=Decimal(-500),
            ),
            transaction(investment_transaction_id="new", type="cash", subtype="a new one"),
        ],
        SECURITIES,
    )  # fmt: skip
    assert (sale["activity_type"], sale["quantity"], sale["price"]) == (
        "trade", Decimal(-2), Decimal("2.10"),
    )  # fmt: skip
    assert (sale["amount"], sale["fee"]) == (Decimal("419.35"), Decimal("0.65"))
    assert sale["occurred_at"] == datetime(2026, 11, 2, 14, 31, 7, tzinfo=UTC)
    assert (transfer["activity_type"], transfer["symbol"]) == ("transfer_out", "BTC/USD")
    assert (deposit["activity_type"], deposit["amount"], deposit["quantity"]) == (
        "deposit", Decimal(500), None,
    )  # fmt: skip
    assert deposit["occurred_at"] == datetime(2026, 11, 2, tzinfo=UTC)  # the date's start
    assert (later["activity_type"], later["raw_subtype"]) == ("other", "a new one")


def test_a_transaction_without_its_id_is_quarantined_under_its_account():
    [unread] = activity_rows([transaction(investment_transaction_id=None, type="cash")], {})
    assert isinstance(unread, Unreadable)
    assert "investment_transaction_id" in unread.reason
    assert unread.identity["account_id"] == "acc"


def test_an_item_in_error_is_a_disabled_connection_and_its_accounts_say_their_kind():
    user, connection = item_rows(
        {"item_id": "it", "institution_name": "Fidelity", "created_at": "2026-01-02T03:04:05Z",
         "error": {"error_code": "ITEM_LOGIN_REQUIRED"}}
    )  # fmt: skip
    assert (user["user_id"], user["user_kind"]) == ("it", "derived")
    assert (connection["status"], connection["raw_status"]) == ("disabled", "ITEM_LOGIN_REQUIRED")
    item = {"item_id": "it", "institution_name": "Fidelity"}
    accounts = [
        account_row(
            {"account_id": a, "mask": "4444", "name": a, "subtype": subtype,
             "balances": {"iso_currency_code": "USD"}},
            item,
            is_paper=False,
        )
        for a, subtype in (("a", "403B"), ("b", "brokerage"), ("c", "crypto exchange"))
    ]  # fmt: skip
    assert [a["account_type"] for a in accounts] == ["retirement", "other", "crypto"]
    assert accounts[0]["account_number_masked"] == "****4444"
