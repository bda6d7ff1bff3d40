"""The built-in sandbox, started in this process on first use when no sources are
configured. The world is deterministic for a (seed, clock), so every process that starts
its own copy serves the same data (faults aside: they are drawn per request)."""

from __future__ import annotations

import atexit
import threading
from dataclasses import replace
from datetime import datetime

from sandbox import DriftProfile, FaultPlan, Sandbox, SandboxConfig, WorldSizes

_lock = threading.Lock()
_running: dict[tuple[int, datetime | None, str, str, int | None], Sandbox] = {}


def embedded_sandbox(
    seed: int = 0,
    clock: datetime | None = None,
    faults: str = "",
    drift: str = "",
    broker_accounts: int | None = None,
) -> Sandbox:
    """`broker_accounts`: the Broker API partner's customer accounts (None: the world's
    default), to try a partner's book at scale."""
    with _lock:
        key = (seed, clock, faults, drift, broker_accounts)
        if key not in _running:
            sizes = WorldSizes()
            if broker_accounts is not None:
                sizes = replace(sizes, broker_accounts=broker_accounts)
            config = SandboxConfig(
                seed=seed,
                clock=clock,
                sizes=sizes,
                faults=FaultPlan.parse(faults, seed=seed),
                drift=DriftProfile.parse(drift),
            )
            sandbox = Sandbox(config).start()
            atexit.register(sandbox.stop)
            _running[key] = sandbox
        return _running[key]
