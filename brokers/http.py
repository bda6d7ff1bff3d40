"""The shared HTTP transport: one pooled async client per source, bounded concurrency,
timeouts, retries of transient failures, JSON decoded with exact decimals, and every error
worded for the user with secrets redacted."""

from __future__ import annotations

import asyncio
import json
import logging
import random
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from brokers.errors import BrokerHTTPError, CredentialsRejected, PayloadError
from brokers.redact import Redactor

log = logging.getLogger("brokerlake.http")

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
AUTH_STATUSES = frozenset({401, 403})
JSON_NAMES = {list: "array", dict: "object", str: "string"}
EPOCH_THRESHOLD = 1_000_000_000  # X-RateLimit-Reset at or above this is an epoch second


@dataclass(frozen=True)
class TransportSettings:
    timeout: float = 30.0
    max_concurrency: int = 8
    max_attempts: int = 4
    backoff_base: float = 0.25  # seconds; doubles per attempt, with jitter
    backoff_cap: float = 10.0


@dataclass(frozen=True)
class JsonResponse:
    status: int
    body: Any
    headers: httpx.Headers
    endpoint: str

    @property
    def server_time(self) -> datetime:
        """The API's own clock (its Date header): the instant a snapshot describes."""
        stamp = self.headers.get("date")
        if stamp:
            try:
                return parsedate_to_datetime(stamp).astimezone(UTC)
            except (TypeError, ValueError):
                pass
        return datetime.now(UTC)


def decode_json(text: str) -> Any:
    """JSON with every number read as an exact Decimal (0.1 stays 0.1)."""
    return json.loads(text, parse_float=Decimal, parse_int=int)


def error_message(response: httpx.Response) -> str:
    """The broker's own error text, whichever of the usual shapes it comes in."""
    try:
        body = response.json()
    except ValueError:
        return response.text[:200] or response.reason_phrase
    if isinstance(body, dict):
        for key in ("message", "detail", "error_description", "error", "msg"):
            value = body.get(key)
            if isinstance(value, list) and value:  # NestJS lists validation messages
                return "; ".join(str(item) for item in value)
            if value:
                return str(value)
    return str(body)[:200]


class Transport:
    """HTTP for one configured source."""

    def __init__(
        self,
        source: str,
        base_url: str,
        *,
        headers: Mapping[str, str] | None = None,
        auth: httpx.Auth | None = None,
        secrets: Iterable[str | None] = (),
        settings: TransportSettings | None = None,
    ) -> None:
        self.source = source
        self.settings = settings or TransportSettings()
        self.redact = Redactor(secrets)
        self.requests_sent = 0
        self.last_server_time: datetime | None = None  # the API's clock at its last answer
        self._semaphore = asyncio.Semaphore(self.settings.max_concurrency)
        self._client = httpx.AsyncClient(
            base_url=base_url.rstrip("/"),
            headers=dict(headers or {}),
            auth=auth,
            timeout=httpx.Timeout(self.settings.timeout),
            limits=httpx.Limits(
                max_connections=self.settings.max_concurrency,
                max_keepalive_connections=self.settings.max_concurrency,
            ),
            follow_redirects=False,
        )

    def watch(self, hook: Callable[[httpx.Request], Awaitable[None]]) -> None:
        """Call `hook` with every request as sent (signed, with its final query), e.g. to
        audit what a connector sends."""
        self._client.event_hooks["request"].append(hook)

    async def __aenter__(self) -> Transport:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._client.aclose()

    async def get_json(
        self, path: str, params: Mapping[str, Any] | None = None, *, expect: type | None = None
    ) -> JsonResponse:
        """GET a JSON document; transient failures are retried, the rest raise SourceError,
        and so does a document that is not of the `expect`ed JSON type (list, dict)."""
        endpoint = f"GET {path}"
        attempt = 0
        while True:
            attempt += 1
            try:
                async with self._semaphore:
                    self.requests_sent += 1
                    response = await self._client.get(path, params=params)
            except (httpx.TimeoutException, httpx.TransportError) as exc:
                if attempt >= self.settings.max_attempts:
                    raise BrokerHTTPError(
                        self.source,
                        self.redact(f"no answer after {attempt} attempts: {type(exc).__name__}"),
                        endpoint=endpoint,
                    ) from None
                await self._backoff(attempt, None, endpoint, type(exc).__name__)
                continue
            if response.status_code in RETRY_STATUSES and attempt < self.settings.max_attempts:
                await self._backoff(attempt, response, endpoint, str(response.status_code))
                continue
            decoded = self._decode(response, endpoint)
            self.last_server_time = decoded.server_time
            if expect is not None and not isinstance(decoded.body, expect):
                raise PayloadError(
                    self.source,
                    f"expected a JSON {JSON_NAMES.get(expect, expect.__name__)}, "
                    f"got {JSON_NAMES.get(type(decoded.body), type(decoded.body).__name__)}",
                    endpoint=endpoint,
                    status=decoded.status,
                )
            return decoded

    def _decode(self, response: httpx.Response, endpoint: str) -> JsonResponse:
        status = response.status_code
        if status in AUTH_STATUSES:
            detail = self.redact(error_message(response))
            raise CredentialsRejected(
                self.source,
                f"credentials were rejected (HTTP {status}: {detail}); "
                "check this source's keys in sources.yaml and the environment",
                endpoint=endpoint,
                status=status,
                detail=detail,
            )
        if status >= 400:
            detail = self.redact(error_message(response))
            raise BrokerHTTPError(
                self.source,
                f"HTTP {status}: {detail}",
                endpoint=endpoint,
                status=status,
                detail=detail,
            )
        try:
            body = decode_json(response.text)
        except ValueError:
            raise PayloadError(
                self.source,
                f"HTTP {status} with a body that is not JSON ({len(response.content)} bytes)",
                endpoint=endpoint,
                status=status,
            ) from None
        return JsonResponse(status, body, response.headers, endpoint)

    async def _backoff(
        self, attempt: int, response: httpx.Response | None, endpoint: str, why: str
    ) -> None:
        delay = min(self.settings.backoff_cap, self.settings.backoff_base * 2 ** (attempt - 1))
        delay *= 0.5 + random.random() / 2
        if response is not None:
            delay = max(delay, self._server_wait(response))
        log.warning(
            "source %s: %s answered %s, retrying in %.2fs (attempt %d of %d)",
            self.source,
            endpoint,
            why,
            delay,
            attempt + 1,
            self.settings.max_attempts,
        )
        await asyncio.sleep(delay)

    def _server_wait(self, response: httpx.Response) -> float:
        """Seconds the server asked us to wait: Retry-After, or X-RateLimit-Reset, which
        some brokers send as an epoch second (Alpaca) and others as seconds to wait
        (SnapTrade); a value below a billion cannot be a recent epoch."""
        retry_after = response.headers.get("retry-after")
        if retry_after:
            try:
                return min(self.settings.backoff_cap, max(0.0, float(retry_after)))
            except ValueError:
                pass
        reset = response.headers.get("x-ratelimit-reset")
        if reset and response.status_code == 429:
            try:
                wait = float(reset)
                if wait >= EPOCH_THRESHOLD:
                    wait -= datetime.now(UTC).timestamp()
                return min(self.settings.backoff_cap, max(0.0, wait))
            except ValueError:
                pass
        return 0.0
