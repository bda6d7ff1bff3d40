"""`python -m benchmarks.serve SCALE`: the sandbox at a scale, keeping its answers (so it
renders each page once), in a process of its own; the first line of output is the
manifest."""

from __future__ import annotations

import sys

from benchmarks.scales import CLOCK, SCALES
from sandbox import SandboxConfig, serve


def main() -> None:
    scale = SCALES[sys.argv[1]]
    serve(SandboxConfig(seed=0, clock=CLOCK, sizes=scale.sizes, cache_responses=True))


if __name__ == "__main__":
    main()
