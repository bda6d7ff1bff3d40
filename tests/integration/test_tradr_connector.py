"""The TradrAPI connector over real HTTP to the sandbox: every table equals the world's
truth through a user key and an account key, positions are walked page by page to exactly
`total`, and refusals (allow-list, uncovered account, wrong key) and an over-privileged
key are told in the user's terms without the key."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime
from typing import Any

import httpx
import polars as pl
import pytest
from pydantic import SecretStr

from brokers.config import TradrSource, sandbox_sources
from brokers.errors import AccessDenied, CredentialsRejected
from brokers.tradr import TradrConnector
from sandbox import Sandbox, SandboxConfig
from sandbox.world import World, WorldSizes
from schemas import TABLES
from tests.integration.steps import context, read_tables
from tests.oracle import TABLE_NAMES, rows, tradr_truth

CLOCK = datetime(2026, 11, 20, 15, 30, tzinfo=UTC)
BUSY_ACCOUNT = 100_030_002  # the first user's TradeLocker account (tradr_accounts._PINNED)
FIRST_USER = 5001


def source(sandbox: Sandbox, key: str, name: str = "tradr", **changes: Any) -> TradrSource:
    base_url = sandbox.manifest()["apis"]["tradr"]["base_url"]
    return TradrSource(
        name=name, kind="tradr", base_url=base_url, api_key=SecretStr(key), **changes
    )


@pytest.fixture(scope="module")
def sandbox():
    with Sandbox(SandboxConfig(seed=0, clock=CLOCK)) as running:
        yield running


@pytest.mark.parametrize("label", ["user", "account"])
def test_every_table_equals_the_worlds_truth(sandbox, label):
    [configured] = [
        s for s in sandbox_sources(sandbox.manifest()) if s.name == f"sandbox-tradr-{label}"
    ]
    key = sandbox.tradr_keys.lookup(configured.api_key.get_secret_value())
    tables = asyncio.run(read_tables(TradrConnector(configured), context()))
    truth = tradr_truth(sandbox.world, configured.name, key)
    if label == "user":  # some of the user's accounts, several with positions and orders
        assert 1 < len(truth["accounts"]) < len(sandbox.world.tradr_accounts(FIRST_USER))
    for name in TABLE_NAMES:
        key_columns = TABLES[name].key
        assert rows(tables[name].to_dicts(), key_columns) == rows(truth[name], key_columns), name
    assert len(truth["positions"]) > 0 and len(truth["orders"]) > 0


async def positions_walk(sandbox: Sandbox, account_id: int) -> tuple[int, list[int]]:
    """(positions read, the page numbers requested) for one account."""
    key = sandbox.tradr_keys.create(user_id=FIRST_USER, account_ids=[account_id])
    connector = TradrConnector(source(sandbox, key))
    pages: list[int] = []

    async def record(request: httpx.Request) -> None:
        if request.url.path.endswith("/positions"):
            assert request.url.params["accountId"] == str(account_id)
            pages.append(int(request.url.params["page"]))

    connector.transport.watch(record)
    ctx = context()
    try:
        batch = await connector.accounts(ctx)
        snapshot = await connector.positions(ctx, batch.accounts)
    finally:
        await connector.aclose()
    keys = snapshot.frame.get_column("position_key").to_list()
    assert len(keys) == len(set(keys))
    return len(keys), pages


def test_positions_are_walked_to_exactly_total(sandbox):
    held = len(sandbox.world.tradr_positions(BUSY_ACCOUNT))
    assert 200 < held < 300  # 230 held long and the trades open now: three pages of 100
    read, pages = asyncio.run(positions_walk(sandbox, BUSY_ACCOUNT))
    assert read == held
    assert pages == [1, 2, 3]


def test_a_total_that_fills_the_last_page_asks_for_no_page_after_it():
    trading = len(World(0, CLOCK).tradr_positions(BUSY_ACCOUNT)) - 230  # open trades
    sizes = WorldSizes(tradr_busy_positions=200 - trading)
    with Sandbox(SandboxConfig(seed=0, clock=CLOCK, sizes=sizes)) as sandbox:
        read, pages = asyncio.run(positions_walk(sandbox, BUSY_ACCOUNT))
    assert (read, pages) == (200, [1, 2])


def test_a_key_whose_allow_list_excludes_this_machine_fails_in_the_users_terms(sandbox):
    key = sandbox.tradr_keys.create(user_id=FIRST_USER, ips=["203.0.113.7", "198.51.100.0/24"])
    with pytest.raises(AccessDenied) as raised:
        asyncio.run(read_tables(TradrConnector(source(sandbox, key, name="fenced")), context()))
    message = str(raised.value)
    assert "source 'fenced'" in message
    assert "the key's IP allow-list does not include this machine" in message
    assert "127.0.0.1" in message
    assert key not in message


def test_an_allow_list_with_this_machine_reads(sandbox):
    key = sandbox.tradr_keys.create(user_id=FIRST_USER, ips=["10.0.0.0/8", "127.0.0.0/8"])
    tables = asyncio.run(read_tables(TradrConnector(source(sandbox, key)), context()))
    assert tables["accounts"].height == len(sandbox.world.tradr_accounts(FIRST_USER))


def test_a_key_that_can_write_warns_that_a_read_only_key_would_do(sandbox):
    key = sandbox.tradr_keys.create(user_id=FIRST_USER, roles=["read", "write"])
    ctx = context()
    tables = asyncio.run(read_tables(TradrConnector(source(sandbox, key, name="writer")), ctx))
    [warning] = ctx.warnings
    assert "source 'writer'" in warning and "write role" in warning
    assert "a key with the read role only would do" in warning
    assert key not in warning
    assert tables["connections"].get_column("connection_type").to_list() == ["trade"]


def test_a_read_only_key_gives_no_warning(sandbox):
    key = sandbox.tradr_keys.create(user_id=FIRST_USER)
    ctx = context()
    asyncio.run(read_tables(TradrConnector(source(sandbox, key)), ctx))
    assert ctx.warnings == []


def test_asking_for_an_account_outside_the_key_names_what_it_covers(sandbox):
    [account] = [a for a in sandbox.world.tradr_accounts(FIRST_USER)][:1]
    key = sandbox.tradr_keys.create(account_id=account.account_id)
    other = BUSY_ACCOUNT
    configured = source(sandbox, key, name="narrow", account_ids=(account.account_id, other))
    with pytest.raises(AccessDenied) as raised:
        asyncio.run(read_tables(TradrConnector(configured), context()))
    message = str(raised.value)
    assert f"this key covers account {account.account_id} only" in message
    assert str(other) in message and key not in message


def test_an_uncovered_account_refused_by_the_api_names_the_keys_accounts(sandbox):
    """A step that reads an account the key no longer covers (the accounts frame is
    from an earlier step) gets the key's coverage in the message."""
    [first, *_] = sandbox.world.tradr_accounts(FIRST_USER)
    key = sandbox.tradr_keys.create(account_id=first.account_id)
    stale = pl.DataFrame({"account_id": [str(BUSY_ACCOUNT)], "base_currency": ["USD"]})

    async def read_stale() -> None:
        connector = TradrConnector(source(sandbox, key))
        try:
            await connector.balances(context(), stale)
        finally:
            await connector.aclose()

    with pytest.raises(AccessDenied) as raised:
        asyncio.run(read_stale())
    assert f"this key covers account {first.account_id} only, not account {BUSY_ACCOUNT}" in str(
        raised.value
    )


def test_a_wrong_key_is_rejected_without_being_printed(sandbox):
    wrong = "tdr_not-a-key-0123456789abcdefghijklmnopqr"
    with pytest.raises(CredentialsRejected) as raised:
        asyncio.run(read_tables(TradrConnector(source(sandbox, wrong, name="typo")), context()))
    message = str(raised.value)
    assert "the API key was not accepted (HTTP 401" in message
    assert wrong not in message


def test_requests_per_account_are_the_pages_the_api_needs(sandbox):
    """One call for the key, one per 100 accounts for the list and the balances, one for
    the symbols, then per account: its pages of positions, orders and summary; and for
    its activities, its balance operations (unpaged) and again its pages of summary and
    positions (the opening deals of the positions open)."""
    [configured] = [s for s in sandbox_sources(sandbox.manifest()) if s.name.endswith("-user")]
    connector = TradrConnector(configured)
    paths: Counter[str] = Counter()

    async def record(request: httpx.Request) -> None:
        paths[request.url.path.removeprefix("/tradr")] += 1

    connector.transport.watch(record)
    asyncio.run(read_tables(connector, context()))
    world = sandbox.world
    covered = sandbox.tradr_keys.lookup(configured.api_key.get_secret_value()).covered(world)
    summaries = {f"/accounts/{i}/summary": 2 for i in covered}
    operations = {f"/balances/{i}/transactions": 1 for i in covered}
    assert dict(paths) == {
        "/api-keys/current": 1, "/accounts": 1, "/balances": 1, "/symbols": 1,
        "/positions": 2 * sum(-(-max(len(world.tradr_positions(i)), 1) // 100) for i in covered),
        "/orders": len(covered), **summaries, **operations,
    }  # fmt: skip
