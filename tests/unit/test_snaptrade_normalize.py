"""SnapTrade's shapes to canonical rows: vocabularies, symbols, values, unknown values."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from brokers.snaptrade import normalize
from brokers.snaptrade.vocabulary import ORDER_STATUS
from schemas import OrderStatus

AS_OF = datetime(2026, 11, 20, 21, 0, tzinfo=UTC)
DAY = datetime(2026, 11, 23, tzinfo=UTC)

SPEC_STATUSES = [
    "NONE",
    "PENDING",
    "ACCEPTED",
    "FAILED",
    "REJECTED",
    "CANCELED",
    "PARTIAL_CANCELED",
    "CANCEL_PENDING",
    "EXECUTED",
    "PARTIAL",
    "REPLACE_PENDING",
    "REPLACED",
    "STOPPED",
    "SUSPENDED",
    "EXPIRED",
    "QUEUED",
    "TRIGGERED",
    "ACTIVATED",
    "PENDING_RISK_REVIEW",
    "CONTINGENT_ORDER",
]


def order(**fields):
    return {
        "brokerage_order_id": "o-1",
        "status": "EXECUTED",
        "universal_symbol": {
            "symbol": "AAPL",
            "type": {"code": "cs"},
            "currency": {"code": "USD"},
        },
        "action": "BUY",
        "total_quantity": "10",
        "filled_quantity": "10",
        "execution_price": "189.52",
        "order_type": "Market",
        "time_in_force": "Day",
        "time_placed": "2026-11-20T15:00:00.123456Z",
        "time_updated": "2026-11-20T15:00:01Z",
        "time_executed": "2026-11-20T15:00:01Z",
        **fields,
    }


def one(fields):
    [row] = normalize.order_rows([order(**fields)], account_id="a", currency="USD")
    return row


def test_all_twenty_order_statuses_are_mapped():
    assert len(SPEC_STATUSES) == 20
    assert set(ORDER_STATUS) == {s.replace("_", "").lower() for s in SPEC_STATUSES}
    assert one({"status": "PARTIAL_CANCELED"})["status"] == "canceled"
    assert one({"status": "CONTINGENT_ORDER"})["status"] == "pending"
    assert one({"status": "EXECUTED"})["status"] == "filled"
    assert one({"status": "NONE"})["status"] == OrderStatus.OTHER


@pytest.mark.parametrize(
    ("action", "side"),
    [
        ("BUY", "buy"),
        ("SELL", "sell"),
        ("SELL_SHORT", "sell_short"),
        ("BUY_COVER", "buy_to_cover"),
        ("BUY_OPEN", "buy"),
        ("BUY_CLOSE", "buy_to_cover"),
        ("SELL_OPEN", "sell_short"),
        ("SELL_CLOSE", "sell"),
        ("REI", "other"),
    ],
)
def test_order_actions(action, side):
    row = one({"action": action})
    assert (row["side"], row["raw_side"]) == (side, action)


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("Market", "market"),
        ("StopLimit", "stop_limit"),
        ("STP LMT", "stop_limit"),
        ("TRAIL", "trailing_stop"),
        ("NetDebit", "other"),
    ],
)
def test_free_string_order_types_keep_the_raw_value(raw, canonical):
    row = one({"order_type": raw})
    assert (row["order_type"], row["raw_order_type"]) == (canonical, raw)


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [("Day", "day"), ("GTC", "gtc"), ("MOO", "opg"), ("MOC", "cls"), ("EHP", "other")],
)
def test_times_in_force(raw, canonical):
    row = one({"time_in_force": raw})
    assert (row["time_in_force"], row["raw_time_in_force"]) == (canonical, raw)


def test_an_order_row_is_exact_and_utc():
    row = one({"status": "CANCELED", "filled_quantity": "0.125", "execution_price": None})
    assert row["quantity"] == Decimal("10")
    assert row["filled_quantity"] == Decimal("0.125")
    assert row["submitted_at"] == datetime(2026, 11, 20, 15, 0, 0, 123456, tzinfo=UTC)
    assert row["canceled_at"] == row["updated_at"]
    assert (row["symbol"], row["instrument_type"], row["currency"]) == ("AAPL", "equity", "USD")


def test_option_and_crypto_order_symbols():
    option = one(
        {
            "universal_symbol": None,
            "option_symbol": {
                "ticker": "AAPL  270115C00200000",
                "underlying_symbol": {"symbol": "AAPL", "currency": {"code": "USD"}},
            },
            "action": "SELL_OPEN",
        }
    )
    assert (option["symbol"], option["instrument_type"]) == ("AAPL270115C00200000", "option")
    assert option["currency"] == "USD"
    crypto = one(
        {
            "universal_symbol": {"symbol": "BTC", "type": {"code": "crypto"}},
            "quote_currency": {"code": "USD"},
        }
    )
    assert (crypto["symbol"], crypto["instrument_type"]) == ("BTC/USD", "crypto")


def test_bracket_legs_point_at_their_parent():
    parent = order(
        brokerage_order_id="p",
        order_role="TRIGGER",
        child_brokerage_order_ids={"take_profit_order_id": "tp", "stop_loss_order_id": "sl"},
    )
    legs = [
        order(brokerage_order_id=leg, brokerage_group_order_id="p", order_role="CONDITIONAL")
        for leg in ("tp", "sl")
    ]
    rows = normalize.order_rows([parent, *legs], account_id="a", currency="USD")
    assert [(r["order_id"], r["parent_order_id"]) for r in rows] == [
        ("p", None),
        ("tp", "p"),
        ("sl", "p"),
    ]


def test_an_option_position_is_valued_with_its_multiplier():
    row = normalize.position_row(
        {
            "instrument": {
                "kind": "option",
                "symbol": "SPY261218C00550000",
                "multiplier": "100",
                "currency": "USD",
            },
            "units": "-3",
            "price": "12.75",
            "cost_basis": "11.5",
            "currency": "USD",
        },
        account_id="a",
        as_of=AS_OF,
        day=DAY,
    )
    assert row["side"] == "short"
    assert row["quantity"] == Decimal(3)
    assert row["contract_size"] == Decimal(100)
    assert row["market_value"] == Decimal("-3825")
    assert row["cost_basis"] == Decimal("-3450")
    assert row["unrealized_pnl"] == Decimal("-375")
    assert (row["as_of"], row["as_of_date"]) == (AS_OF, DAY.date())


def test_crypto_positions_become_pairs_and_unknown_kinds_land_as_other():
    crypto = normalize.position_row(
        {"instrument": {"kind": "crypto", "symbol": "ETH"}, "units": "0.1", "currency": "USD"},
        account_id="a",
        as_of=AS_OF,
        day=DAY,
    )
    assert (crypto["symbol"], crypto["position_key"]) == ("ETH/USD", "crypto:ETH/USD")
    assert crypto["quantity"] == Decimal("0.1")
    odd = normalize.position_row(
        {"instrument": {"kind": "warrant", "symbol": "XYZ.WT"}, "units": "5", "currency": "cad"},
        account_id="a",
        as_of=AS_OF,
        day=DAY,
    )
    assert (odd["instrument_type"], odd["raw_instrument_type"], odd["currency"]) == (
        "other",
        "warrant",
        "CAD",
    )


def test_one_balance_row_per_currency_from_json_numbers():
    rows = normalize.balance_rows(
        [
            {"currency": {"code": "CAD"}, "cash": Decimal("1520.10"), "buying_power": None},
            {"currency": {"code": "USD"}, "cash": Decimal("-0.1"), "buying_power": Decimal(0)},
        ],
        account_id="a",
        as_of=AS_OF,
        day=DAY,
    )
    assert [(r["currency"], r["cash"], r["equity"]) for r in rows] == [
        ("CAD", Decimal("1520.10"), None),
        ("USD", Decimal("-0.1"), None),
    ]


def test_connections_and_accounts():
    connection = normalize.connection_row(
        {
            "id": "c",
            "brokerage": {"name": "Questrade", "display_name": "Questrade"},
            "type": "read",
            "disabled": True,
            "disabled_date": "2026-11-10T08:00:00Z",
            "created_date": "2025-01-01T00:00:00Z",
        },
        user_id="u",
    )
    assert (connection["status"], connection["connection_type"]) == ("disabled", "read")
    assert connection["disabled_at"] == datetime(2026, 11, 10, 8, tzinfo=UTC)
    account = normalize.account_row(
        {
            "id": "a",
            "brokerage_authorization": "c",
            "name": "Questrade RRSP",
            "number": "51234567",
            "institution_name": "Questrade",
            "created_date": "2025-01-02T00:00:00Z",
            "balance": {"total": {"amount": 10.5, "currency": "CAD"}},
            "status": "archived",
            "raw_type": "RRSP",
            "is_paper": False,
        },
        user_id="u",
    )
    assert account["account_number_masked"] == "****4567"
    assert (account["account_type"], account["status"], account["base_currency"]) == (
        "retirement",
        "closed",
        "CAD",
    )


def test_a_record_missing_its_id_is_quarantined_not_landed_as_none():
    import logging

    from brokers.connector import FetchContext
    from brokers.frames import canonical_frame
    from schemas import validate

    rows = normalize.order_rows(
        [order(), order(brokerage_order_id=None)], account_id="a", currency="USD"
    )
    ctx = FetchContext("run", AS_OF, logging.getLogger("test"))
    frame = canonical_frame("orders", rows, source="s", broker="snaptrade", ctx=ctx)
    result = validate("orders", frame)
    assert result.valid["order_id"].to_list() == ["o-1"]
    assert result.quarantined.height == 1
    assert "order_id" in result.quarantined["quarantine_reason"][0]
