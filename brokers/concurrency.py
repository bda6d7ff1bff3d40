"""Per-account work with a bounded number of accounts in flight.

A partner may hold tens of thousands of accounts: starting them all at once would hold
every result in memory before the first could be written. `bounded_map` keeps at most
`limit` calls running and hands results over as they finish.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


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
