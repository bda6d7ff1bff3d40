"""Partitions: snapshot tables keep one partition per day (each source has its own
assets, so a day's partition is one source's snapshot on that day); orders are read
incrementally and have none."""

from __future__ import annotations

from datetime import date

import dagster as dg


def daily_partitions(first_day: date) -> dg.DailyPartitionsDefinition:
    """Days from `first_day` through today (UTC): today's partition exists all day, so the
    daily schedule snapshots the day it runs on."""
    return dg.DailyPartitionsDefinition(
        start_date=first_day.isoformat(), end_offset=1, timezone="UTC"
    )


def partition_day(context: dg.AssetExecutionContext | dg.AssetCheckExecutionContext) -> date:
    return date.fromisoformat(context.partition_key)
