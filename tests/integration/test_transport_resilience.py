"""The shared transport over real HTTP to a sandbox that fails on purpose: every kind of
transient fault is survived with the same tables, a failing API stops the source early,
an API that is down fails within the source's retry limit, and a budgeted source keeps
under the limit across many windows (how much of it it uses is measured by the
benchmarks, `benchmarks/rate_use.py`)."""

from __future__ import annotations

import asyncio
import logging
import socket
from datetime import UTC, datetime, timedelta

import polars as pl
import pytest

from benchmarks.sources import sandbox_sources_of
from brokers.alpaca import AlpacaTradingConnector
from brokers.alpaca.client import key_headers
from brokers.config import sandbox_sources
from brokers.connector import FetchContext
from brokers.errors import BrokerHTTPError
from brokers.http import Transport, TransportSettings
from brokers.registry import connector_for
from sandbox import FaultPlan, Sandbox, SandboxConfig, World
from sandbox.faults import KINDS
from schemas import TABLES
from tests.integration.steps import read_tables
from tests.oracle import TABLE_NAMES, alpaca_broker_truth, rows

CLOCK = datetime(2026, 11, 20, 15, 30, tzinfo=UTC)
BROKER = "sandbox-alpaca-broker"


def broker_source(sandbox: Sandbox):
    [source] = [s for s in sandbox_sources(sandbox.manifest()) if s.name == BROKER]
    return source.model_copy(update={"timeout_seconds": 0.5})


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_of_fault_is_survived_with_the_same_tables(kind):
    """The Broker API source (OAuth2 tokens, so token expiry applies too), with a sixth
    of its requests spoiled one way; slow answers take 1 s against a 0.5 s timeout."""
    rate = 0.05 if kind == "throttle" else 0.15  # each burst costs a second
    plan = FaultPlan(rate=rate, seed=7, kinds=(kind,), slow_seconds=1.0)
    with Sandbox(SandboxConfig(clock=CLOCK, faults=plan)) as sandbox:
        tables = asyncio.run(read_tables(connector_for(broker_source(sandbox))))
        injected = sandbox.fault_counts["alpaca_broker"][kind]
    assert injected > 0
    truth = alpaca_broker_truth(World(seed=0, clock=CLOCK), BROKER)
    for name in TABLE_NAMES:
        key = TABLES[name].key
        assert rows(tables[name].to_dicts(), key) == rows(truth[name], key), name


def alpaca_transport(sandbox: Sandbox, **settings: object) -> Transport:
    api = sandbox.manifest()["apis"]["alpaca"]
    account = api["accounts"][0]
    return Transport(
        "t",
        api["base_url"],
        headers=key_headers(account["key_id"], account["secret_key"]),
        settings=TransportSettings(**settings),  # type: ignore[arg-type]
    )


def test_an_api_that_keeps_failing_stops_the_source_early():
    plan = FaultPlan(per_api={"alpaca": 1.0}, kinds=("server_error",))
    with Sandbox(SandboxConfig(faults=plan)) as sandbox:
        transport = alpaca_transport(sandbox, backoff_base=0.01, max_attempts=100)

        async def main() -> list[BaseException | object]:
            async with transport:
                calls = [transport.get_json("/v2/account") for _ in range(8)]
                return await asyncio.gather(*calls, return_exceptions=True)

        outcomes = asyncio.run(main())
        served = sandbox.request_counts["alpaca"]
    assert all(isinstance(o, BrokerHTTPError) for o in outcomes), outcomes
    message = str(outcomes[0])
    assert "source 't' (GET /v2/account): stopped after 16 failed attempts in a row" in message
    assert "(the last: HTTP 50" in message
    assert served <= 16 + 8  # no more than the calls already in flight


def test_an_api_that_is_down_fails_within_the_retry_limit():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings = TransportSettings(timeout=0.5, retry_seconds=1.5)
    transport = Transport("down", f"http://127.0.0.1:{port}", settings=settings)

    async def main() -> None:
        async with transport:
            await transport.get_json("/v2/account")

    with pytest.raises(BrokerHTTPError) as failure:
        asyncio.run(main())
    message = str(failure.value)
    assert message.startswith("source 'down' (GET /v2/account): gave up after ")
    attempts = int(message.split("gave up after ")[1].split(" attempts")[0])
    assert attempts < settings.max_attempts  # the time limit ended it, not the attempts
    assert "the last: no answer (ConnectError" in message


def test_a_budgeted_source_stays_under_the_limit_across_windows():
    """200 requests per 2 s windows: 400 calls span several windows."""
    config = SandboxConfig(enforce_rate_limits=True, rate_limit_period_seconds=2.0)
    with Sandbox(config) as sandbox:
        assert sandbox.manifest()["apis"]["alpaca"]["rate_limit"] == {
            "requests": 200,
            "per_seconds": 2.0,
        }
        [source] = [s for s in sandbox_sources(sandbox.manifest()) if s.kind == "alpaca"][:1]
        transport = AlpacaTradingConnector(source).transport

        async def main() -> None:
            async with transport:
                await asyncio.gather(*(transport.get_json("/v2/account") for _ in range(400)))

        asyncio.run(main())
        statuses = dict(sandbox.status_counts["alpaca"])
    assert statuses == {200: 400}  # never past the limit: no 429


@pytest.mark.parametrize("kind", ["reset", "server_error"])
def test_a_cut_trade_events_stream_resumes_after_the_last_event_read(kind):
    """Half the answers cut mid-body (or refused): the changes read equal a clean read,
    and no event is read twice (a resumed stream starts after the last one read)."""
    after = CLOCK - timedelta(days=20)

    async def changes(sandbox: Sandbox) -> tuple[pl.DataFrame, int]:
        [source] = sandbox_sources_of(sandbox.manifest(), {"alpaca_broker"})  # key pair
        connector = connector_for(source)
        ctx = FetchContext(run_id="r", fetched_at=CLOCK, log=logging.getLogger("test"))
        try:
            frames = [f async for f in connector.order_changes(ctx, after, CLOCK, {})]
            return pl.concat(frames).drop("run_id", "fetched_at"), connector.requests_sent
        finally:
            await connector.aclose()

    with Sandbox(SandboxConfig(clock=CLOCK)) as sandbox:
        clean, _ = asyncio.run(changes(sandbox))
    plan = FaultPlan(per_api={"alpaca_broker": 0.5}, seed=3, kinds=(kind,))
    with Sandbox(SandboxConfig(clock=CLOCK, faults=plan)) as sandbox:
        cut, requests = asyncio.run(changes(sandbox))
        injected = sandbox.fault_counts["alpaca_broker"][kind]
    assert injected > 0 and requests > 1
    assert clean.height > 0
    assert cut.sort("order_id").equals(clean.sort("order_id"))
