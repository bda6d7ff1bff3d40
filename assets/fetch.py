"""Run one connector call for one source inside a Dagster step."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import TypeVar

import dagster as dg

from brokers.config import SourceConfig
from brokers.connector import Connector, FetchContext
from brokers.registry import connector_for

T = TypeVar("T")


def fetch_context(context: dg.AssetExecutionContext) -> FetchContext:
    return FetchContext(run_id=context.run_id, fetched_at=datetime.now(UTC), log=context.log)


def run_connector(source: SourceConfig, call: Callable[[Connector], Awaitable[T]]) -> tuple[T, int]:
    """Open the source's connector, await `call` on it, close it; returns (result, requests)."""

    async def main() -> tuple[T, int]:
        connector = connector_for(source)
        try:
            result = await call(connector)
            return result, connector.requests_sent
        finally:
            await connector.aclose()

    return asyncio.run(main())
