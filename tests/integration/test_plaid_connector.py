"""The Plaid Investments connector over real HTTP to the sandbox: every table it can feed
equals the world's truth (and it feeds no orders); the client's keys travel in the JSON
body and no access token is written anywhere; an Item whose user must log in again is
named (by its token's place, never the token) and skipped while the others land; rejected
keys, an unknown token and injected faults (5xx, Plaid's 429s) are told or weathered."""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import polars as pl
import pytest
from pydantic import SecretStr

from brokers.config import sandbox_sources
from brokers.connector import FetchContext
from brokers.errors import CredentialsRejected
from brokers.plaid import PlaidConnector
from brokers.plaid.config import PlaidSource
from sandbox import FaultPlan, Sandbox, SandboxConfig
from sandbox.world import WorldSizes
from schemas import TABLES
from tests.oracle import TABLE_NAMES, rows
from tests.plaid_oracle import plaid_truth

CLOCK = datetime(2026, 11, 20, 15, 30, tzinfo=UTC)
LATER = CLOCK + timedelta(days=1)  # the second Item's login has expired
SIZES = WorldSizes(plaid_items=3)


@pytest.fixture(scope="module")
def sandbox():
    with Sandbox(SandboxConfig(seed=0, clock=CLOCK, sizes=SIZES)) as running:
        yield running


def plaid_source(sandbox: Sandbox, **changes: Any) -> PlaidSource:
    [source] = [s for s in sandbox_sources(sandbox.manifest()) if s.kind == "plaid"]
    return source.model_copy(update=changes)  # type: ignore[return-value]


def context(log: logging.Logger | None = None) -> FetchContext:
    return FetchContext("run-1", datetime.now(UTC), log or logging.getLogger("test"))


async def read_all(
    connector: PlaidConnector, ctx: FetchContext, sent: list[httpx.Request] | None = None
) -> dict[str, pl.DataFrame]:
    """Every table, as the steps read them; the orders' pages counted apart."""
    if sent is not None:

        async def record(request: httpx.Request) -> None:
            sent.append(request)

        connector.transport.watch(record)
    try:
        batch = await connector.accounts(ctx)
        balances = await connector.balances(ctx, batch.accounts)
        positions = await connector.positions(ctx, batch.accounts)
        orders = [page async for page in connector.orders(ctx, batch.accounts)]
        activities = [page.frame async for page in connector.activities(ctx, batch.accounts)]
        return {
            "users": batch.users,
            "connections": batch.connections,
            "accounts": batch.accounts,
            "balances": balances.frame,
            "positions": positions.frame,
            "orders": pl.DataFrame({"pages": [len(orders)]}),
            "activities": pl.concat(activities, how="diagonal"),
        }
    finally:
        await connector.aclose()


def read(source: PlaidSource, ctx: FetchContext | None = None, sent=None) -> dict:
    return asyncio.run(read_all(PlaidConnector(source), ctx or context(), sent))


@pytest.fixture(scope="module")
def everything(sandbox) -> tuple[dict[str, pl.DataFrame], list[httpx.Request], list[str]]:
    sent: list[httpx.Request] = []
    ctx = context()
    return read(plaid_source(sandbox), ctx, sent), sent, ctx.warnings


@pytest.mark.parametrize("name", [t for t in TABLE_NAMES if t != "orders"])
def test_every_table_plaid_feeds_equals_the_worlds_truth(sandbox, everything, name):
    frames, _, warnings = everything
    expected = plaid_truth(sandbox.world, "sandbox-plaid")[name]
    assert expected
    key = TABLES[name].key
    assert rows(frames[name].to_dicts(), key) == rows(expected, key)
    assert warnings == []


def test_the_world_has_what_investment_items_hold(everything):
    frames, _, _ = everything
    assert frames["connections"].height == 3
    assert {"other", "retirement"} <= set(frames["accounts"]["account_type"])
    assert {"equity", "etf", "option", "crypto"} <= set(frames["positions"]["instrument_type"])
    assert {"deposit", "transfer_in", "dividend", "interest"} <= set(
        frames["activities"]["activity_type"]
    )


def test_plaid_has_no_orders(everything):
    frames, sent, _ = everything
    assert frames["orders"]["pages"].to_list() == [0]
    assert not any("order" in request.url.path for request in sent)


def test_the_keys_travel_in_the_body_and_no_token_is_kept(sandbox, everything):
    frames, sent, _ = everything
    api = sandbox.manifest()["apis"]["plaid"]
    tokens = [item["access_token"] for item in api["items"]]
    assert {r.method for r in sent} == {"POST"}
    for request in sent:
        body = json.loads(request.content)
        assert (body["client_id"], body["secret"]) == (api["client_id"], api["secret"])
        assert body["access_token"] in tokens
        assert "plaid-secret" not in request.headers and api["secret"] not in str(request.url)
    landed = "".join(frame.write_csv() for frame in frames.values())
    for secret in [*tokens, api["secret"], api["client_id"]]:
        assert secret not in landed


def test_an_item_whose_login_expired_is_named_and_skipped(sandbox, caplog):
    sandbox.set_clock(LATER)
    try:
        ctx = context()
        with caplog.at_level(logging.DEBUG):
            frames = read(plaid_source(sandbox), ctx)
        truth = plaid_truth(sandbox.world, "sandbox-plaid")
    finally:
        sandbox.set_clock(CLOCK)
    assert ctx.warnings  # each step that met it says so
    for warning in ctx.warnings:
        assert "access token #2" in warning and "ITEM_LOGIN_REQUIRED" in warning
    statuses = dict(frames["connections"].select("raw_status", "status").iter_rows())
    assert statuses == {None: "active", "ITEM_LOGIN_REQUIRED": "disabled"}
    for name in [t for t in TABLE_NAMES if t != "orders"]:
        key = TABLES[name].key
        assert rows(frames[name].to_dicts(), key) == rows(truth[name], key), name
    broken = frames["connections"].filter(pl.col("status") == "disabled")["connection_id"][0]
    assert broken not in frames["accounts"]["connection_id"].to_list()
    tokens = [item["access_token"] for item in sandbox.manifest()["apis"]["plaid"]["items"]]
    said = " ".join(ctx.warnings) + caplog.text
    assert not any(token in said for token in tokens)


def test_rejected_keys_stop_the_source_saying_so(sandbox):
    source = plaid_source(sandbox, secret=SecretStr("0" * 30))
    with pytest.raises(CredentialsRejected, match="INVALID_API_KEYS") as refused:
        read(source)
    assert "0" * 30 not in str(refused.value)


def test_an_unknown_token_is_named_by_its_place_and_the_others_land(sandbox, everything):
    frames, _, _ = everything
    source = plaid_source(sandbox)
    tokens = json.loads(source.access_tokens.get_secret_value())
    unknown = "access-sandbox-00000000-0000-4000-8000-000000000000"
    ctx = context()
    landed = read(
        source.model_copy(update={"access_tokens": SecretStr(json.dumps([unknown, *tokens]))}),
        ctx,
    )
    assert ctx.warnings
    for warning in ctx.warnings:
        assert "access token #1" in warning and "INVALID_ACCESS_TOKEN" in warning
        assert unknown not in warning
    assert landed["accounts"].height == frames["accounts"].height


def test_faults_and_plaids_429s_are_weathered(everything):
    frames, _, _ = everything
    plan = FaultPlan(rate=0.3, seed=3, kinds=("server_error", "throttle"), throttle_seconds=0.2)
    with Sandbox(SandboxConfig(seed=0, clock=CLOCK, sizes=SIZES, faults=plan)) as faulty:
        again = read(plaid_source(faulty))
        injected = sum(faulty.fault_counts.get("plaid", {}).values())
    assert injected > 0
    for name in ("accounts", "balances", "positions", "activities"):
        key = TABLES[name].key
        assert rows(again[name].to_dicts(), key) == rows(frames[name].to_dicts(), key)


def test_check_says_what_the_keys_reach_and_which_item_needs_its_user(sandbox):
    async def whoami(source: PlaidSource):
        connector = PlaidConnector(source)
        try:
            return await connector.whoami()
        finally:
            await connector.aclose()

    access = asyncio.run(whoami(plaid_source(sandbox)))
    assert "3 of 3 Items" in access.accounts and access.warnings == ()
    sandbox.set_clock(LATER)
    try:
        later = asyncio.run(whoami(plaid_source(sandbox)))
    finally:
        sandbox.set_clock(CLOCK)
    [warning] = later.warnings
    assert "ITEM_LOGIN_REQUIRED" in warning and "Fidelity" in warning
