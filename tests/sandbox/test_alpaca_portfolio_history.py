"""`GET /v2/account/portfolio/history` as the official alpaca-py client reads it: a point
per day, each the account's equity at that day's clock time in the world, its profit or
loss from the first point less the deposits and withdrawals since; the spec's parameter
rules enforced; the Broker API serves each of its accounts' the same way."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import httpx
import pytest
from alpaca.common.exceptions import APIError
from alpaca.trading.client import TradingClient
from alpaca.trading.requests import GetPortfolioHistoryRequest

from sandbox import World
from sandbox.alpaca_trading.portfolio_history import FLOW_TYPES, flow_value
from tests.sandbox.helpers import AlpacaKey

CENT = Decimal("0.01")
PATH = "/v2/account/portfolio/history"


def test_alpaca_py_reads_the_daily_history(
    alpaca_url: str, keys: list[AlpacaKey], world: World
) -> None:
    for key in keys:
        trading = TradingClient(key.key_id, key.secret_key, paper=True, url_override=alpaca_url)
        history = trading.get_portfolio_history(
            GetPortfolioHistoryRequest(period="4W", timeframe="1D")
        )
        days = [datetime.fromtimestamp(t, UTC).date() for t in history.timestamp]
        assert days[-1] == world.clock.date() and len(days) == 29
        assert history.timeframe == "1D" and history.profit_loss[0] == 0
        flows = Decimal(0)
        base = None
        for day, equity, profit_loss in zip(days, history.equity, history.profit_loss, strict=True):
            at = min(datetime.combine(day, world.clock.timetz()), world.clock)
            (balance,) = world.at(at).balances(key.account_id)
            assert Decimal(str(equity)) == balance.equity.quantize(CENT)
            if base is None:
                base, first = balance.equity.quantize(CENT), at
                continue
            flows = sum(
                (
                    flow_value(a).quantize(CENT)
                    for a in world.activities(key.account_id)
                    if a.is_executed and a.kind in FLOW_TYPES and first < a.at <= at
                ),
                Decimal(0),
            )
            expected = balance.equity.quantize(CENT) - base - flows
            assert Decimal(str(profit_loss)) == expected
        assert Decimal(str(history.base_value)) == base


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"timeframe": "15Min"}, "daily timeframe"),
        ({"period": "1M", "start": "2026-11-01T00:00:00Z", "end": "2026-11-10T00:00:00Z"},
         "only two of start, end and period"),
        ({"period": "fortnight"}, "invalid period"),
    ],
)  # fmt: skip
def test_the_parameter_rules(
    http: httpx.Client, keys: list[AlpacaKey], params: dict, message: str
) -> None:
    response = http.get(PATH, params=params, headers=keys[0].headers)
    assert response.status_code == 422
    assert message in response.text


def test_a_range_of_days(alpaca_url: str, keys: list[AlpacaKey], world: World) -> None:
    trading = TradingClient(keys[0].key_id, keys[0].secret_key, paper=True, url_override=alpaca_url)
    start = world.clock - timedelta(days=5)
    history = trading.get_portfolio_history(GetPortfolioHistoryRequest(start=start))
    assert len(history.timestamp) == 6
    with pytest.raises(APIError):
        trading.get_portfolio_history(GetPortfolioHistoryRequest(timeframe="1H"))


def test_the_broker_api_serves_each_accounts_history(sandbox, world: World) -> None:
    api = sandbox.manifest()["apis"]["alpaca_broker"]
    auth = (api["key_id"], api["secret_key"])
    account = world.broker_accounts()[0]
    path = f"/v1/trading/accounts/{account.account_id}/account/portfolio/history"
    with httpx.Client(base_url=api["base_url"], auth=auth, timeout=30) as client:
        body = client.get(path, params={"period": "1W"}).json()
        missing = client.get(path.replace(account.account_id, "no-such-account"))
    assert len(body["timestamp"]) == 8 and body["profit_loss"][0] == 0
    (balance,) = world.balances(account.account_id)
    assert Decimal(str(body["equity"][-1])) == balance.equity.quantize(CENT)
    assert missing.status_code == 404
