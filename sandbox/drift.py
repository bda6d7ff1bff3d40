"""Schema drift: answers that change shape the way APIs do between versions, in a few rows.

A profile names the kinds of drift served (`all`, or some of `extra_fields`,
`unknown_enums`, `missing_optional`, `wrong_types`). One record in every `EVERY` of the
order and position lists (and the Broker API's account list) is drifted, the kinds taking
turns: a field no client knows, an enum value no client knows, an optional field left
out, a number sent as text that is not a number. Which records are chosen depends only on
their place in the answer, so the same world drifts the same way every time.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

from sandbox.asgi import answer_of
from sandbox.exact_json import dumps

DRIFT_KINDS = ("extra_fields", "unknown_enums", "missing_optional", "wrong_types")
EVERY = 7
EXTRA_FIELD = "x_unannounced"
UNKNOWN_ENUM = "unannounced_value"
NOT_A_NUMBER = "n/a"


@dataclass(frozen=True)
class RecordShape:
    """Where an API's drift-prone records are, and which of their fields drift."""

    path: str  # a regular expression over the path under the API's prefix
    enum_field: str | None  # the enum that gains a value (None: none kept raw)
    number_field: str  # the number that arrives as text
    optional_field: str  # the optional field left out


# The fields that drift in Alpaca's order and position records (both its APIs).
ALPACA_ORDERS = ("status", "qty", "client_order_id")
ALPACA_POSITIONS = ("asset_class", "qty", "cost_basis")


@dataclass(frozen=True)
class DriftProfile:
    kinds: tuple[str, ...] = ()

    @property
    def active(self) -> bool:
        return bool(self.kinds)

    @classmethod
    def parse(cls, text: str) -> DriftProfile:
        """`all`, `none`, or kinds separated by commas."""
        names = [part.strip() for part in text.split(",") if part.strip()]
        if names in ([], ["none"]):
            return cls()
        if names == ["all"]:
            return cls(DRIFT_KINDS)
        unknown = [name for name in names if name not in DRIFT_KINDS]
        if unknown:
            raise ValueError(
                f"unknown drift {unknown}: use all, none, or some of {', '.join(DRIFT_KINDS)}"
            )
        return cls(tuple(names))

    def describe(self) -> list[str]:
        return list(self.kinds)


def drifted(body: Any, shape: RecordShape, kinds: tuple[str, ...]) -> Any:
    """The answer with one record in EVERY drifted, kinds in turn (a list, or the `data`
    list of a page envelope)."""
    records = body.get("data") if isinstance(body, dict) else body
    if not isinstance(records, list):
        return body
    turns = _cycle(kinds)
    for index, record in enumerate(records):
        if index % EVERY == EVERY // 2 and isinstance(record, dict):
            _drift(record, shape, next(turns))
    return body


def _cycle(kinds: tuple[str, ...]) -> Iterator[str]:
    while True:
        yield from kinds


def _drift(record: dict[str, Any], shape: RecordShape, kind: str) -> None:
    if kind == "extra_fields":
        record[EXTRA_FIELD] = {"introduced": "later", "values": [1, 2]}
    elif kind == "unknown_enums" and shape.enum_field is not None and shape.enum_field in record:
        record[shape.enum_field] = UNKNOWN_ENUM
    elif kind == "missing_optional":
        record.pop(shape.optional_field, None)
    elif kind == "wrong_types" and shape.number_field in record:
        record[shape.number_field] = NOT_A_NUMBER


class Drifting:
    """ASGI middleware: rewrites an API's successful JSON answers per the profile."""

    def __init__(
        self, app: ASGIApp, shapes: tuple[RecordShape, ...], profile: DriftProfile
    ) -> None:
        self.app = app
        self.profile = profile
        self.shapes = [(re.compile(shape.path + "$"), shape) for shape in shapes]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "").removeprefix(scope.get("root_path", ""))
        shape = next((s for pattern, s in self.shapes if pattern.match(path)), None)
        if scope["type"] != "http" or shape is None:
            await self.app(scope, receive, send)
            return
        answer = await answer_of(self.app, scope, receive)
        if answer.status != 200:
            await answer.send(send)
            return
        document = json.loads(answer.body, parse_float=Decimal)
        await answer.send(send, dumps(drifted(document, shape, self.profile.kinds)).encode())
