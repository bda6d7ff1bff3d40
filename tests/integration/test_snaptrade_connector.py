"""The SnapTrade connector over real HTTP to the sandbox: every table equals the world's
truth, every request is signed exactly as the official SDK signs, and credentials that are
wrong fail in SnapTrade's own terms."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from typing import Any

import httpx
import polars as pl
import pytest
from pydantic import SecretStr

from brokers.config import SnapTradeSource, sandbox_sources
from brokers.connector import FetchContext
from brokers.errors import CredentialsRejected
from brokers.snaptrade import SnapTradeConnector
from sandbox import Sandbox, SandboxConfig
from schemas import TABLES
from tests.integration.steps import context, read_tables
from tests.oracle import TABLE_NAMES, rows, snaptrade_truth, without_raw

CLOCK = datetime(2026, 11, 20, 15, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def sandbox():
    with Sandbox(SandboxConfig(seed=0, clock=CLOCK)) as running:
        yield running


def snaptrade_source(sandbox: Sandbox, **changes: Any) -> SnapTradeSource:
    [source] = [s for s in sandbox_sources(sandbox.manifest()) if s.kind == "snaptrade"]
    return source.model_copy(update=changes)


def read_everything(
    source: SnapTradeSource, ctx: FetchContext, sent: list[httpx.Request] | None = None
) -> dict[str, pl.DataFrame]:
    async def main() -> dict[str, pl.DataFrame]:
        connector = SnapTradeConnector(source)
        if sent is not None:

            async def record(request: httpx.Request) -> None:
                sent.append(request)

            connector.transport.watch(record)
        return await read_tables(connector, ctx)

    return asyncio.run(main())


@pytest.fixture(scope="module")
def everything(sandbox) -> tuple[dict[str, pl.DataFrame], list[httpx.Request]]:
    sent: list[httpx.Request] = []
    return read_everything(snaptrade_source(sandbox), context(), sent), sent


@pytest.mark.parametrize("name", TABLE_NAMES)
def test_every_table_equals_the_worlds_truth(sandbox, everything, name):
    frames, _ = everything
    expected = snaptrade_truth(sandbox.world, "sandbox-snaptrade")[name]
    assert expected
    key = TABLES[name].key
    assert rows(without_raw(frames[name].to_dicts()), key) == rows(without_raw(expected), key)


def test_the_world_has_what_snaptrade_users_hold(everything):
    frames, _ = everything
    assert frames["users"].height >= 3
    assert "disabled" in frames["connections"]["status"].to_list()
    assert {"USD", "CAD"} <= set(frames["balances"]["currency"])
    assert {"equity", "etf", "option", "crypto"} <= set(frames["positions"]["instrument_type"])
    assert frames["accounts"]["is_paper"].any()
    assert "closed" in frames["accounts"]["status"].to_list()


def test_every_request_is_signed_as_the_official_sdk_signs_it(sandbox, everything):
    from snaptrade_client.request_after_hook import compute_request_signature

    _, sent = everything
    consumer_key = sandbox.manifest()["apis"]["snaptrade"]["consumer_key"]
    assert len(sent) > 10
    for request in sent:
        target = f"{request.url.path}?{request.url.query.decode()}"
        body = json.loads(request.content) if request.content else None
        expected = compute_request_signature(path=target, consumer_key=consumer_key, body=body)
        assert request.headers["Signature"] == expected, target
        assert {"clientId", "timestamp"} <= set(request.url.params)


def test_a_wrong_consumer_key_fails_the_source_with_code_1076(sandbox):
    source = snaptrade_source(sandbox, consumer_key=SecretStr("0" * 50))
    with pytest.raises(CredentialsRejected) as error:
        read_everything(source, context())
    assert "HTTP 401: Unable to verify signature sent" in str(error.value)
    assert "0" * 50 not in str(error.value)


def test_a_rejected_user_is_reported_by_name_and_the_others_land(sandbox):
    users = sandbox.manifest()["apis"]["snaptrade"]["users"]
    victim, wrong = users[1]["user_id"], "not-the-secret-0123456789"
    secrets = {u["user_id"]: u["user_secret"] for u in users} | {victim: wrong}
    source = snaptrade_source(sandbox, user_secrets=SecretStr(json.dumps(secrets)))
    ctx = context()
    frames = read_everything(source, ctx)

    truth = snaptrade_truth(sandbox.world, "sandbox-snaptrade")
    others = {a["account_id"] for a in truth["accounts"] if a["user_id"] != victim}
    assert others and len(others) < len(truth["accounts"])
    assert set(frames["accounts"]["account_id"]) == others
    assert set(frames["orders"]["order_id"]) == {
        o["order_id"] for o in truth["orders"] if o["account_id"] in others
    }
    assert victim in set(frames["users"]["user_id"])  # still listed: SnapTrade knows the user
    assert any(f"user {victim!r} was skipped" in w for w in ctx.warnings)
    assert all(wrong not in w for w in ctx.warnings)
