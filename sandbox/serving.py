"""What a running sandbox serves, shared by every mounted API."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from sandbox.drift import DriftProfile
from sandbox.faults import FaultPlan
from sandbox.tokens import DEFAULT_LIFETIME_SECONDS, TokenLedger
from sandbox.tradr.keys import KeyStore
from sandbox.world import World


@dataclass
class ServingState:
    """The world being served (replaced whole when the clock moves, so each request sees
    one consistent world), the server's options, requests served per API, the OAuth2
    tokens issued, and TradrAPI's API keys."""

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
    tradr_keys: KeyStore = field(default_factory=KeyStore)  # TradrAPI keys, as hashes
