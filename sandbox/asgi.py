"""Small ASGI wrappers every API shares: the world's Date header, request counting, and
holding an answer back to change it (faults, drift)."""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass
from email.utils import format_datetime
from typing import TYPE_CHECKING

from starlette.types import ASGIApp, Message, Receive, Scope, Send

if TYPE_CHECKING:
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
            date = format_datetime(self.state.world_of(scope).clock, usegmt=True).encode()
            send = adding_headers(send, [(b"date", date)])
        await self.app(scope, receive, send)


@dataclass(frozen=True)
class Answer:
    """An app's whole response, held back so a middleware can change it before sending."""

    start: Message  # http.response.start
    body: bytes

    @property
    def status(self) -> int:
        return int(self.start["status"])

    async def send(
        self, send: Send, body: bytes | None = None, *, length: int | None = None, cut: bool = False
    ) -> None:
        """Send it (or `body` in its place) with a Content-Length of `length` (default: the
        body's); `cut` leaves the body unfinished, for a connection to drop."""
        body = self.body if body is None else body
        headers = [
            (k, v) for k, v in self.start.get("headers", []) if k.lower() != b"content-length"
        ]
        headers.append((b"content-length", str(len(body) if length is None else length).encode()))
        await send({**self.start, "headers": headers})
        await send({"type": "http.response.body", "body": body, "more_body": cut})


async def answer_of(app: ASGIApp, scope: Scope, receive: Receive) -> Answer:
    """Run `app` to the end and keep what it answered."""
    answer = await answer_unless_streamed(app, scope, receive, None)
    assert answer is not None
    return answer


async def answer_unless_streamed(
    app: ASGIApp, scope: Scope, receive: Receive, send: Send | None
) -> Answer | None:
    """Run `app` to the end and keep what it answered; but an event stream (which may
    never end, and whose client waits for its first bytes) goes straight to `send`, when
    given, and None is returned."""
    messages: list[Message] = []
    streamed = False

    async def keep(message: Message) -> None:
        nonlocal streamed
        if send is not None and message["type"] == "http.response.start":
            headers = dict(message.get("headers", []))
            streamed = headers.get(b"content-type", b"").startswith(b"text/event-stream")
        if streamed:
            assert send is not None
            await send(message)
        else:
            messages.append(message)

    await app(scope, receive, keep)
    if streamed:
        return None
    start = next(m for m in messages if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")
    return Answer(start, body)


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
