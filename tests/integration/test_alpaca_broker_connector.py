"""The Alpaca Broker connector over real HTTP to the sandbox: every table equals the world's
truth through either kind of credentials, OAuth2 tokens are requested once per lifetime
(and once more after a 401), and wrong credentials fail in the user's terms."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime
from typing import Any

import httpx
import polars as pl
import pytest
from pydantic import SecretStr

from brokers.alpaca_broker import AlpacaBrokerConnector
from brokers.alpaca_broker.oauth import MAX_REFRESH_AHEAD_SECONDS, REFRESH_AHEAD_SHARE
from brokers.config import AlpacaBrokerSource, sandbox_sources
from brokers.errors import CredentialsRejected
from sandbox import Sandbox, SandboxConfig
from sandbox.world import WorldSizes
from schemas import TABLES
from tests.integration.steps import context, read_tables
from tests.oracle import TABLE_NAMES, alpaca_broker_truth, rows

CLOCK = datetime(2026, 11, 20, 15, 30, tzinfo=UTC)
WRONG_SECRET = "not-the-client-secret-0123456789"


def broker_source(sandbox: Sandbox, **changes: Any) -> AlpacaBrokerSource:
    [source] = [s for s in sandbox_sources(sandbox.manifest()) if s.kind == "alpaca_broker"]
    return source.model_copy(update=changes)


def basic_source(sandbox: Sandbox) -> AlpacaBrokerSource:
    api = sandbox.manifest()["apis"]["alpaca_broker"]
    return AlpacaBrokerSource(
        name="partner-basic",
        kind="alpaca_broker",
        base_url=api["base_url"],
        key_id=SecretStr(api["key_id"]),
        secret_key=SecretStr(api["secret_key"]),
    )


@pytest.fixture(scope="module")
def sandbox():
    with Sandbox(SandboxConfig(seed=0, clock=CLOCK)) as running:
        yield running


@pytest.mark.parametrize("kind", ["oauth2", "basic"])
def test_every_table_equals_the_worlds_truth(sandbox, kind):
    source = broker_source(sandbox) if kind == "oauth2" else basic_source(sandbox)
    tables = asyncio.run(read_tables(AlpacaBrokerConnector(source)))
    truth = alpaca_broker_truth(sandbox.world, source.name)
    for name in TABLE_NAMES:
        key = TABLES[name].key
        assert len(truth[name]) > 0, name
        assert rows(tables[name].to_dicts(), key) == rows(truth[name], key), name


def test_a_wrong_client_secret_is_refused_at_the_token_endpoint_without_quoting_it(sandbox):
    source = broker_source(sandbox, client_secret=SecretStr(WRONG_SECRET))
    with pytest.raises(CredentialsRejected) as raised:
        asyncio.run(read_tables(AlpacaBrokerConnector(source)))
    message = str(raised.value)
    assert "'sandbox-alpaca-broker' (POST /alpaca-broker/v1/oauth2/token)" in message
    assert "the OAuth2 token endpoint refused this client (HTTP 401: invalid_client)" in message
    assert "check client_id and client_secret" in message
    assert WRONG_SECRET not in message


def test_only_one_kind_of_credentials_is_accepted(sandbox):
    source = broker_source(sandbox)
    with pytest.raises(ValueError, match="exactly one kind of credentials"):
        AlpacaBrokerSource.model_validate(
            {**source.model_dump(), "key_id": "CK1", "secret_key": "s" * 20}
        )
    with pytest.raises(ValueError, match="each pair complete"):
        AlpacaBrokerSource.model_validate(
            {"name": "p", "kind": "alpaca_broker", "client_id": "CC1"}
        )


def refresh_ahead(lifetime: float) -> float:
    return min(MAX_REFRESH_AHEAD_SECONDS, lifetime * REFRESH_AHEAD_SHARE)


def test_a_run_longer_than_a_token_lifetime_renews_it_only_near_expiry():
    """Tokens live 2 s here and the run lasts several lifetimes: no token after the first
    was asked for before the refresh margin of the previous one's expiry, so the count is
    about one per lifetime, however many calls were made. (On a busy machine a call may
    reach the API after its token expired and be refused; the token is then replaced at
    once, which the next test shows.)"""
    lifetime = 2.0
    config = SandboxConfig(
        seed=0, clock=CLOCK, sizes=WorldSizes(broker_accounts=40), token_lifetime_seconds=lifetime
    )
    with Sandbox(config) as sandbox:
        connector = AlpacaBrokerConnector(broker_source(sandbox))
        started = time.time()
        asyncio.run(read_tables(connector, pause=lifetime * 0.7))
        elapsed = time.time() - started
        issued = list(sandbox.tokens.issued)
        calls = sandbox.request_counts["alpaca_broker"] - len(issued)
    assert elapsed > 2 * lifetime
    assert calls > 120
    assert 2 <= len(issued) <= elapsed / (lifetime - refresh_ahead(lifetime)) + 1
    slack = 0.5  # scheduling between the client's clock check and the server's stamp
    for token in issued[1:]:
        assert token.previous_expires_at is not None
        assert token.issued_at >= token.previous_expires_at - refresh_ahead(lifetime) - slack


def test_a_rejected_token_is_replaced_once_even_with_many_calls_in_flight():
    config = SandboxConfig(seed=0, clock=CLOCK, sizes=WorldSizes(broker_accounts=60))
    with Sandbox(config) as sandbox:
        connector = AlpacaBrokerConnector(broker_source(sandbox))
        seen = 0

        async def revoke_midway(request: httpx.Request) -> None:
            nonlocal seen
            if request.url.path.endswith("/positions"):
                seen += 1
                if seen == 20:
                    sandbox.tokens.revoke_all()

        connector.transport.watch(revoke_midway)
        tables = asyncio.run(read_tables(connector))
        issued = list(sandbox.tokens.issued)
        truth = alpaca_broker_truth(sandbox.world, "sandbox-alpaca-broker")
    assert seen >= 20
    assert len(issued) == 2
    assert issued[1].previous_refused
    for name in ("positions", "orders"):
        key = TABLES[name].key
        assert rows(tables[name].to_dicts(), key) == rows(truth[name], key)


def test_accounts_are_walked_in_created_after_windows_each_exactly_once():
    """2,500 accounts: three windows of the API's 1000. In this world the first window
    ends inside a group of accounts created at one instant, so the next window repeats
    more than the one boundary account."""
    sizes = WorldSizes(broker_accounts=2500, orders_per_account=0, positions_per_account=1)
    with Sandbox(SandboxConfig(seed=0, clock=CLOCK, sizes=sizes)) as sandbox:
        ordered = sandbox.world.broker_accounts()
        assert ordered[998].created_at == ordered[999].created_at
        connector = AlpacaBrokerConnector(broker_source(sandbox))

        async def accounts() -> pl.DataFrame:
            try:
                return (await connector.accounts(context())).accounts
            finally:
                await connector.aclose()

        listed = asyncio.run(accounts())
        assert connector.requests_sent == 3
    assert listed.height == 2500
    assert listed["account_id"].to_list() == [a.account_id for a in ordered]
