"""One source's connector, open for a whole Dagster step: the step's reads share one
HTTP session and one rate budget, and the step yields its results between them."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import NamedTuple, TypeVar

import dagster as dg
import polars as pl

from assets.resources import SourcesResource, WarehouseResource
from brokers.config import SourceConfig
from brokers.connector import Connector, FetchContext
from brokers.errors import BrokerHTTPError, ConfigError, SourceError
from brokers.registry import connector_for
from warehouse import Lake

T = TypeVar("T")

# A step that failed on something transient (an API down longer than the transport's
# retrying) runs again later; a rejected key or a malformed answer does not.
RETRY_POLICY = dg.RetryPolicy(
    max_retries=2, delay=60, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS
)


def fetch_context(context: dg.AssetExecutionContext) -> FetchContext:
    return FetchContext(run_id=context.run_id, fetched_at=datetime.now(UTC), log=context.log)


class SourceStep(NamedTuple):
    """What a source's incremental step starts from: its configuration, the lake (once
    its home is sure to hold this source's kind of data), the step's fetch context and
    the accounts landed."""

    config: SourceConfig
    lake: Lake
    ctx: FetchContext
    accounts: pl.DataFrame

    @classmethod
    def start(
        cls,
        source: str,
        context: dg.AssetExecutionContext,
        sources: SourcesResource,
        warehouse: WarehouseResource,
    ) -> SourceStep:
        config = sources.get(source)
        lake = warehouse.lake_for(config)
        return cls(config, lake, fetch_context(context), lake.read("accounts", source))


def transient(exc: BaseException) -> bool:
    """An error that waiting may cure: no answer, a 5xx or a 429 that outlasted retrying."""
    if isinstance(exc, BrokerHTTPError):
        return exc.status is None or exc.status >= 500 or exc.status == 429
    return not isinstance(exc, SourceError | ConfigError)


class Session:
    """A source's open connector on the step's event loop."""

    def __init__(self, runner: asyncio.Runner, connector: Connector) -> None:
        self._runner = runner
        self.connector = connector

    @property
    def requests(self) -> int:
        return self.connector.requests_sent

    def run(self, call: Callable[[Connector], Awaitable[T]]) -> T:
        """Await `call` on the connector. Errors that retrying the step cannot cure fail
        it for good, in the user's words."""
        try:
            return self._runner.run(_awaited(call(self.connector)))
        except Exception as exc:
            if transient(exc):
                raise
            raise dg.Failure(description=str(exc), allow_retries=False) from exc


async def _awaited(awaitable: Awaitable[T]) -> T:
    return await awaitable


@contextmanager
def connector_session(source: SourceConfig) -> Iterator[Session]:
    """The source's connector, open until the block ends, on one event loop."""
    with asyncio.Runner() as runner:
        connector = connector_for(source)
        try:
            yield Session(runner, connector)
        finally:
            runner.run(connector.aclose())
