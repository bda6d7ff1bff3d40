"""SnapTrade request signatures, byte for byte as the official SDKs make them.

The signed text is the canonical JSON (keys sorted at every level, no whitespace) of
`{content, path, query}`: the JSON body or null, the path as requested, and the query
string exactly as sent. Its HMAC-SHA256 under the consumer key, base64, goes in the
`Signature` header; `clientId` and `timestamp` ride in the query string.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable, Generator
from typing import Any

import httpx


def canonical(content: Any, path: str, query: str) -> str:
    body = None if content in (None, {}) else content
    return json.dumps(
        {"content": body, "path": path, "query": query}, separators=(",", ":"), sort_keys=True
    )


def signature(consumer_key: str, content: Any, path: str, query: str) -> str:
    digest = hmac.new(
        consumer_key.encode(), canonical(content, path, query).encode(), hashlib.sha256
    ).digest()
    return base64.b64encode(digest).decode()


class SnapTradeAuth(httpx.Auth):
    """Adds `clientId` and a fresh `timestamp` to each request's query, then signs it."""

    def __init__(
        self, client_id: str, consumer_key: str, clock: Callable[[], float] = time.time
    ) -> None:
        self.client_id = client_id
        self.consumer_key = consumer_key
        self.clock = clock

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.url = request.url.copy_add_param("clientId", self.client_id).copy_add_param(
            "timestamp", str(int(self.clock()))
        )
        content = json.loads(request.content) if request.content else None
        query = request.url.query.decode()
        request.headers["Signature"] = signature(
            self.consumer_key, content, request.url.path, query
        )
        yield request
