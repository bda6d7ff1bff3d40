"""The official alpaca-py client, unchanged, reads the sandbox and sees the world."""

from __future__ import annotations

from decimal import Decimal

import pytest
from alpaca.common.exceptions import APIError
from alpaca.trading.client import TradingClient
from alpaca.trading.enums import QueryOrderStatus
from alpaca.trading.models import NonTradeActivity, TradeActivity
from alpaca.trading.requests import GetOrdersRequest

from sandbox import World
from sandbox.alpaca_trading.activities import activity_id
from tests.sandbox.helpers import AlpacaKey


def client(alpaca_url: str, key: AlpacaKey, secret: str | None = None) -> TradingClient:
    return TradingClient(key.key_id, secret or key.secret_key, paper=True, url_override=alpaca_url)


def test_alpaca_py_reads_account_positions_and_orders(
    alpaca_url: str, keys: list[AlpacaKey], world: World
) -> None:
    for key in keys:
        trading = client(alpaca_url, key)
        account = trading.get_account()
        (balance,) = world.balances(key.account_id)
        assert str(account.id) == key.account_id
        assert account.account_number == world.account(key.account_id).account_number
        assert isinstance(account.cash, str)
        assert Decimal(account.cash) == balance.cash
        assert Decimal(account.equity) == balance.equity
        assert Decimal(account.buying_power) == balance.buying_power
        assert account.created_at == world.account(key.account_id).created_at

        positions = trading.get_all_positions()
        expected = world.positions(key.account_id)
        assert [p.symbol for p in positions] == [
            p.instrument.symbol.replace("/", "")
            for p in expected  # BTCUSD, as Alpaca
        ]
        for wire, position in zip(positions, expected, strict=True):
            assert str(wire.asset_id) == position.instrument.asset_id
            assert wire.side.value == position.side
            assert Decimal(wire.market_value) == position.market_value
            assert Decimal(wire.cost_basis) == position.cost_basis
            assert Decimal(wire.avg_entry_price) == position.average_cost

        orders = trading.get_orders(GetOrdersRequest(status=QueryOrderStatus.ALL, limit=500))
        truth = {o.order_id: o for o in world.orders(key.account_id)}
        assert len(orders) == len(truth)
        for wire in orders:
            order = truth[str(wire.id)]
            assert wire.status.value == order.status
            assert wire.submitted_at == order.submitted_at  # nanoseconds truncated
            assert wire.updated_at == order.updated_at
            assert wire.filled_at == order.filled_at
            # alpaca-py reads a JSON number (an account whose API writes decimals so) as a
            # float: its shortest text is the number sent.
            assert Decimal(str(wire.filled_qty)) == order.filled_quantity
            assert (wire.qty is None) == (order.quantity is None)
            assert wire.qty is None or Decimal(str(wire.qty)) == order.quantity
            assert wire.order_class.value == order.order_class
            if order.is_multi_leg_parent:  # no symbol or side of its own ("" -> None)
                assert (wire.symbol, wire.side) == (None, None)


def test_alpaca_py_nested_orders(alpaca_url: str, keys: list[AlpacaKey], world: World) -> None:
    for key in keys:
        request = GetOrdersRequest(status=QueryOrderStatus.ALL, limit=500, nested=True)
        orders = client(alpaca_url, key).get_orders(request)
        legs = [leg for order in orders for leg in order.legs or []]
        truth = world.orders(key.account_id)
        assert len(orders) + len(legs) == len(truth)
        assert len(legs) == sum(1 for o in truth if o.parent_order_id)


def test_alpaca_py_sees_the_auth_error(alpaca_url: str, keys: list[AlpacaKey]) -> None:
    with pytest.raises(APIError) as failure:
        client(alpaca_url, keys[0], secret="not-the-secret").get_account()
    assert failure.value.status_code == 401
    assert failure.value.code == 40110000


def test_alpaca_py_reads_every_activity(
    alpaca_url: str, keys: list[AlpacaKey], world: World
) -> None:
    """TradingClient has no activities method (alpaca-py#54): the listing is read
    through its own transport (`get`, which signs and decodes as every method does),
    page by page as the API pages, and each activity parsed by alpaca-py's own models
    (which want the account id the Broker API adds)."""
    for key in keys:
        trading = client(alpaca_url, key)
        listed, token = [], None
        while True:
            params = {"direction": "asc", "page_size": 100}
            page = trading.get("/account/activities", {**params, "page_token": token})
            listed += page
            if len(page) < 100:
                break
            token = page[-1]["id"]
        executed = [a for a in world.activities(key.account_id) if a.is_executed]
        assert [a["id"] for a in listed] == sorted(activity_id(a) for a in executed)
        for raw in listed:
            model = TradeActivity if raw["activity_type"] == "FILL" else NonTradeActivity
            parsed = model(**raw, account_id=key.account_id)
            assert parsed.id == raw["id"]
        day = executed[-1].at.date().isoformat()
        one_day = trading.get("/account/activities", {"date": day})
        assert {a["id"] for a in one_day} == {
            a["id"] for a in listed if (a.get("transaction_time") or a["created_at"])[:10] == day
        }
