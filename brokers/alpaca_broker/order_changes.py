"""Orders read from trade events: each order as its latest event shows it, its parent
kept. A bracket parent's events nest its legs, but a leg's own events show the leg alone
(Alpaca's order object names no parent), so a leg's parent comes from its parent's
events or, failing those, from what the lake already holds."""

from __future__ import annotations

from collections.abc import MutableMapping

import polars as pl

from schemas.validate import REASON

PARENT = "parent_order_id"


def latest_changes(frame: pl.DataFrame, parents: MutableMapping[str, str]) -> pl.DataFrame:
    """One row per order (the last, events being in order), its parent filled from
    `parents` (leg id -> parent id), which learns the frame's own legs. Rows that could
    not be read (quarantined) are all kept."""
    unread = frame.filter(pl.col(REASON).is_not_null()) if REASON in frame.columns else None
    rows = frame.filter(pl.col(REASON).is_null()) if unread is not None else frame
    known = rows.filter(pl.col(PARENT).is_not_null()).select("order_id", PARENT)
    parents.update(zip(known["order_id"].to_list(), known[PARENT].to_list(), strict=True))
    if parents:
        landed = pl.col("order_id").replace_strict(parents, default=None, return_dtype=pl.String)
        rows = rows.with_columns(pl.coalesce(PARENT, landed).alias(PARENT))
    rows = rows.unique(subset=["order_id"], keep="last", maintain_order=True)
    return rows if unread is None else pl.concat([rows, unread], how="diagonal")
