"""What runs before every Trading API route: request id, rate budget, authentication.

Every answer, errors included, carries `X-Request-ID` and the key's `X-RateLimit-*`
headers. When rate limits are enforced, a request over the key's budget is answered 429
before anything else happens.
"""

from __future__ import annotations

import uuid

from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from sandbox.alpaca_trading.auth import KEY_HEADER, SECRET_HEADER, Keyring
from sandbox.alpaca_trading.errors import rate_limited
from sandbox.asgi import adding_headers
from sandbox.limits import RateLimiter
from sandbox.serving import ServingState


class Gateway:
    def __init__(
        self, app: ASGIApp, state: ServingState, limiter: RateLimiter, keyring: Keyring
    ) -> None:
        self.app = app
        self.state = state
        self.limiter = limiter
        self.keyring = keyring

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        world = self.state.world_of(scope)  # one world for the whole request
        headers = Headers(scope=scope)
        key_id, secret = headers.get(KEY_HEADER), headers.get(SECRET_HEADER)
        budget = self.limiter.hit(key_id or "")
        send = adding_headers(
            send, [(b"x-request-id", str(uuid.uuid4()).encode()), *budget.headers()]
        )
        if self.state.enforce_rate_limits and budget.exceeded:
            await rate_limited()(scope, receive, send)
            return
        outcome = self.keyring.authenticate(world, key_id, secret)
        if isinstance(outcome, Response):
            await outcome(scope, receive, send)
            return
        state = {**scope.get("state", {}), "world": world, "account": outcome}
        await self.app({**scope, "state": state}, receive, send)
