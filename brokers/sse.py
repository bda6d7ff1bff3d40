"""Server-Sent Events, read from a text stream's lines (the WHATWG format): `data:`
lines make an event's data (joined by newlines), a blank line ends the event, a line
starting with `:` is a comment (heartbeats, and some APIs' notices)."""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator
from dataclasses import dataclass


@dataclass(frozen=True)
class ServerSentEvent:
    data: str
    event: str = "message"
    id: str | None = None


@dataclass(frozen=True)
class Comment:
    text: str


async def server_sent_events(lines: AsyncIterable[str]) -> AsyncIterator[ServerSentEvent | Comment]:
    """Events and comments, in the order the stream sends them. An event not yet ended
    by a blank line when the stream ends is dropped, as the format says."""
    data: list[str] = []
    event, last_id = "message", None
    async for raw in lines:
        line = raw.rstrip("\r\n")
        if not line:
            if data:
                yield ServerSentEvent("\n".join(data), event, last_id)
            data, event = [], "message"
            continue
        if line.startswith(":"):
            yield Comment(line[1:].strip())
            continue
        field, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if field == "data":
            data.append(value)
        elif field == "event":
            event = value
        elif field == "id" and "\0" not in value:
            last_id = value
