"""Reading a connector as the asset graph does: accounts first, then balances, positions,
orders and activities of those accounts, each table as its step would receive it."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

import polars as pl

from brokers.connector import Connector, FetchContext


def context() -> FetchContext:
    return FetchContext("run-1", datetime.now(UTC), logging.getLogger("test"))


async def read_tables(
    connector: Connector, ctx: FetchContext | None = None, pause: float = 0.0
) -> dict[str, pl.DataFrame]:
    """Every table, step after step (`pause` seconds between steps); closes the connector."""
    ctx = ctx or context()
    try:
        batch = await connector.accounts(ctx)
        await asyncio.sleep(pause)
        balances = await connector.balances(ctx, batch.accounts)
        await asyncio.sleep(pause)
        positions = await connector.positions(ctx, batch.accounts)
        await asyncio.sleep(pause)
        orders = [page async for page in connector.orders(ctx, batch.accounts)]
        await asyncio.sleep(pause)
        activities = [page.frame async for page in connector.activities(ctx, batch.accounts)]
        return {
            "users": batch.users,
            "connections": batch.connections,
            "accounts": batch.accounts,
            "balances": balances.frame,
            "positions": positions.frame,
            "orders": pl.concat(orders, how="diagonal"),
            "activities": pl.concat(activities, how="diagonal"),
        }
    finally:
        await connector.aclose()
