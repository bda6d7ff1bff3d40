"""Alpaca activity pages read by polars straight from the response bytes
(`brokers.text_pages`) into a frame of the fields brokerlake reads, as text: an array
of activities in which no field read holds a number or a boolean. Any other body is
decoded as JSON and read from its records."""

from __future__ import annotations

from brokers.alpaca_common.activity_frames import RAW_SCHEMA
from brokers.text_pages import TextPages

activity_page = TextPages(RAW_SCHEMA)
