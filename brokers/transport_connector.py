"""What every connector reading one source through one Transport shares: the requests it
has sent, closing it, and canonical frames stamped with its source and broker."""

from __future__ import annotations

import polars as pl

from brokers.connector import FetchContext
from brokers.frames import Row, Unreadable, canonical_frame
from brokers.http import Transport
from brokers.source import SourceBase


class TransportConnector:
    broker: str  # the canonical `broker` value of its rows
    source: SourceBase
    transport: Transport

    @property
    def requests_sent(self) -> int:
        return self.transport.requests_sent

    async def aclose(self) -> None:
        await self.transport.aclose()

    def _frame(self, table: str, rows: list[Row | Unreadable], ctx: FetchContext) -> pl.DataFrame:
        return canonical_frame(table, rows, source=self.source.name, broker=self.broker, ctx=ctx)
