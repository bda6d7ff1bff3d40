"""A Broker API listing's pages handed over in batches that end between two instants:
every activity exactly once, in order, and the activities of one instant (the legs of a
journal or a split) never in two batches, whether the pages are frames or records."""

from __future__ import annotations

import polars as pl
import pytest

from brokers.alpaca_broker.activity_reads import Batches, joined


def _page(ids: list[str], as_frame: bool) -> pl.DataFrame | list[dict[str, str]]:
    records = [{"id": i, "activity_type": "FILL"} for i in ids]
    return pl.DataFrame(records) if as_frame else records


def _ids(pages) -> list[str]:
    read = joined(pages)
    return (
        read.get_column("id").to_list()
        if isinstance(read, pl.DataFrame)
        else [r["id"] for r in read]
    )


@pytest.mark.parametrize("as_frame", [True, False])
@pytest.mark.parametrize("size", [1, 3, 5, 50])
def test_batches_end_between_instants_and_keep_every_activity(as_frame, size):
    instants = [0, 0, 1, 2, 2, 2, 2, 2, 3, 4, 4, 5, 6, 6, 6, 7]
    ids = [f"2026010{t}::{n}" for n, t in enumerate(instants)]
    pages = [ids[n : n + 3] for n in range(0, len(ids), 3)]
    batches = Batches(size)
    handed = []
    for page in pages:
        batch = batches.add(_page(page, as_frame))
        if batch is not None:
            handed.append(batch)
    handed.append(batches.rest())
    read = [_ids(batch) for batch in handed]
    assert [i for batch in read for i in batch] == ids
    times = [{i.split("::")[0] for i in batch} for batch in read]
    for n, earlier in enumerate(times):
        for later in times[n + 1 :]:
            assert not earlier & later  # no instant in two batches
    assert all(batch for batch in read[:-1])  # only the last may be empty


def test_pages_of_both_kinds_join_as_records():
    pages = [_page(["a::1"], True), _page(["b::2"], False)]
    assert joined(pages) == [
        {"id": "a::1", "activity_type": "FILL"},
        {"id": "b::2", "activity_type": "FILL"},
    ]
    assert isinstance(joined([_page(["a::1"], True)] * 2), pl.DataFrame)
    assert joined([]) == []
