"""JSON pages read by polars straight from the response bytes, into a frame of the fields
brokerlake reads, without a Python object per record or field, where that reading is
exact.

Polars reads a JSON number or boolean where the frame wants text as its text, through a
float (`0.10` -> `0.1`, more than 15 digits rounded), and an unpaired UTF-16 surrogate
escape (`\\ud800`) as NUL, so it is given only pages in which none of those can happen:
an array of objects in which no field brokerlake reads holds a number or a boolean (a
number in a field it does not read costs nothing), with no surrogate escape and no key
written with a `\\u` escape (which could spell a key read, unseen). Any other
body (an object or a list where text is expected fails polars' reading too) is decoded
as JSON (`decode_json`, exact decimals) for the record-by-record reading; a body that is
not JSON raises ValueError (retried). An object with a key written twice (which no
broker's spec sends) is the one difference left: polars keeps the first value, JSON the
last.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from brokers.http import decode_json

SURROGATE = re.compile(rb"\\u[dD][89abAB]")  # paired or not: rare enough to decode as JSON
# A key whose last escape is \uXXXX (text in a value that looks so only costs the fast
# reading).
ESCAPED_KEY = re.compile(rb'\\u[0-9a-fA-F]{4}[^"\\]*"\s*:')


@dataclass(frozen=True)
class TextPages:
    """A body decoder (`Transport.get_json`'s `decode`) for pages of `schema`, whose text
    fields (at any depth) are the keys read. `numbers_elsewhere`: keys the API writes
    as a number or boolean in every record and brokerlake does not read, skipped at no
    cost (Alpaca orders' `"extended_hours":false`)."""

    schema: Mapping[str, pl.DataType]
    numbers_elsewhere: Collection[str] = ()
    _not_text: re.Pattern[bytes] = field(init=False, repr=False, compare=False)
    _read_keys: frozenset[bytes] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # A key's value that is a JSON number or boolean: a colon after a quote or a space
        # (not a timestamp's), then [-0-9tf]; the `numbers_elsewhere` excluded up front.
        skipped = "".join(f'(?<!"{re.escape(key)}":)' for key in self.numbers_elsewhere)
        not_text = re.compile(rb':(?<=["\s]:)' + skipped.encode() + rb"\s*[-0-9tf]")
        object.__setattr__(self, "_not_text", not_text)
        keys = frozenset(name.encode() for name in _names(self.schema))
        object.__setattr__(self, "_read_keys", keys)

    def __call__(self, content: bytes) -> pl.DataFrame | Any:
        """A page as a frame of the schema, or, when polars could misread it, the JSON
        document (for the paginator to check and the record-by-record reading)."""
        if (
            content[:64].lstrip()[:1] == b"["
            and not self._read_field_not_text(content)
            and SURROGATE.search(content) is None
            and ESCAPED_KEY.search(content) is None
        ):
            try:
                return pl.read_json(content, schema=dict(self.schema))
            except (pl.exceptions.PolarsError, pl.exceptions.PanicException):
                pass  # not an array of objects, not UTF-8, an object where text is, ...
        return decode_json(content.decode("utf-8", errors="replace"))

    def _read_field_not_text(self, content: bytes) -> bool:
        """Whether a field brokerlake reads holds a number or a boolean. Text holding the
        same bytes (a quote and a colon inside a value) only costs the fast reading."""
        for found in self._not_text.finditer(content):
            end = content.rfind(b'"', 0, found.start())  # the key's closing quote
            if content[content.rfind(b'"', 0, end) + 1 : end] in self._read_keys:
                return True
        return False


def _names(schema: Mapping[str, pl.DataType]) -> Iterator[str]:
    """Every field name of a schema, nested ones included."""
    for name, dtype in schema.items():
        yield name
        inner = dtype
        while isinstance(inner, pl.List):
            inner = inner.inner
        if isinstance(inner, pl.Struct):
            yield from _names({f.name: f.dtype for f in inner.fields})
