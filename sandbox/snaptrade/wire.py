"""SnapTrade's JSON: decimals as strings where the spec says `string(decimal)`, and as JSON
numbers (written from the exact decimal text, never through a float) where it says
`number`; times in ISO 8601 UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from sandbox.exact_json import ExactJSONResponse, Number, dumps, number

__all__ = ["Number", "SnapTradeJSON", "day", "dumps", "number", "stamp", "text"]


def text(value: Decimal | None) -> str | None:
    """A `string(decimal)` field."""
    return None if value is None else str(value)


def stamp(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).isoformat()


def day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


class SnapTradeJSON(ExactJSONResponse):
    """SnapTrade's JSON responses (decimal numbers written exactly)."""
