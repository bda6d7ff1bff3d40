"""Answers kept for repeated requests, so that serving a large world measures the client,
not the simulator (benchmarks). A world never changes, so the answer to the same request
of the same world, with the same credentials, is the same bytes; only successful GETs are
kept, and a kept answer goes only to a request with the credentials that first got it.
Faults, drift and rate limits are decided per request, so the server keeps no answers
when any is on. Event streams are not kept (the world keeps their events instead)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.types import ASGIApp, Receive, Scope, Send

from sandbox.asgi import Answer, answer_unless_streamed

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
            answer = await answer_unless_streamed(self.app, scope, receive, send)
            if answer is None:
                return
            if answer.status == 200:
                self.answers[key] = answer
        await answer.send(send)
