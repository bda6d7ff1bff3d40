"""Alpaca order pages read by polars straight from the response bytes, into a frame of
the fields brokerlake reads (legs nested), without a Python object per order or field.

Polars reads a JSON number or boolean where the frame wants text as its text, through a
float (`0.10` -> `0.1`, more than 15 digits rounded), and an unpaired UTF-16 surrogate
escape (`\\ud800`) as NUL, so it is given only pages in which none of those can happen:
an array of objects in which no field brokerlake reads holds a number or a boolean (a
number elsewhere, `extended_hours`' boolean or a legacy `daytrade_count`, costs nothing),
with no surrogate escape, and legs one level deep. Any other body is decoded as JSON
(`decode_json`, exact decimals) and read from its records (column-wise still, a number
in a decimal field taken as its text); a body that is not JSON raises ValueError
(retried). An object with a key written twice (which the spec never sends) is the one
difference left: polars keeps the first value, JSON the last, whether a field's or a
whole `legs` list.
"""

from __future__ import annotations

import re
from typing import Any

import polars as pl

from brokers.alpaca_common.order_frames import FIELDS, USD_FIELDS
from brokers.http import decode_json

# A key's value that is a JSON number or boolean, other than `extended_hours`' written
# compactly: a colon after a quote or a space (not a timestamp's), then [-0-9tf]. Only
# the keys brokerlake reads (at any depth: legs and `usd` use the same names) matter.
NOT_TEXT = re.compile(rb':(?<=["\s]:)(?<!"extended_hours":)\s*[-0-9tf]')
READ_KEYS = frozenset(key.encode() for key in (*FIELDS, *USD_FIELDS, "legs", "usd"))
SURROGATE = re.compile(rb"\\u[dD][89abAB]")  # paired or not: rare enough to decode as JSON
TEXT = dict.fromkeys(FIELDS, pl.String)
USD = pl.Struct(dict.fromkeys(USD_FIELDS, pl.String))
# A leg's own legs: none (null, [] or [null]; anything else fails the reading).
LEG = pl.Struct({**TEXT, "usd": USD, "legs": pl.List(pl.Null)})
PAGE_SCHEMA = {**TEXT, "usd": USD, "legs": pl.List(LEG)}


def order_page(content: bytes) -> pl.DataFrame | Any:
    """A page of orders as a frame of PAGE_SCHEMA, or, when polars could misread it, the
    JSON document (for the paginator to check and the record-by-record reading)."""
    if (
        content[:64].lstrip()[:1] == b"["
        and not _read_field_not_text(content)
        and SURROGATE.search(content) is None
    ):
        try:
            return pl.read_json(content, schema=PAGE_SCHEMA)
        except (pl.exceptions.PolarsError, pl.exceptions.PanicException):
            pass  # not an array of objects, not UTF-8, a leg with legs of its own, ...
    return decode_json(content.decode("utf-8", errors="replace"))


def _read_field_not_text(content: bytes) -> bool:
    """Whether a field brokerlake reads holds a number or a boolean. Text holding the
    same bytes (a quote and a colon inside a value) only costs the fast reading."""
    for found in NOT_TEXT.finditer(content):
        end = content.rfind(b'"', 0, found.start())  # the key's closing quote
        if content[content.rfind(b'"', 0, end) + 1 : end] in READ_KEYS:
            return True
    return False
