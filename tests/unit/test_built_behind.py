"""Batches built in a worker thread while the next are read: every result, in the
batches' order; a failure on either side is raised, and nothing is left running."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator

import pytest

from brokers.concurrency import built_behind


async def numbered(count: int, fail_at: int | None = None) -> AsyncIterator[list[int]]:
    for index in range(count):
        if index == fail_at:
            raise ConnectionError(f"page {index}")
        await asyncio.sleep(0)
        yield [index] * 3


def test_each_batch_is_built_once_in_order_off_the_event_loop():
    loop_thread = threading.get_ident()
    threads: set[int] = set()

    def build(batch: list[int]) -> int:
        threads.add(threading.get_ident())
        return sum(batch)

    async def run() -> list[int]:
        return [built async for built in built_behind(numbered(6), build)]

    assert asyncio.run(run()) == [0, 3, 6, 9, 12, 15]
    assert loop_thread not in threads


def test_a_failing_build_is_raised():
    def build(batch: list[int]) -> int:
        if batch[0] == 2:
            raise ValueError("unreadable batch 2")
        return batch[0]

    async def run() -> list[int]:
        return [built async for built in built_behind(numbered(5), build)]

    with pytest.raises(ValueError, match="unreadable batch 2"):
        asyncio.run(run())


def test_a_failing_read_is_raised_after_the_batches_before_it():
    received: list[int] = []

    async def run() -> None:
        async for built in built_behind(numbered(5, fail_at=3), lambda batch: batch[0]):
            received.append(built)

    with pytest.raises(ConnectionError, match="page 3"):
        asyncio.run(run())
    assert received == [0, 1]  # batch 2 was being built when the read failed
