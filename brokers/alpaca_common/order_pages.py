"""Alpaca order pages read by polars straight from the response bytes
(`brokers.text_pages`), into a frame of the fields brokerlake reads, legs nested: an
array of orders in which no field read holds a number or a boolean (`extended_hours`'
boolean costs nothing), with legs one level deep. Any other body is decoded as JSON and
read from its records (column-wise still, a number in a decimal field taken as its
text). An order written with a key twice (which the spec never sends) is read with the
first value, whether a field's or a whole `legs` list.
"""

from __future__ import annotations

import polars as pl

from brokers.alpaca_common.order_frames import FIELDS, USD_FIELDS
from brokers.text_pages import TextPages

TEXT = dict.fromkeys(FIELDS, pl.String)
USD = pl.Struct(dict.fromkeys(USD_FIELDS, pl.String))
# A leg's own legs: none (null, [] or [null]; anything else fails the reading).
LEG = pl.Struct({**TEXT, "usd": USD, "legs": pl.List(pl.Null)})
PAGE_SCHEMA = {**TEXT, "usd": USD, "legs": pl.List(LEG)}

order_page = TextPages(PAGE_SCHEMA, numbers_elsewhere=("extended_hours",))
