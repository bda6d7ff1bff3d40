"""JSON whose numbers are written from exact decimal text, never through a float: the
wire form of APIs that send money as JSON numbers (SnapTrade balances, TradrAPI)."""

from __future__ import annotations

import json
import re
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


def _default(value: object) -> Any:
    if isinstance(value, Number):
        return _MARK + format(value.value, "f")
    if isinstance(value, Decimal):  # read back with parse_float=Decimal
        return _MARK + format(value, "f")
    raise TypeError(f"not JSON: {type(value).__name__}")


def dumps(document: Any) -> str:
    raw = json.dumps(document, default=_default, separators=(",", ":"))
    return _MARKED.sub(r"\1", raw)


class ExactJSONResponse(Response):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return dumps(content).encode()
