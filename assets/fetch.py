"""Run one connector call for one source inside a Dagster step."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import TypeVar

import dagster as dg

from brokers.config import SourceConfig
from brokers.connector import Connector, FetchContext
from brokers.errors import BrokerHTTPError, ConfigError, SourceError
from brokers.registry import connector_for

T = TypeVar("T")

# A step that failed on something transient (an API down longer than the transport's
# retrying) runs again later; a rejected key or a malformed answer does not.
RETRY_POLICY = dg.RetryPolicy(
    max_retries=2, delay=60, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS
)


def fetch_context(context: dg.AssetExecutionContext) -> FetchContext:
    return FetchContext(run_id=context.run_id, fetched_at=datetime.now(UTC), log=context.log)


def transient(exc: BaseException) -> bool:
    """An error that waiting may cure: no answer, a 5xx or a 429 that outlasted retrying."""
    if isinstance(exc, BrokerHTTPError):
        return exc.status is None or exc.status >= 500 or exc.status == 429
    return not isinstance(exc, SourceError | ConfigError)


def run_connector(source: SourceConfig, call: Callable[[Connector], Awaitable[T]]) -> tuple[T, int]:
    """Open the source's connector, await `call` on it, close it; returns (result, requests).
    Errors that retrying the step cannot cure fail it for good."""

    async def main() -> tuple[T, int]:
        connector = connector_for(source)
        try:
            result = await call(connector)
            return result, connector.requests_sent
        finally:
            await connector.aclose()

    try:
        return asyncio.run(main())
    except Exception as exc:
        if transient(exc):
            raise
        raise dg.Failure(description=str(exc), allow_retries=False) from exc
