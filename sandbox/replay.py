"""Replaying a past day: `/_at/<instant>/...` serves every API (and the manifest) as the
world stood at that instant. The world is a function of its seed and clock, so a day a
pipeline missed can be read again exactly as it was; the real brokers serve only the
present, which is why only the sandbox offers this.

The prefix moves into `root_path`, so routing sees the usual paths while `request.url`
keeps the full one a client signed (SnapTrade signs the path it requested).
"""

from __future__ import annotations

from datetime import UTC, datetime

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from sandbox.serving import REPLAYED_WORLD, ServingState

PREFIX = "/_at/"
TEMPLATE = PREFIX + "{instant}"  # the manifest's `replay`: base URL + this


def replay_prefix(instant: datetime) -> str:
    return TEMPLATE.format(instant=instant.astimezone(UTC).isoformat().replace("+00:00", "Z"))


def parse_instant(text: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


class Replay:
    """Routes `/_at/<instant>/<rest>` to `<rest>` with the world at `instant`."""

    def __init__(self, app: ASGIApp, state: ServingState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        root = scope.get("root_path", "")
        path = scope.get("path", "")
        if scope["type"] != "http" or not path.startswith(root + PREFIX):
            await self.app(scope, receive, send)
            return
        text, _, _ = path[len(root + PREFIX) :].partition("/")
        instant = parse_instant(text)
        if instant is None:
            answer = JSONResponse(
                {"message": f"not an ISO instant: {text!r} (use {TEMPLATE})"}, status_code=404
            )
            await answer(scope, receive, send)
            return
        world = self.state.world_at(instant)
        state = {**scope.get("state", {}), REPLAYED_WORLD: world}
        prefix = root + PREFIX + text
        await self.app({**scope, "root_path": prefix, "state": state}, receive, send)
