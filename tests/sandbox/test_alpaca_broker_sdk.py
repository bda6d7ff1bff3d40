"""The official alpaca-py BrokerClient, unchanged, reads the sandbox's Broker API."""

from __future__ import annotations

from decimal import Decimal

from alpaca.broker import BrokerClient
from alpaca.broker.requests import GetAccountActivitiesRequest, GetJournalsRequest
from alpaca.trading.enums import QueryOrderStatus
from alpaca.trading.requests import GetOrdersRequest

from sandbox import Sandbox, World
from sandbox.alpaca_trading.activities import activity_id


def test_broker_client_lists_accounts_and_reads_each_ones_trading_data(
    sandbox: Sandbox, world: World
) -> None:
    api = sandbox.manifest()["apis"]["alpaca_broker"]
    client = BrokerClient(
        api["key_id"], api["secret_key"], sandbox=True, url_override=api["base_url"]
    )
    listed = client.list_accounts()  # one call, newest first
    expected = world.broker_accounts()
    assert [str(a.id) for a in listed] == [a.account_id for a in reversed(expected)]
    for account in expected[:5]:
        account_id = account.account_id
        detail = client.get_account_by_id(account_id)
        assert detail.account_number == account.account_number
        assert detail.identity is not None and detail.identity.tax_id  # served, never kept

        trade = client.get_trade_account_by_id(account_id)
        (balance,) = world.balances(account_id)
        assert Decimal(trade.cash) == balance.cash
        assert Decimal(trade.equity) == balance.equity

        positions = client.get_all_positions_for_account(account_id)
        assert [p.symbol for p in positions] == [  # crypto without its slash, as Alpaca
            p.instrument.symbol.replace("/", "") for p in world.positions(account_id)
        ]
        orders = client.get_orders_for_account(
            account_id, GetOrdersRequest(status=QueryOrderStatus.ALL, limit=500)
        )
        assert {str(o.id) for o in orders} == {o.order_id for o in world.orders(account_id)}

    for account in expected[:3]:  # the first two journal cash to each other
        activities = client.get_account_activities(
            GetAccountActivitiesRequest(account_id=account.account_id)
        )
        executed = [a for a in world.activities(account.account_id) if a.is_executed]
        assert [a.id.split("::")[1] for a in activities] == [
            a.activity_id for a in sorted(executed, key=activity_id, reverse=True)
        ]
    journals = client.get_journals(GetJournalsRequest())
    assert [(str(j.id), j.status.value) for j in journals] == [
        (j.journal_id, j.status_at(world.clock)) for j in world.journals()
    ]
    one_day = client.get_account_activities(  # `date`: the whole day in one answer
        GetAccountActivitiesRequest(date=world.journals()[0].created_at.date())
    )
    assert any(a.activity_type == "JNLC" for a in one_day)
    everyone = client.get_account_activities(GetAccountActivitiesRequest(direction="asc"))
    assert {a.activity_type for a in everyone} >= {"FILL", "CSD", "ACATS", "DIV", "JNLC", "SPLIT"}
    assert len(everyone) == sum(
        a.is_executed for account in expected for a in world.activities(account.account_id)
    )
