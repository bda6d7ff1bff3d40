"""Request authentication as SnapTrade does it.

Every call but `GET /` carries `clientId` and `timestamp` (Unix seconds) in its query and a
`Signature` header: base64 HMAC-SHA256, under the consumer key, of the canonical JSON
`{"content": <body or null>, "path": <path>, "query": <raw query>}` (keys sorted, no
whitespace). The path may be the one relative to the API's base URL (what the official SDK
signs) or the full request path. The timestamp must be within 300 seconds of the server's
real clock (SnapTrade does not publish its window; clients sign with their real clock, so
the world's clock plays no part). User-scoped calls add `userId` and `userSecret`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any

from starlette.requests import Request

from sandbox.snaptrade.errors import SnapTradeError

TIMESTAMP_WINDOW_SECONDS = 300


def canonical(content: Any, path: str, query: str) -> str:
    body = None if content in (None, {}) else content
    return json.dumps(
        {"content": body, "path": path, "query": query}, separators=(",", ":"), sort_keys=True
    )


def sign(consumer_key: str, content: Any, path: str, query: str) -> str:
    digest = hmac.new(
        consumer_key.encode(), canonical(content, path, query).encode(), hashlib.sha256
    ).digest()
    return base64.b64encode(digest).decode()


async def verify_partner(request: Request, client_id: str, consumer_key: str) -> None:
    """Raises SnapTradeError unless the request is signed by the partner."""
    params = request.query_params
    if "clientId" not in params or "timestamp" not in params or "signature" not in request.headers:
        raise SnapTradeError(403, "Authentication credentials were not provided.")
    if params["clientId"] != client_id:
        raise SnapTradeError(401, "Invalid clientId provided")
    try:
        timestamp = int(params["timestamp"])
    except ValueError:
        raise SnapTradeError(401, "Invalid timestamp") from None
    if abs(time.time() - timestamp) > TIMESTAMP_WINDOW_SECONDS:
        raise SnapTradeError(401, "Invalid timestamp")
    body = await request.body()
    try:
        content = json.loads(body) if body else None
    except ValueError:
        raise SnapTradeError(400, "Unable to verify data sent", "1076") from None
    query = request.scope.get("query_string", b"").decode()
    full_path = request.url.path
    relative = full_path.removeprefix(request.scope.get("root_path", "")) or "/"
    sent = request.headers["signature"]
    if not any(
        hmac.compare_digest(sent, sign(consumer_key, content, path, query))
        for path in {relative, full_path}
    ):
        raise SnapTradeError(401, "Unable to verify signature sent", "1076")


def verify_user(request: Request, secret_of: Any) -> str:
    """The user id, once `userId` and `userSecret` match; raises SnapTradeError otherwise."""
    user_id = request.query_params.get("userId")
    secret = request.query_params.get("userSecret")
    if not user_id or not secret:
        raise SnapTradeError(401, "Please provide clientId, userId and userSecret in query params")
    expected = secret_of(user_id)
    if expected is None or not hmac.compare_digest(expected, secret):
        raise SnapTradeError(401, "Invalid userID or userSecret provided", "1083")
    return user_id
