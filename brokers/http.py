"""The shared HTTP transport: one pooled async client per source, bounded concurrency, a
proactive rate budget, timeouts, retries of transient failures within a time limit, an
early stop when the API keeps failing, JSON decoded with exact decimals, and every error
worded for the user with secrets redacted."""

from __future__ import annotations

import asyncio
import json
import logging
import random
import ssl
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from email.utils import parsedate_to_datetime
from functools import cache
from typing import Any, TypeVar

import httpx

from brokers.errors import BrokerHTTPError, CredentialsRejected, PayloadError, StreamCut
from brokers.ratelimit import RateLimit, budget_for, server_wait
from brokers.redact import Redactor
from brokers.source import SourceBase

log = logging.getLogger("brokerlake.http")
T = TypeVar("T")
BodyDecoder = Callable[[bytes], Any]  # a response body to its document; ValueError: not JSON

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
AUTH_STATUSES = frozenset({401, 403})
JSON_NAMES = {list: "array", dict: "object", str: "string"}


@dataclass(frozen=True)
class TransportSettings:
    timeout: float = 30.0  # seconds to connect, and between bytes of an answer
    max_concurrency: int = 8
    max_attempts: int = 8
    retry_seconds: float = 120.0  # total time one request may spend being retried
    backoff_base: float = 0.25  # seconds; doubles per attempt, with jitter
    backoff_cap: float = 10.0
    max_consecutive_failures: int = 16  # failed attempts in a row before the source stops
    rate_limit: RateLimit | None = None  # None: no proactive budget


@cache
def tls() -> ssl.SSLContext:
    """One TLS context (httpx's defaults) for every client of the process: each new one
    loads the CA certificates again, about 30 ms."""
    return httpx.create_ssl_context()


def settings_for(source: SourceBase, default_limit: RateLimit | None) -> TransportSettings:
    """A source's transport: its configured timeouts and rate limit, else the broker's."""
    configured = source.rate_limit
    limit = default_limit
    if configured is False:
        limit = None
    elif configured is not None:
        limit = RateLimit(configured.requests, configured.per_seconds)
    return TransportSettings(
        timeout=source.timeout_seconds, retry_seconds=source.retry_seconds, rate_limit=limit
    )


@dataclass(frozen=True)
class Failure:
    """One attempt that may succeed if tried again."""

    why: str  # "HTTP 503: ...", "ReadTimeout", "a body that is not JSON"
    response: httpx.Response | None = None

    @property
    def throttled(self) -> bool:
        return self.response is not None and self.response.status_code == 429


@dataclass(frozen=True)
class JsonResponse:
    status: int
    body: Any
    headers: httpx.Headers
    endpoint: str

    @property
    def server_time(self) -> datetime:
        """The API's own clock (its Date header): the instant a snapshot describes."""
        return server_time_of(self.headers)


def server_time_of(headers: httpx.Headers) -> datetime:
    """An answer's Date header (to the second), or this machine's clock without one."""
    stamp = headers.get("date")
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
        code, text = body.get("error_code"), body.get("error_message")
        if code and text:  # {error_type, error_code, error_message, ...}: Plaid's
            return f"{code}: {text}"
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
        self.budget = (
            budget_for(source, base_url, self.settings.rate_limit)
            if self.settings.rate_limit
            else None
        )
        self._consecutive_failures = 0
        self._stopped: str | None = None  # why the source stopped early, once it has
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
            verify=tls(),
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
        self,
        path: str,
        params: Mapping[str, Any] | None = None,
        *,
        expect: type | tuple[type, ...] | None = None,
        decode: BodyDecoder | None = None,
    ) -> JsonResponse:
        """GET a JSON document. Transient failures (429, 5xx, timeouts, dropped connections,
        a body that is not JSON) are retried within the request's time limit; the rest
        raise SourceError, and so does a document that is not of the `expect`ed type
        (list, dict). Only GETs come through here: retrying them is always safe.

        `decode` reads the body instead of `decode_json` (e.g. straight into columns); it
        raises ValueError for a body that is not JSON. It runs in the event loop's thread:
        handed to a worker, every page would wait for the GIL to come back."""
        endpoint = f"GET {path}"
        outcome = await self._retrying(
            endpoint, lambda: self._attempt(path, params, endpoint, decode)
        )
        return _expecting(outcome, expect, self.source)

    async def post_json(
        self,
        path: str,
        body: Mapping[str, Any],
        *,
        expect: type | tuple[type, ...] | None = None,
    ) -> JsonResponse:
        """A read the API takes as a POST with a JSON body (Plaid's): answered, retried and
        refused exactly as `get_json`'s GET. Only reads come through here, which change
        nothing, so asking again is as safe as a GET."""
        endpoint = f"POST {path}"
        outcome = await self._retrying(
            endpoint, lambda: self._attempt(path, None, endpoint, json_body=body)
        )
        return _expecting(outcome, expect, self.source)

    async def stream_lines(
        self, path: str, params: Mapping[str, Any] | None = None
    ) -> AsyncIterator[str]:
        """GET a text stream (Server-Sent Events), line by line as it arrives. Until the
        answer starts, failures are retried as `get_json`'s are; a stream cut after that
        raises StreamCut, for the caller to resume from what it has read (only it knows
        where it stands). The read timeout applies between bytes, so a long stream lives
        as long as the server keeps sending (heartbeats included)."""
        endpoint = f"GET {path}"
        response = await self._retrying(endpoint, lambda: self._open_stream(path, params, endpoint))
        try:
            async for line in response.aiter_lines():
                yield line
        except (httpx.TimeoutException, httpx.TransportError) as exc:
            why = self.redact(f"the stream was cut ({_described(exc)})")
            raise StreamCut(self.source, why, endpoint=endpoint) from None
        finally:
            await response.aclose()

    async def _retrying(
        self, endpoint: str, attempt_once: Callable[[], Awaitable[T | Failure]]
    ) -> T:
        """`attempt_once` until it succeeds, within the attempts and time allowed."""
        started = time.monotonic()
        attempt = 0
        while True:
            attempt += 1
            self._check_running(endpoint)
            outcome = await attempt_once()
            if not isinstance(outcome, Failure):
                self._consecutive_failures = 0
                return outcome
            if not outcome.throttled:  # a 429 asks to slow down (the budget has), not to stop
                self._consecutive_failures += 1
            stopping = self._consecutive_failures >= self.settings.max_consecutive_failures
            if stopping and self._stopped is None:  # said once, by the attempt that stopped it
                self._stopped = (
                    f"stopped after {self._consecutive_failures} failed attempts in a row "
                    f"(the last: {outcome.why}); the API looks unavailable, try again later"
                )
            self._check_running(endpoint)
            delay = self._delay(attempt, outcome.response)
            elapsed = time.monotonic() - started
            out_of_time = elapsed + delay > self.settings.retry_seconds
            if attempt >= self.settings.max_attempts or out_of_time:
                raise BrokerHTTPError(
                    self.source,
                    f"gave up after {attempt} attempts in {elapsed:.1f}s; the last: {outcome.why}",
                    endpoint=endpoint,
                    status=outcome.response.status_code if outcome.response else None,
                )
            log.warning(
                "source %s: %s: %s; retrying in %.2fs (attempt %d)",
                self.source,
                endpoint,
                outcome.why,
                delay,
                attempt + 1,
            )
            await asyncio.sleep(delay)

    async def _open_stream(
        self, path: str, params: Mapping[str, Any] | None, endpoint: str
    ) -> httpx.Response | Failure:
        """One try at starting a stream: the open answer, a transient Failure, or a
        SourceError raised (an error answer is read whole, as `get_json` reads it)."""
        response = await self._send(path, params, stream=True)
        if isinstance(response, Failure):
            return response
        if response.status_code == 200:
            self.last_server_time = server_time_of(response.headers)
            return response
        try:
            await response.aread()
        except (httpx.TimeoutException, httpx.TransportError) as exc:
            return Failure(self.redact(f"an error answer cut short ({_described(exc)})"))
        finally:
            await response.aclose()
        failure = self._retryable(response)
        if failure is not None:
            return failure
        self._raise_for_status(response, endpoint)
        raise BrokerHTTPError(  # pragma: no cover - a 1xx/3xx a stream does not expect
            self.source, f"HTTP {response.status_code}", endpoint=endpoint
        )

    async def _attempt(
        self,
        path: str,
        params: Mapping[str, Any] | None,
        endpoint: str,
        decode: BodyDecoder | None = None,
        json_body: Mapping[str, Any] | None = None,
    ) -> JsonResponse | Failure:
        """One try: the decoded answer, a transient Failure, or a SourceError raised."""
        response = await self._send(path, params, json_body=json_body)
        if isinstance(response, Failure):
            return response
        failure = self._retryable(response)
        if failure is not None:
            return failure
        self._raise_for_status(response, endpoint)
        try:
            body = decode_json(response.text) if decode is None else decode(response.content)
        except ValueError:
            return Failure(
                f"HTTP {response.status_code} with a body that is not JSON "
                f"({len(response.content)} bytes)",
                response,
            )
        decoded = JsonResponse(response.status_code, body, response.headers, endpoint)
        self.last_server_time = decoded.server_time
        return decoded

    async def _send(
        self,
        path: str,
        params: Mapping[str, Any] | None,
        *,
        stream: bool = False,
        json_body: Mapping[str, Any] | None = None,
    ) -> httpx.Response | Failure:
        """One request within the concurrency bound and the rate budget (a GET, or a POST
        of `json_body`): its answer (the body still to read, when `stream`), or a Failure
        when none came."""
        try:
            async with self._semaphore:
                if self.budget is not None:
                    wait = self.budget.reserve()
                    if wait > 0:
                        await asyncio.sleep(wait)
                self.requests_sent += 1
                if json_body is None:
                    request = self._client.build_request("GET", path, params=params)
                else:
                    request = self._client.build_request("POST", path, json=json_body)
                response = await self._client.send(request, stream=stream)
        except (httpx.TimeoutException, httpx.TransportError) as exc:
            return Failure(self.redact(f"no answer ({_described(exc)})"))
        if self.budget is not None:
            self.budget.observe(response)
        return response

    def _retryable(self, response: httpx.Response) -> Failure | None:
        """An answer worth asking again for (429, 5xx), as a Failure."""
        if response.status_code not in RETRY_STATUSES:
            return None
        detail = self.redact(error_message(response))
        return Failure(f"HTTP {response.status_code}: {detail}", response)

    def _check_running(self, endpoint: str) -> None:
        if self._stopped is not None:
            raise BrokerHTTPError(self.source, self._stopped, endpoint=endpoint)

    def _raise_for_status(self, response: httpx.Response, endpoint: str) -> None:
        """A SourceError for an error answer the user must act on (rejected credentials,
        a 4xx); nothing for a success."""
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

    def _delay(self, attempt: int, response: httpx.Response | None) -> float:
        """Exponential backoff with jitter, or longer if the server asked for longer (a
        429's reset, or a Retry-After on any answer worth retrying)."""
        delay = min(self.settings.backoff_cap, self.settings.backoff_base * 2 ** (attempt - 1))
        delay *= 0.5 + random.random() / 2
        if response is not None and (
            response.status_code == 429 or "retry-after" in response.headers
        ):
            delay = max(delay, server_wait(response) or 0.0)
        return delay


def _described(exc: Exception) -> str:
    """An exception's kind and message, e.g. `ReadTimeout: timed out`."""
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def _expecting(
    response: JsonResponse, expect: type | tuple[type, ...] | None, source: str
) -> JsonResponse:
    if expect is None or isinstance(response.body, expect):
        return response
    wanted = expect[0] if isinstance(expect, tuple) else expect  # the JSON type, first
    raise PayloadError(
        source,
        f"expected a JSON {JSON_NAMES.get(wanted, wanted.__name__)}, "
        f"got {JSON_NAMES.get(type(response.body), type(response.body).__name__)}",
        endpoint=response.endpoint,
        status=response.status,
    )
