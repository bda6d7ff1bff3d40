"""SnapTrade's JSON: decimals as strings where the spec says `string(decimal)`, and as JSON
numbers (written from the exact decimal text, never through a float) where it says
`number`; times in ISO 8601 UTC."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from starlette.responses import Response

_MARK = "\x00number:"
_MARKED = re.compile(r'"\\u0000number:(-?[0-9.]+(?:E[-+]?[0-9]+)?)"')


class Number:
    """A decimal to be written as a JSON number, digit for digit."""

    __slots__ = ("value",)

    def __init__(self, value: Decimal) -> None:
        self.value = value


def number(value: Decimal | None) -> Number | None:
    return None if value is None else Number(value)


def text(value: Decimal | None) -> str | None:
    """A `string(decimal)` field."""
    return None if value is None else str(value)


def stamp(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).isoformat()


def day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _default(value: object) -> Any:
    if isinstance(value, Number):
        return _MARK + format(value.value, "f")
    raise TypeError(f"not JSON: {type(value).__name__}")


def dumps(document: Any) -> str:
    raw = json.dumps(document, default=_default, separators=(",", ":"))
    return _MARKED.sub(r"\1", raw)


class SnapTradeJSON(Response):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return dumps(content).encode()
