"""Small ASGI wrappers every API shares: the world's Date header and request counting."""

from __future__ import annotations

import time
from collections import deque
from email.utils import format_datetime

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sandbox.serving import ServingState


def adding_headers(send: Send, headers: list[tuple[bytes, bytes]]) -> Send:
    """`send`, with `headers` appended to the response's start message."""

    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            message = {**message, "headers": [*message.get("headers", []), *headers]}
        await send(message)

    return wrapped


class WorldDate:
    """Sets `Date` to the world's clock: the world's time is the sandbox's time."""

    def __init__(self, app: ASGIApp, state: ServingState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            date = format_datetime(self.state.world.clock, usegmt=True).encode()
            send = adding_headers(send, [(b"date", date)])
        await self.app(scope, receive, send)


TIMES_KEPT = 100_000  # arrival times kept per API (the latest)


class Counted:
    """Counts the HTTP requests an API serves, when they arrived, and the statuses it
    answers, under its name."""

    def __init__(self, app: ASGIApp, name: str, state: ServingState) -> None:
        self.app = app
        self.name = name
        self.counts = state.request_counts
        self.statuses = state.status_counts.setdefault(name, {})
        self.times = state.request_times.setdefault(name, deque(maxlen=TIMES_KEPT))
        self.counts.setdefault(name, 0)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        self.counts[self.name] = self.counts.get(self.name, 0) + 1
        self.times.append(time.monotonic())

        async def counting(message: Message) -> None:
            if message["type"] == "http.response.start":
                status = message["status"]
                self.statuses[status] = self.statuses.get(status, 0) + 1
            await send(message)

        await self.app(scope, receive, counting)
