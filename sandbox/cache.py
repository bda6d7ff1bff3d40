"""Answers kept for repeated requests, so that serving a large world measures the client,
not the simulator (benchmarks). A world never changes, so the answer to the same request
of the same world, with the same credentials, is the same bytes; only successful GETs are
kept, and a kept answer goes only to a request with the credentials that first got it.
Faults, drift and rate limits are decided per request, so the server keeps no answers
when any is on. Event streams are not kept (the world keeps their events instead)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sandbox.asgi import Answer

if TYPE_CHECKING:
    from sandbox.serving import ServingState

# Headers that carry credentials: an answer is only reused for the same ones.
CREDENTIAL_HEADERS = frozenset(
    {b"authorization", b"apca-api-key-id", b"apca-api-secret-key", b"x-api-key", b"signature"}
)


class ResponseCache:
    """Keeps every 200 answer to a GET, by (world, path, query, credentials)."""

    def __init__(self, app: ASGIApp, state: ServingState) -> None:
        self.app = app
        self.state = state
        self.answers: dict[tuple[object, ...], Answer] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        credentials = tuple(sorted(h for h in scope["headers"] if h[0] in CREDENTIAL_HEADERS))
        key = (
            self.state.world_of(scope),
            scope.get("root_path", ""),
            scope["path"],
            scope["query_string"],
            credentials,
        )
        answer = self.answers.get(key)
        if answer is None:
            answer = await _answer_unless_streamed(self.app, scope, receive, send)
            if answer is None:
                return
            if answer.status == 200:
                self.answers[key] = answer
        await answer.send(send)


async def _answer_unless_streamed(
    app: ASGIApp, scope: Scope, receive: Receive, send: Send
) -> Answer | None:
    """The app's whole answer, held back to keep; an event stream (which may never end,
    and whose client waits for its first bytes) is passed through instead: None."""
    messages: list[Message] = []
    streamed = False

    async def keep(message: Message) -> None:
        nonlocal streamed
        if message["type"] == "http.response.start":
            headers = dict(message.get("headers", []))
            streamed = headers.get(b"content-type", b"").startswith(b"text/event-stream")
        if streamed:
            await send(message)
        else:
            messages.append(message)

    await app(scope, receive, keep)
    if streamed:
        return None
    start = next(m for m in messages if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")
    return Answer(start, body)
