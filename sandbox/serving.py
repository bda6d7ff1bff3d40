"""What a running sandbox serves, shared by every mounted API."""

from __future__ import annotations

from collections import OrderedDict, deque
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sandbox.drift import DriftProfile
from sandbox.faults import FaultPlan
from sandbox.tokens import DEFAULT_LIFETIME_SECONDS, TokenLedger
from sandbox.world import World


@dataclass
class ServingState:
    """The world being served (replaced whole when the clock moves, so each request sees
    one consistent world), the server's options, requests served per API, the OAuth2
    tokens issued, and what each API keeps while serving (TradrAPI's API keys)."""

    world: World
    enforce_rate_limits: bool = False
    rate_limit_period: float | None = None  # seconds; None: each API's real window
    request_counts: dict[str, int] = field(default_factory=dict)
    status_counts: dict[str, dict[int, int]] = field(default_factory=dict)  # API -> status -> n
    request_times: dict[str, deque[float]] = field(default_factory=dict)  # API -> arrivals
    faults: FaultPlan = field(default_factory=FaultPlan)
    drift: DriftProfile = field(default_factory=DriftProfile)
    fault_counts: dict[str, dict[str, int]] = field(default_factory=dict)  # API -> kind -> n
    token_lifetime: float = DEFAULT_LIFETIME_SECONDS  # OAuth2 access tokens, seconds
    tokens: TokenLedger = field(default_factory=TokenLedger)
    api_state: dict[str, Any] = field(default_factory=dict)  # API name -> its own state
    replayed: OrderedDict[datetime, World] = field(default_factory=OrderedDict)
    cache_responses: bool = False  # keep answers for repeated requests (benchmarks)

    def world_at(self, instant: datetime) -> World:
        """The world as it stood (or will stand) at `instant`: what a replayed request sees.
        The few latest are kept, so the requests of one replayed day share one world."""
        world = self.replayed.get(instant)
        if world is None:
            world = self.world.at(instant)
            self.replayed[instant] = world
            while len(self.replayed) > REPLAYS_KEPT:
                self.replayed.popitem(last=False)
        self.replayed.move_to_end(instant)
        return world

    def world_of(self, scope: dict[str, Any]) -> World:
        """The world one request sees: the replayed one under `/_at/<instant>`, else the
        world being served."""
        return scope.get("state", {}).get(REPLAYED_WORLD) or self.world


REPLAYED_WORLD = "replayed_world"
REPLAYS_KEPT = 4
