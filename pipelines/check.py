"""`brokerlake check`: is everything in place for a run? The sources file is validated
(every problem at once), then each source makes one cheap authenticated request and says
what its credentials reach. Nothing is written.

Exit codes: 0 every source ready; 1 a source cannot be read (credentials rejected, API
unreachable, ...); 2 the sources cannot be loaded (an invalid file, no environment);
3 every source can be read, with warnings to act on (e.g. a key that may trade)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass

from assets import SourcesResource
from brokers.access import Access
from brokers.config import SourceConfig
from brokers.errors import SourceError
from brokers.registry import connector_for

OK, FAILED, WARNINGS = 0, 1, 3  # 2: the sources cannot be loaded (see the CLI)
# A check asks once: an API still failing after this long is reported, not waited for.
CHECK_RETRY_SECONDS = 10.0


@dataclass(frozen=True)
class Verdict:
    source: SourceConfig
    access: Access | None = None
    problem: str | None = None


async def verdict(source: SourceConfig) -> Verdict:
    quick = source.model_copy(
        update={"retry_seconds": min(source.retry_seconds, CHECK_RETRY_SECONDS)}
    )
    connector = connector_for(quick)
    try:
        return Verdict(source, access=await connector.whoami())
    except SourceError as exc:
        return Verdict(source, problem=str(exc))
    finally:
        await connector.aclose()


async def verdicts(sources: list[SourceConfig]) -> list[Verdict]:
    return list(await asyncio.gather(*(verdict(source) for source in sources)))


def run_check(resource: SourcesResource, origin: str, out: Callable[[str], None] = print) -> int:
    """Check every source of `resource` (already validated by loading it); returns the
    exit code."""
    sources = resource.load()
    out(f"{origin}: {len(sources)} source{'s' if len(sources) != 1 else ''}, valid.")
    results = asyncio.run(verdicts(sources))
    width = max(len(s.name) for s in sources) if sources else 0
    warned = False
    for result in results:
        name = f"{result.source.name:<{width}}"
        if result.access is None:
            out(f"  FAILED   {name}  {result.problem}")
            continue
        out(f"  ok       {name}  {result.source.kind}: {result.access.describe()}")
        for warning in result.access.warnings:
            warned = True
            out(f"  warning  {name}  {warning}")
    if any(result.access is None for result in results):
        return FAILED
    return WARNINGS if warned else OK
