"""`python -m benchmarks.serve SCALE`: the sandbox at a scale, keeping its answers (so it
renders each page once), in a process of its own; the first line of output is the
manifest, printed once the partner's activity listing is drawn (at L, 1.8 million
activities: minutes of one core, which a first request would otherwise wait for until
it timed out)."""

from __future__ import annotations

import sys

from benchmarks.scales import CLOCK, SCALES
from sandbox import SandboxConfig, serve
from sandbox.alpaca_trading.activities import partner_index


def main() -> None:
    scale = SCALES[sys.argv[1]]
    config = SandboxConfig(seed=0, clock=CLOCK, sizes=scale.sizes, cache_responses=True)
    serve(config, prepare=partner_index)  # each ledger drawn once, its book kept


if __name__ == "__main__":
    main()
