"""Per-account work with a bounded number of accounts in flight.

A partner may hold tens of thousands of accounts: starting them all at once would hold
every result in memory before the first could be written. `bounded_map` keeps at most
`limit` calls running and hands results over as they finish.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from typing import TypeVar

from brokers.connector import Log

T = TypeVar("T")
R = TypeVar("R")
PROGRESS_EVERY = 500  # accounts between progress lines


async def bounded_map(
    items: Iterable[T], call: Callable[[T], Awaitable[R]], limit: int
) -> AsyncIterator[R]:
    """`call(item)` for every item, at most `limit` at a time; results in completion
    order. The first failure cancels the calls still running and is raised."""
    pending: set[asyncio.Task[R]] = set()
    iterator = iter(items)
    try:
        while True:
            while len(pending) < limit:
                item = next(iterator, _DONE)
                if item is _DONE:
                    break
                pending.add(asyncio.ensure_future(call(item)))  # type: ignore[arg-type]
            if not pending:
                return
            done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                yield task.result()
    finally:
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.gather(*pending, return_exceptions=True)


_DONE = object()


async def per_account(
    ids: Sequence[str],
    read: Callable[[str], Awaitable[R]],
    *,
    limit: int,
    log: Log,
    label: str,
) -> AsyncIterator[R]:
    """`read(account_id)` for every account through `bounded_map`, with a progress line
    (`<label>: done/total accounts`) every PROGRESS_EVERY accounts and at the end."""
    done = 0
    async for result in bounded_map(ids, read, limit):
        done += 1
        if done % PROGRESS_EVERY == 0 or done == len(ids):
            log.info(f"{label}: {done}/{len(ids)} accounts")
        yield result


async def built_behind(batches: AsyncIterator[T], build: Callable[[T], R]) -> AsyncIterator[R]:
    """`build(batch)` for each batch, in a worker thread while the next batch is read,
    one build at a time: a listing read one page after another keeps its requests going
    while the pages before are read into rows (polars releases the GIL). Results come in
    the batches' order; a failure on either side cancels the other and is raised."""
    building: asyncio.Task[R] | None = None
    try:
        async for batch in batches:
            if building is not None:
                yield await building
            building = asyncio.create_task(asyncio.to_thread(build, batch))
        if building is not None:
            result, building = await building, None
            yield result
    finally:
        if building is not None and not building.done():
            building.cancel()
            await asyncio.gather(building, return_exceptions=True)
