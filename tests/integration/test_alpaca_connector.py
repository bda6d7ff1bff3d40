"""The Alpaca connector over real HTTP to the sandbox: every order of an account with
thousands of them, none missed or repeated at a page boundary (equal timestamps too)."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from datetime import UTC, datetime

import polars as pl
import pytest

from brokers.alpaca import AlpacaTradingConnector
from brokers.config import sandbox_sources
from brokers.connector import FetchContext
from sandbox import Sandbox, SandboxConfig, WorldSizes

CLOCK = datetime(2026, 11, 20, 15, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def busy_sandbox():
    sizes = WorldSizes(alpaca_accounts=1, orders_by_account=(2500,))
    with Sandbox(SandboxConfig(seed=3, clock=CLOCK, sizes=sizes)) as sandbox:
        yield sandbox


def read_all_orders(sandbox: Sandbox) -> tuple[pl.DataFrame, int, int]:
    [source] = [s for s in sandbox_sources(sandbox.manifest()) if s.kind == "alpaca"]
    ctx = FetchContext("run-1", datetime.now(UTC), logging.getLogger("test"))

    async def main() -> tuple[pl.DataFrame, int, int]:
        connector = AlpacaTradingConnector(source)
        try:
            batch = await connector.accounts(ctx)
            pages = [page async for page in connector.orders(ctx, batch.accounts)]
            return pl.concat(pages), len(pages), connector.requests_sent
        finally:
            await connector.aclose()

    return asyncio.run(main())


def test_every_order_once_across_page_boundaries(busy_sandbox):
    world = busy_sandbox.world
    [account] = world.accounts("alpaca")
    truth = world.orders(account.account_id)
    assert len(truth) > 2000
    ties = Counter(order.submitted_at for order in truth)
    assert any(count > 1 for count in ties.values())

    orders, pages, requests = read_all_orders(busy_sandbox)
    assert orders["order_id"].n_unique() == orders.height  # nothing repeated
    assert set(orders["order_id"]) == {order.order_id for order in truth}  # nothing missed
    assert pages >= len(truth) // 500
    assert requests == pages + 1  # the account call, then one request per page


def test_a_page_boundary_falls_inside_a_tie(busy_sandbox):
    """The world must put equal timestamps where a page of 500 ends for the test above to
    prove anything; check that at least one boundary splits or touches a tie."""
    world = busy_sandbox.world
    [account] = world.accounts("alpaca")
    top_level = [o for o in world.orders(account.account_id) if o.parent_order_id is None]
    ties = Counter(order.submitted_at for order in top_level)
    tied_positions = [i for i, o in enumerate(top_level) if ties[o.submitted_at] > 1]
    assert tied_positions
    assert any(
        abs(i - boundary) <= 3 for i in tied_positions for boundary in (499, 998, 1497, 1996)
    )
