"""Partitions: one per configured source, so one failing source never blocks another."""

from __future__ import annotations

import dagster as dg


def source_partitions(source_names: list[str]) -> dg.StaticPartitionsDefinition:
    return dg.StaticPartitionsDefinition(sorted(source_names))
