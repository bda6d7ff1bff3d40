"""`python -m benchmarks.rate_use`: how much of a broker's rate limit a sync uses. A
sandbox enforcing the Broker API's real limit (1,000 requests a minute, over windows
compressed to 20 s) serves 200 partner accounts; the partner source syncs every table
through the library. Prints one JSON line: requests, 429s, and the rate used against the
rate allowed. The pace is 90% of the limit, so a healthy run uses most of it and never
hits it."""

from __future__ import annotations

import asyncio
import json
import logging
import tempfile
from pathlib import Path

from assets.sync import sync_source
from brokers.config import sandbox_sources
from sandbox import Sandbox, SandboxConfig, WorldSizes
from warehouse import Lake

WINDOW_SECONDS = 20.0
ACCOUNTS = 200
PARTNER = "sandbox-alpaca-broker"


def main() -> None:
    config = SandboxConfig(
        sizes=WorldSizes(broker_accounts=ACCOUNTS),
        enforce_rate_limits=True,
        rate_limit_period_seconds=WINDOW_SECONDS,
    )
    with Sandbox(config) as sandbox, tempfile.TemporaryDirectory() as home:
        manifest = sandbox.manifest()
        [source] = [s for s in sandbox_sources(manifest) if s.name == PARTNER]
        allowed = manifest["apis"]["alpaca_broker"]["rate_limit"]
        asyncio.run(
            sync_source(
                source,
                Lake(Path(home)),
                day=sandbox.world.clock.date(),
                log=logging.getLogger("brokerlake.benchmark"),
            )
        )
        times = list(sandbox.request_times["alpaca_broker"])
        statuses = dict(sandbox.status_counts["alpaca_broker"])
    used = (len(times) - 1) / (times[-1] - times[0])
    figures = {
        "requests": len(times),
        "throttled": statuses.get(429, 0),
        "used_per_second": used,
        "allowed_per_second": allowed["requests"] / allowed["per_seconds"],
    }
    print(json.dumps(figures), flush=True)


if __name__ == "__main__":
    main()
