"""The built-in sandbox, started in this process on first use when no sources are
configured. The world is deterministic for a (seed, clock), so every process that starts
its own copy serves the same data (faults aside: they are drawn per request)."""

from __future__ import annotations

import atexit
import threading
from datetime import datetime

from sandbox import DriftProfile, FaultPlan, Sandbox, SandboxConfig

_lock = threading.Lock()
_running: dict[tuple[int, datetime | None, str, str], Sandbox] = {}


def embedded_sandbox(
    seed: int = 0, clock: datetime | None = None, faults: str = "", drift: str = ""
) -> Sandbox:
    with _lock:
        key = (seed, clock, faults, drift)
        if key not in _running:
            config = SandboxConfig(
                seed=seed,
                clock=clock,
                faults=FaultPlan.parse(faults, seed=seed),
                drift=DriftProfile.parse(drift),
            )
            sandbox = Sandbox(config).start()
            atexit.register(sandbox.stop)
            _running[key] = sandbox
        return _running[key]
