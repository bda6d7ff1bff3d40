"""What the brokers publish (their specs' examples, their SDKs' recorded responses, and
shapes derived from those by hand; tests/fixtures/README.md says which is which) lands
whole and right: read through the connectors' own page reading, every decoding path
(polars from the bytes, JSON then column-wise, record by record) gives the same rows, and
those rows are the ones written here by hand; what cannot be read is quarantined with a
reason a user can act on."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from brokers.alpaca.normalize import position_identity, position_row
from brokers.alpaca_broker.order_changes import latest_changes
from brokers.alpaca_common.order_frames import OrderBatch, by_records, orders_frame
from brokers.alpaca_common.order_pages import order_page
from brokers.alpaca_common.position_frames import PositionBatch
from brokers.connector import FetchContext
from brokers.frames import canonical_frame, salvage, stamp
from brokers.http import decode_json
from brokers.snaptrade import normalize as snaptrade
from schemas import table, validate
from schemas.validate import REASON

FIXTURES = Path(__file__).parents[1] / "fixtures"
FETCHED_AT = datetime(2026, 11, 20, 15, 30, tzinfo=UTC)
ACCOUNT = "2a87c088-ffb6-472b-a4a3-cd9305c8605c"
LINEAGE = ("source", "broker", "fetched_at", "run_id")
D = Decimal


def ctx() -> FetchContext:
    return FetchContext(run_id="run-1", fetched_at=FETCHED_AT, log=logging.getLogger("test"))


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def body(*path: str) -> bytes:
    return FIXTURES.joinpath(*path).read_bytes()


def as_page(content: bytes) -> bytes:
    """A single-order response as the one-order page a listing would hold."""
    return content if content.lstrip()[:1] == b"[" else b"[" + content + b"]"


def rows(frame: pl.DataFrame) -> list[dict[str, Any]]:
    """Rows without lineage, in key order."""
    key = [c for c in ("account_id", "order_id", "position_key") if c in frame.columns]
    return frame.drop(LINEAGE).sort(key).to_dicts()


def alpaca_orders(
    content: bytes, currency: str = "USD", context: FetchContext | None = None
) -> pl.DataFrame:
    """An order page read every way the connectors read one; the readings must agree."""
    context = context or ctx()
    lineage = {"source": "src", "broker": "alpaca", "ctx": context}
    currencies = {ACCOUNT: currency}
    from_bytes = order_page(content)  # a frame, or JSON where polars could misread it
    decoded = decode_json(content.decode())
    readings = [
        orders_frame([(ACCOUNT, from_bytes)], currencies=currencies, **lineage),
        orders_frame([(ACCOUNT, decoded)], currencies=currencies, **lineage),
        canonical_frame("orders", by_records(ACCOUNT, decoded, currency), **lineage),
    ]
    first = rows(readings[0])
    for reading in readings[1:]:
        assert rows(reading) == first
    return readings[0]


def alpaca_positions(records: list[dict[str, Any]], currency: str = "USD") -> pl.DataFrame:
    """A positions page read column-wise and record by record; the readings must agree."""
    context = ctx()
    batch = PositionBatch(source="src", broker="alpaca", ctx=context)
    batch.add(ACCOUNT, FETCHED_AT, records, currency)
    fast = batch.frame(day=FETCHED_AT.date())
    slow_rows = salvage(
        records,
        lambda p: position_row(p, account_id=ACCOUNT, as_of=FETCHED_AT, currency=currency),
        lambda p: position_identity(p, ACCOUNT, FETCHED_AT),
    )
    stamp(slow_rows, as_of_date=FETCHED_AT.date())
    slow = canonical_frame("positions", slow_rows, source="src", broker="alpaca", ctx=context)
    assert rows(fast) == rows(slow)
    return fast


NO_ORDER_TERMS = dict.fromkeys(
    (
        "parent_order_id", "replaces_order_id", "replaced_by_order_id", "quantity",
        "ratio_quantity", "notional", "limit_price", "stop_price", "trail_percent",
        "trail_price", "high_water_mark", "average_fill_price", "commission", "filled_at",
        "canceled_at", "expired_at", "failed_at", "swap_rate", "usd_notional",
        "usd_limit_price", "usd_stop_price", "usd_average_fill_price",
    )
)  # fmt: skip


def order(**fields: Any) -> dict[str, Any]:
    """An expected row of the orders table: what is not given is null."""
    row = {"account_id": ACCOUNT, **NO_ORDER_TERMS, "currency": "USD", **fields}
    for name in ("raw_side", "raw_order_type", "raw_time_in_force", "raw_status"):
        row.setdefault(name, None)
    return {name: row[name] for name in table("orders").columns if name not in LINEAGE}


def valid(name: str, frame: pl.DataFrame) -> None:
    """Every row satisfies the contract (none goes to quarantine)."""
    result = validate(name, frame)
    assert result.quarantined.is_empty(), result.quarantined.get_column(REASON).to_list()


# Alpaca orders: the spec's examples


def test_the_specs_order_examples_land_multi_leg_parent_and_all():
    context = ctx()
    frame = alpaca_orders(body("alpaca", "spec", "trading_order_examples.json"), context=context)
    common = {"filled_quantity": D(0), "raw_order_class": ""}
    leg = {  # what both legs of the multi-leg order share
        "parent_order_id": "83f37e9f-6b1f-49ed-8fc6-3e6af716323f", "order_class": "mleg",
        "raw_order_class": "mleg", "instrument_type": "option",
        "raw_instrument_type": "us_option", "order_type": "other", "raw_order_type": "",
        "time_in_force": "day", "raw_time_in_force": "day", "status": "filled",
        "raw_status": "filled", "submitted_at": utc("2024-12-10T16:15:53.684952Z"),
        "filled_at": utc("2024-12-10T16:15:53.694Z"),
    }  # fmt: skip
    assert rows(frame) == [
        order(
            order_id="30a077fa-96f6-4f20-a052-4b921ee2f243",
            client_order_id="58cd43a7-029e-457e-b77f-cd4f61f00f2a",
            order_class="simple", raw_order_class="simple", symbol="AAPL250620C00100000",
            instrument_type="option", raw_instrument_type="us_option", side="buy",
            raw_side="buy", order_type="limit", raw_order_type="limit", time_in_force="day",
            raw_time_in_force="day", status="pending", raw_status="pending_new",
            quantity=D(2), filled_quantity=D(0), limit_price=D(10),
            submitted_at=utc("2023-12-12T21:35:49.056332Z"),
            updated_at=utc("2023-12-12T21:35:49.102504Z"),
        ),
        order(
            order_id="38e482f3-79a8-4f75-a057-f07a1ec6a397",
            client_order_id="5b5d3d67-06ad-4ffa-af65-a117d0fc5a59", order_class="simple",
            symbol="ETH/USD", instrument_type="crypto", raw_instrument_type="crypto",
            side="buy", raw_side="buy", order_type="limit", raw_order_type="limit",
            time_in_force="gtc", raw_time_in_force="gtc", status="pending",
            raw_status="pending_new", quantity=D("0.02"), limit_price=D(2100),
            submitted_at=utc("2023-12-12T22:36:51.313261Z"),
            updated_at=utc("2023-12-12T22:36:51.337754Z"), **common,
        ),
        order(  # asset class `ipo` (added to the spec in 2025): lands as other
            order_id="5e2a8f1a-9c10-4d3a-8c64-7f59c1d18c11",
            client_order_id="0b3a90b6-6b5c-4d83-8c0e-9b3eaf4a8d11", order_class="simple",
            symbol="FI111225", instrument_type="other", raw_instrument_type="ipo",
            side="buy", raw_side="buy", order_type="market", raw_order_type="market",
            time_in_force="gtc", raw_time_in_force="gtc", status="pending",
            raw_status="accepted", notional=D(500),
            submitted_at=utc("2025-09-15T13:30:42.094518Z"),
            updated_at=utc("2025-09-15T13:30:42.117344Z"), **common,
        ),
        order(
            order_id="7b08df51-c1ac-453c-99f9-323a5f075f0d",
            client_order_id="5680c4bc-9ac1-4a12-a44c-df427ba53032", order_class="simple",
            symbol="AAPL", instrument_type="equity", raw_instrument_type="us_equity",
            side="buy", raw_side="buy", order_type="limit", raw_order_type="limit",
            time_in_force="gtc", raw_time_in_force="gtc", status="pending",
            raw_status="accepted", quantity=D(2), limit_price=D(150),
            submitted_at=utc("2023-12-12T22:31:24.577215Z"),
            updated_at=utc("2023-12-12T22:31:24.668464Z"), **common,
        ),
        order(  # the multi-leg parent: named by its legs, its side theirs
            order_id="83f37e9f-6b1f-49ed-8fc6-3e6af716323f",
            client_order_id="646b1fe6-b212-4f54-94c6-429e7bcdee04", order_class="mleg",
            raw_order_class="mleg", symbol="AAPL241213C00250000+AAPL241213C00260000",
            instrument_type="option", raw_instrument_type="", side="other", raw_side="",
            order_type="limit", raw_order_type="limit", time_in_force="day",
            raw_time_in_force="day", status="filled", raw_status="filled",
            quantity=D(1), filled_quantity=D(1), limit_price=D(10),
            average_fill_price=D("1.28"), submitted_at=utc("2024-12-10T16:15:53.684952Z"),
            filled_at=utc("2024-12-10T16:15:53.694Z"),
            updated_at=utc("2024-12-10T16:15:53.725139Z"),
        ),
        order(
            order_id="df4ff24a-c58a-4e37-8b9f-ef32b83a11f2",
            client_order_id="cc8cc104-fe43-476c-b25c-f62650fb73f9",
            symbol="AAPL241213C00250000", side="buy", raw_side="buy", quantity=D(3),
            ratio_quantity=D(3), filled_quantity=D(3), average_fill_price=D("0.43"),
            updated_at=utc("2024-12-10T16:15:53.725091Z"), **leg,
        ),
        order(
            order_id="ecd91110-c34d-4e9d-a7bf-a9c27c40f8b5",
            client_order_id="0bd2d36d-4af2-4dfb-8418-333a5d5026fa",
            symbol="AAPL241213C00260000", side="sell_short", raw_side="sell", quantity=D(1),
            ratio_quantity=D(1), filled_quantity=D(1), average_fill_price=D("0.01"),
            updated_at=utc("2024-12-10T16:15:53.708983Z"), **leg,
        ),
    ]  # fmt: skip
    valid("orders", frame)
    assert context.unknown_values == {"orders.instrument_type": ["ipo"]}


def test_a_credit_spread_lands_with_its_negative_net_price():
    frame = alpaca_orders(body("alpaca", "derived", "mleg_credit_spread.json"))
    parent, *legs = (r for r in rows(frame) if r["order_id"].startswith(("c0", "d1", "e2")))
    assert (parent["symbol"], parent["side"], parent["order_class"]) == (
        "AAPL241213C00250000+AAPL241213C00260000",
        "other",
        "mleg",
    )
    assert (parent["quantity"], parent["limit_price"], parent["average_fill_price"]) == (
        D(2),
        D("-0.35"),
        D("-0.38"),
    )
    assert [(leg["side"], leg["ratio_quantity"], leg["average_fill_price"]) for leg in legs] == [
        ("sell_short", D(1), D("0.43")),
        ("buy", D(1), D("0.05")),
    ]
    assert {leg["parent_order_id"] for leg in legs} == {parent["order_id"]}
    valid("orders", frame)  # signed prices are a multi-leg order's


def test_a_negative_price_anywhere_else_is_quarantined_with_why():
    content = body("alpaca", "spec", "trading_order_examples.json").replace(
        b'"limit_price": "150"', b'"limit_price": "-150"'
    )
    result = validate("orders", alpaca_orders(content))
    assert result.quarantined.select("order_id", REASON).rows() == [
        (
            "7b08df51-c1ac-453c-99f9-323a5f075f0d",
            "Orders failed prices >= 0 unless multi-leg (limit, stop, fill)",
        )
    ]
    assert result.valid.height == 6


# Alpaca orders: alpaca-py's recorded responses (numbers where the spec says strings)


def test_numbers_in_orders_land_exact_whichever_way_the_page_is_read():
    market = alpaca_orders(as_page(body("alpaca", "alpaca-py", "market_order.json")))
    limit = alpaca_orders(as_page(body("alpaca", "alpaca-py", "order_position_intent_limit.json")))
    base = {
        "order_id": "61e69015-8549-4bfd-b9c3-01e75843f47d",
        "client_order_id": "eb9e2aaa-f71a-4f51-b5b4-52a6c565dad4", "order_class": "simple",
        "raw_order_class": "simple", "symbol": "AAPL`", "instrument_type": "equity",
        "raw_instrument_type": "us_equity", "raw_time_in_force": "day",
        "time_in_force": "day", "status": "pending", "raw_status": "accepted",
        "quantity": D(1), "filled_quantity": D(0), "commission": D("1.25"),
        "submitted_at": utc("2021-03-16T18:38:01.937734Z"),
        "updated_at": utc("2021-03-16T18:38:01.942282Z"),
    }  # fmt: skip
    assert rows(market) == [
        order(**base, side="buy", raw_side="buy", order_type="market", raw_order_type="market")
    ]
    assert rows(limit) == [
        order(
            **base, side="sell_short", raw_side="sell", order_type="limit",
            raw_order_type="limit", limit_price=D(300),
        )
    ]  # fmt: skip
    valid("orders", market)
    valid("orders", limit)


def test_an_order_with_a_value_that_is_not_a_number_is_quarantined_with_the_field():
    """alpaca-py's `test_get_orders` sends `hwm: "string"` (and numeric quantities)."""
    frame = alpaca_orders(body("alpaca", "alpaca-py", "get_orders.json"))
    [row] = rows(frame)
    assert (row["order_id"], row[REASON]) == (
        "0b11f089-722d-4ced-9beb-e2eeed3637dc",
        "unreadable record: hwm: not a decimal: 'string'",
    )
    fixed = alpaca_orders(
        body("alpaca", "alpaca-py", "get_orders.json").replace(b'"string"\n', b'"412.07"\n')
    )
    [row] = rows(fixed)  # with a price there, it lands: every term kept
    assert {
        k: row[k]
        for k in (
            "replaces_order_id", "replaced_by_order_id", "expired_at", "failed_at",
            "high_water_mark", "quantity", "filled_quantity", "average_fill_price",
            "order_type", "raw_order_type",
        )
    } == {
        "replaces_order_id": "9f7d75bc-a9a2-40b0-9082-0fc0a09817ff",
        "replaced_by_order_id": "0b11f089-722d-4ced-9beb-e2eeed3637dc",
        "expired_at": utc("2019-08-24T14:15:22Z"), "failed_at": utc("2019-08-24T14:15:22Z"),
        "high_water_mark": D("412.07"), "quantity": D(1), "filled_quantity": D(0),
        "average_fill_price": D(0), "order_type": "stop", "raw_order_type": "stop",
    }  # fmt: skip


def test_a_number_in_a_field_brokerlake_does_not_read_keeps_the_fast_path():
    content = body("alpaca", "spec", "trading_order_examples.json").replace(
        b'"extended_hours": false', b'"extended_hours": false, "daytrade_count": 3', 1
    )
    content = content.replace(b'"subtag": null', b'"subtag": null, "commission_bps": 10.5', 1)
    assert isinstance(order_page(content), pl.DataFrame)  # read by polars from the bytes
    plain = alpaca_orders(body("alpaca", "spec", "trading_order_examples.json"))
    assert rows(alpaca_orders(content)) == rows(plain)


# Alpaca orders: derived shapes (LCT, trailing stops)


def test_an_lct_order_lands_in_the_accounts_currency_with_its_usd_figures():
    frame = alpaca_orders(body("alpaca", "derived", "lct_order.json"), currency="JPY")
    [row] = rows(frame)
    assert row == order(
        order_id="5f1e2d3c-4b5a-4697-8877-665544332211",
        client_order_id="b2c3d4e5-f6a7-4b8c-9d0e-1f2a3b4c5d60", order_class="simple",
        raw_order_class="", symbol="AAPL", instrument_type="equity",
        raw_instrument_type="us_equity", side="buy", raw_side="buy", order_type="market",
        raw_order_type="market", time_in_force="day", raw_time_in_force="day",
        status="filled", raw_status="filled", notional=D("299999.7298545377273867"),
        filled_quantity=D("9.948305023"),
        average_fill_price=D("30155.890807763221285412"),  # 19 places: rounded half to even
        commission=D(0), submitted_at=utc("2024-08-19T14:01:02.120000Z"),
        filled_at=utc("2024-08-19T14:01:03.5Z"), updated_at=utc("2024-08-19T14:01:03.5Z"),
        currency="JPY", swap_rate=D("147.23118253961147"), usd_notional=D("2037.61"),
        usd_average_fill_price=D("204.82"),
    )  # fmt: skip
    valid("orders", frame)


def test_trailing_stops_keep_their_terms():
    frame = alpaca_orders(body("alpaca", "derived", "trailing_stops.json"))
    terms = [
        {k: r[k] for k in ("trail_price", "trail_percent", "high_water_mark", "stop_price",
                           "replaces_order_id", "status", "expired_at", "order_type")}
        for r in rows(frame)
    ]  # fmt: skip
    assert terms == [
        {
            "trail_price": D("1.5"), "trail_percent": None, "high_water_mark": D("197.1"),
            "stop_price": D("195.6"), "replaces_order_id": "7b08df51-c1ac-453c-99f9-323a5f075f0d",
            "status": "open", "expired_at": None, "order_type": "trailing_stop",
        },
        {
            "trail_price": None, "trail_percent": D("2.5"), "high_water_mark": D(196),
            "stop_price": D("191.1"), "replaces_order_id": None, "status": "expired",
            "expired_at": utc("2023-12-13T02:00:00Z"), "order_type": "trailing_stop",
        },
    ]  # fmt: skip
    valid("orders", frame)


# Alpaca trade events (the Broker API's change feed)


def test_trade_events_land_each_order_as_its_latest_event_shows_it():
    events = [
        *json.loads(body("alpaca", "spec", "broker_trade_event_examples.json")),
        *json.loads(body("alpaca", "derived", "accepted_event.json")),
    ]
    context = ctx()
    batch = OrderBatch()
    for event in events:
        batch.add(event["account_id"], [event["order"]])
    batch.seal()
    frame = latest_changes(batch.frame(source="src", broker="alpaca", ctx=context), {})
    got = {
        r["order_id"]: (r["symbol"], r["side"], r["order_class"], r["status"], r["raw_status"])
        for r in frame.to_dicts()
    }
    assert got == {
        "edada91a-8b55-4916-a153-8c7a9817e708": ("TSLA", "buy", "simple", "open", "new"),
        "8af45a94-0b35-4053-ad4e-716c6783fcc9": (  # a strangle: both legs bought
            "AAPL250117P00200000+AAPL250117C00250000", "buy", "mleg", "filled", "filled",
        ),
        "8d58279f-7dc8-415f-8495-32f394935509": (
            "AAPL250117P00200000", "buy", "mleg", "filled", "filled",
        ),
        "8b0e2cff-eace-4e6a-8810-cad42c63df59": (
            "AAPL250117C00250000", "buy", "mleg", "filled", "filled",
        ),
        "f3dbe6b7-8a9c-4d0e-8f1a-2b3c4d5e6f70": ("TSLA", "buy", "simple", "pending", "accepted"),
    }  # fmt: skip
    parent = frame.filter(pl.col("order_id") == "8af45a94-0b35-4053-ad4e-716c6783fcc9").row(
        0, named=True
    )
    assert (parent["limit_price"], parent["average_fill_price"], parent["commission"]) == (
        D("0.6"),
        D("0.07"),
        None,
    )
    valid("orders", frame)
    assert context.unknown_values == {}


# Alpaca positions


def test_an_lct_position_with_28_decimal_places_lands_rounded_in_its_currency():
    """alpaca-py's recorded `GET /v1/accounts/positions`: its values carry up to 28
    places. The payload does not name the account's currency; 1.4999 a dollar is AUD's."""
    listing = json.loads(body("alpaca", "alpaca-py", "get_all_accounts_positions.json"))
    [records] = listing["positions"].values()
    frame = alpaca_positions(records, currency="AUD")
    [row] = rows(frame)
    assert {k: row[k] for k in row if k not in ("account_id", "as_of", "as_of_date")} == {
        "position_key": "equity:TSLA", "symbol": "TSLA", "instrument_type": "equity",
        "raw_instrument_type": "us_equity", "side": "long", "quantity": D("0.173011547"),
        "contract_size": None, "average_cost": D("286.9749783265074366"),
        "market_price": D("189.19"), "market_value": D("32.73205457693"),
        "cost_basis": D("49.649984950560522711"),  # 49.6499849505605227113711001112
        "unrealized_pnl": D("-16.917930373630522711"),  # -16.9179303736305227113711001112
        "currency": "AUD", "swap_rate": D("1.499868775739003"),
        "usd_average_cost": D("191.992"), "usd_market_price": D("126.13770155111327"),
        "usd_market_value": D("21.8232788803824064"), "usd_cost_basis": D("33.216832931624"),
        "usd_unrealized_pnl": D("-11.2796070211508065"),
    }  # fmt: skip
    valid("positions", frame)


def test_a_position_with_more_than_20_integer_digits_is_quarantined_with_why():
    records = json.loads(body("alpaca", "alpaca-py", "get_all_positions.json"))
    records[0]["market_value"] = "123456789012345678901.5"
    [row] = rows(alpaca_positions(records))
    assert row[REASON] == (
        "unreadable record: market_value: '123456789012345678901.5' has more than 20 integer "
        "digits (the contract holds Decimal(38, 18))"
    )


def test_a_crypto_position_and_its_closing_order_share_one_symbol():
    """alpaca-py's recorded close-all-positions answer: position `BTCUSD`, order `BTC/USD`."""
    [closed, *_] = json.loads(body("alpaca", "alpaca-py", "close_all_positions_for_account.json"))
    assert closed["symbol"] == "BTCUSD"
    orders = alpaca_orders(json.dumps([closed["body"]]).encode())
    positions = alpaca_positions(json.loads(body("alpaca", "derived", "crypto_position.json")))
    assert orders.get_column("symbol").to_list() == ["BTC/USD"]
    assert positions.select("symbol", "position_key").rows() == [("BTC/USD", "crypto:BTC/USD")]
    assert positions.row(0, named=True)["market_value"] == D("671.74012")


# SnapTrade


def test_snaptrade_account_value_is_the_equity_of_its_currency():
    [account] = json.loads(body("snaptrade", "accounts.json"), parse_float=Decimal)
    balances = json.loads(body("snaptrade", "balances.json"), parse_float=Decimal)
    total = snaptrade.account_total(account)
    rows_ = snaptrade.balance_rows(
        balances, account_id=account["id"], as_of=FETCHED_AT, day=FETCHED_AT, total=total
    )
    assert [(r["currency"], r["cash"], r["buying_power"], r["equity"]) for r in rows_] == [
        ("USD", D("300.71"), D("410.71"), D("15363.23"))
    ]
    no_cash = snaptrade.balance_rows(
        [], account_id="a", as_of=FETCHED_AT, day=FETCHED_AT, total=total
    )
    assert [(r["currency"], r["cash"], r["equity"]) for r in no_cash] == [
        ("USD", None, D("15363.23"))
    ]


def test_snaptrade_positions_apply_every_instruments_multiplier():
    listing = json.loads(body("snaptrade", "positions.json"))
    read = [
        snaptrade.position_row(p, account_id="a", as_of=FETCHED_AT, day=FETCHED_AT)
        for p in listing["results"]
    ]
    figures = [
        (r["symbol"], r["instrument_type"], r["side"], r["quantity"], r["contract_size"],
         r["market_value"], r["cost_basis"], r["unrealized_pnl"])
        for r in read
    ]  # fmt: skip
    assert figures == [
        # an E-mini: 2 contracts x 5,301.25 points x 50 dollars a point
        ("ESM26", "future", "long", D(2), D(50), D(530125), D(521050), D(9075)),
        ("AAPL261218C00240000", "option", "short", D(3), D(100), D(-3750), D(-3075), D(-675)),
        ("BTC/USD", "crypto", "long", D("0.5"), None, D("33625.25"), D(30000), D("3625.25")),
    ]
    frame = canonical_frame("positions", read, source="src", broker="snaptrade", ctx=ctx())
    valid("positions", frame)


def test_snaptrade_orders_keep_trailing_stops_groups_and_crypto_pairs():
    records = json.loads(body("snaptrade", "orders.json"))
    read = snaptrade.order_rows(records, account_id="a", currency="CAD")
    got = [
        (r["order_id"][-2:], r["symbol"], r["order_class"], r["parent_order_id"],
         r["trail_price"], r["trail_percent"], r["status"], r["expired_at"], r["failed_at"],
         r["currency"])
        for r in read
    ]  # fmt: skip
    trigger = "7a1b2c3d-0000-4000-8000-000000000001"
    assert got == [
        ("7e", "VAB.TO", "simple", None, D("0.60"), None, "open", None, None, "CAD"),
        ("7f", "VAB.TO", "simple", None, None, D(5), "expired",
         utc("2024-07-30T20:00:00Z"), None, "CAD"),
        ("01", "AAPL", "bracket", None, None, None, "filled", None, None, "USD"),
        ("02", "AAPL", "bracket", trigger, None, None, "open", None, None, "USD"),
        ("04", "ETH/BTC", "simple", None, None, None, "rejected", None,
         utc("2024-08-01T09:30:00.250000Z"), "BTC"),
    ]  # fmt: skip
    frame = canonical_frame("orders", read, source="src", broker="snaptrade", ctx=ctx())
    valid("orders", frame)


@pytest.mark.parametrize("name", ["orders", "positions"])
def test_every_reading_gives_the_contracts_columns(name):
    """The readings above hold the contract's columns, in its order."""
    frame = (
        alpaca_orders(body("alpaca", "derived", "lct_order.json"), currency="JPY")
        if name == "orders"
        else alpaca_positions(json.loads(body("alpaca", "alpaca-py", "get_all_positions.json")))
    )
    assert frame.schema == table(name).schema


def test_a_parent_that_cannot_be_read_keeps_its_legs():
    """A multi-leg parent with a bad value is quarantined alone: its legs land, each
    pointing at it, whichever way the page is read."""
    content = body("alpaca", "derived", "mleg_credit_spread.json").replace(
        b'"limit_price": "-0.35"', b'"limit_price": "n/a"'
    )
    read = rows(alpaca_orders(content))
    assert [(r["order_id"][:2], r[REASON]) for r in read] == [
        ("c0", "unreadable record: limit_price: not a decimal: 'n/a'"),
        ("d1", None),
        ("e2", None),
    ]
    assert [r["parent_order_id"] for r in read[1:]] == ["c0a8b3e4-5d6f-4a7b-8c9d-0e1f2a3b4c5d"] * 2
