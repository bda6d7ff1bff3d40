"""Alpaca order pages read by polars straight from the response bytes, into a frame of
the fields brokerlake reads (legs nested), without a Python object per order or field.

Polars reads a JSON number or boolean where the frame wants text as its text, through a
float (`0.10` -> `0.1`, more than 15 digits rounded), so it is given only pages in which
none of those can happen: an array of objects, compact (no space before a colon), whose
only non-text scalars are `extended_hours`' booleans (the spec's only one), with legs
one level deep. Any other body is decoded as JSON (`decode_json`, exact decimals) and
read record by record, as before; a body that is not JSON raises ValueError (retried).
Of an object with a key written twice, polars keeps the first and JSON the last: the
spec allows neither.
"""

from __future__ import annotations

import re
from typing import Any

import polars as pl

from brokers.alpaca.order_frames import FIELDS
from brokers.http import decode_json

# A value of a JSON number or boolean other than `extended_hours`' (a string holding the
# same bytes only costs the fast reading: the page is decoded as JSON instead).
NOT_TEXT = re.compile(rb'":(?<!"extended_hours":)\s*[-0-9tf]')
SPACED_KEY = re.compile(rb'"\s+:')  # `"key" :`: a serializer's layout, seen in its first bytes
LAYOUT_PROBE = 4096  # bytes of a page whose layout is checked (every key of its first order)
TEXT = dict.fromkeys(FIELDS, pl.String)
# A leg's own legs: none (null, [] or [null]; anything else fails the reading).
LEG = pl.Struct({**TEXT, "legs": pl.List(pl.Null)})
PAGE_SCHEMA = {**TEXT, "legs": pl.List(LEG)}


def order_page(content: bytes) -> pl.DataFrame | Any:
    """A page of orders as a frame of PAGE_SCHEMA, or, when polars could misread it, the
    JSON document (for the paginator to check and the record-by-record reading)."""
    if (
        content[:64].lstrip()[:1] != b"["
        or NOT_TEXT.search(content) is not None
        or SPACED_KEY.search(content, 0, LAYOUT_PROBE) is not None
    ):
        return decode_json(content)
    try:
        return pl.read_json(content, schema=PAGE_SCHEMA)
    except pl.exceptions.PolarsError:  # not an array of objects; a leg with legs of its own
        return decode_json(content)
