"""Transient faults injected into a share of each API's requests, the way real APIs fail.

A faulty request gets one of: a 500, 502 or 503; a 429 that starts a burst (every request
to that API is throttled for a moment, with `Retry-After` and the API's `X-RateLimit-*`
headers); an answer slower than the built-in sources' timeout; a connection reset halfway
through the body; a 200 whose JSON is cut short; or, on an API that issues OAuth2 tokens,
every token revoked (they "expire" mid-run, at most every two seconds). Which requests
fail is drawn from a seeded generator per API; how many of each kind is counted in
`ServingState.fault_counts`.
"""

from __future__ import annotations

import asyncio
import logging
import math
import random
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from starlette.types import ASGIApp, Receive, Scope, Send

from sandbox.asgi import Answer, answer_of
from sandbox.exact_json import dumps

if TYPE_CHECKING:
    from sandbox.serving import ServingState

SLOW_SECONDS = 4.0  # past the 3 s timeout of the built-in sources
THROTTLE_SECONDS = 1.0  # how long a 429 burst lasts
TOKEN_MIN_AGE_SECONDS = 2.0  # tokens "expire" at most this often
ERRORS = ((500, "Internal Server Error"), (502, "Bad Gateway"), (503, "Service Unavailable"))
KINDS = ("server_error", "throttle", "slow", "reset", "truncated", "token_expiry")


@dataclass(frozen=True)
class FaultPlan:
    """What share of requests fails, for every API (`rate`) or some (`per_api`)."""

    rate: float = 0.0
    per_api: Mapping[str, float] = field(default_factory=dict)
    seed: int = 0
    slow_seconds: float = SLOW_SECONDS
    throttle_seconds: float = THROTTLE_SECONDS
    kinds: tuple[str, ...] = KINDS  # the kinds drawn from (tests pick one at a time)

    def __post_init__(self) -> None:
        unknown = set(self.kinds) - set(KINDS)
        if unknown or not self.kinds:
            raise ValueError(f"fault kinds are {', '.join(KINDS)}; got {sorted(unknown)}")
        for share in (self.rate, *self.per_api.values()):
            if not 0.0 <= share <= 1.0:
                raise ValueError(f"a fault rate is a share of requests, 0 to 1: {share}")

    def rate_for(self, api: str) -> float:
        return self.per_api.get(api, self.rate)

    @property
    def active(self) -> bool:
        return any(share > 0 for share in (self.rate, *self.per_api.values()))

    @classmethod
    def parse(cls, text: str, seed: int = 0) -> FaultPlan:
        """`0.1` (every API), `alpaca=0.2,tradr=0.05`, or both: `0.1,snaptrade=0`."""
        rate, per_api = 0.0, {}
        for part in filter(None, (p.strip() for p in text.split(","))):
            name, _, value = part.rpartition("=")
            try:
                share = float(value)
            except ValueError:
                raise ValueError(f"not a fault rate: {part!r} (e.g. 0.1 or alpaca=0.1)") from None
            if name:
                per_api[name] = share
            else:
                rate = share
        return cls(rate=rate, per_api=per_api, seed=seed)

    def describe(self) -> dict[str, Any]:
        return {"rate": self.rate, "per_api": dict(self.per_api), "kinds": list(self.kinds)}


class InjectedReset(Exception):
    """Raised mid-body so the server drops the connection (and logged by no one)."""


class _QuietResets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], InjectedReset))


_QUIET_RESETS = _QuietResets()


@dataclass(frozen=True)
class ApiTraits:
    """What a fault needs to know of the API it hits."""

    name: str
    requests_per_minute: int
    reset_header: str | None  # "epoch" (Alpaca), "seconds" (SnapTrade) or None (TradrAPI)
    issues_tokens: bool


class FaultInjector:
    """ASGI middleware: passes most requests through and spoils a share of them."""

    def __init__(self, app: ASGIApp, api: ApiTraits, plan: FaultPlan, state: ServingState):
        self.app = app
        self.api = api
        self.plan = plan
        self.state = state
        self._random = random.Random(f"{plan.seed}:{api.name}")
        self._lock = threading.Lock()
        self._throttled_until = 0.0
        self._revoked_at = 0.0
        self.counts = state.fault_counts.setdefault(api.name, dict.fromkeys(KINDS, 0))
        logging.getLogger("uvicorn.error").addFilter(_QUIET_RESETS)  # once: same filter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        kind, detail = self._draw()
        if kind is None:
            await self.app(scope, receive, send)
            return
        self.counts[kind] += 1
        if kind == "server_error":
            status, reason = ERRORS[detail % len(ERRORS)]
            await _answer(send, status, {"message": f"{reason} (injected fault)"})
        elif kind == "throttle":
            await self._throttled(send)
        elif kind == "slow":
            await self._late(scope, receive, send)
        elif kind == "token_expiry":
            self.state.tokens.revoke_all()
            await self.app(scope, receive, send)
        else:
            await self._spoiled(kind, scope, receive, send)

    def _draw(self) -> tuple[str | None, int]:
        with self._lock:
            if time.time() < self._throttled_until:
                return "throttle", 0
            if self._random.random() >= self.plan.rate_for(self.api.name):
                return None, 0
            kinds = [k for k in self.plan.kinds if k != "token_expiry" or self.api.issues_tokens]
            if not kinds:
                return None, 0
            kind = self._random.choice(kinds)
            if kind == "token_expiry":
                if time.time() - self._revoked_at < TOKEN_MIN_AGE_SECONDS:
                    return None, 0
                self._revoked_at = time.time()
            if kind == "throttle":
                self._throttled_until = time.time() + self.plan.throttle_seconds
            return kind, self._random.randrange(len(ERRORS))

    async def _throttled(self, send: Send) -> None:
        ends = max(self._throttled_until, time.time())
        wait = max(1, math.ceil(ends - time.time()))
        headers = [(b"retry-after", str(wait).encode())]
        if self.api.reset_header is not None:
            reset = math.ceil(ends) if self.api.reset_header == "epoch" else wait
            headers += [
                (b"x-ratelimit-limit", str(self.api.requests_per_minute).encode()),
                (b"x-ratelimit-remaining", b"0"),
                (b"x-ratelimit-reset", str(reset).encode()),
            ]
        await _answer(send, 429, {"message": "Too Many Requests (injected fault)"}, headers)

    async def _late(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The real answer, sent after the client has stopped waiting for it."""
        answer = await answer_of(self.app, scope, receive)
        await asyncio.sleep(self.plan.slow_seconds)
        await answer.send(send)

    async def _spoiled(self, kind: str, scope: Scope, receive: Receive, send: Send) -> None:
        """The real answer, cut: a reset halfway through the body, or JSON cut short."""
        answer = await answer_of(self.app, scope, receive)
        if answer.status != 200:  # only good answers are spoiled
            await answer.send(send)
            return
        half = answer.body[: len(answer.body) // 2]
        if kind == "reset":
            await answer.send(send, half, length=len(answer.body), cut=True)
            raise InjectedReset(f"{self.api.name}: connection reset mid-body (injected fault)")
        await answer.send(send, half)


async def _answer(
    send: Send, status: int, body: dict[str, Any], headers: list[tuple[bytes, bytes]] = ()
) -> None:
    start = {
        "type": "http.response.start",
        "status": status,
        "headers": [(b"content-type", b"application/json"), *headers],
    }
    await Answer(start, dumps(body).encode()).send(send)
