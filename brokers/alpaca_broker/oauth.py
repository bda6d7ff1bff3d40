"""OAuth2 client credentials for the Broker API: one token per lifetime, never per call.

A token is requested when there is none, shortly before the one held expires (a tenth
of its lifetime, at most a minute, ahead), and again when the API answers 401 to a token
that looked valid (revoked, or the clocks disagree), at most twice for one call. Tokens
are kept in this process's memory only, shared by every connector of the same client,
so consecutive steps in one process reuse a token; they are never written anywhere. The
client secret is sent in the form body only (`client_secret_post`), as Alpaca's authx
requires.
"""

from __future__ import annotations

import asyncio
import hashlib
import threading
import time
from collections.abc import AsyncGenerator, Callable, Generator
from dataclasses import dataclass

import httpx

from brokers.errors import CredentialsRejected, PayloadError
from brokers.http import RETRY_STATUSES, decode_json, error_message

MAX_REFRESH_AHEAD_SECONDS = 60.0
REFRESH_AHEAD_SHARE = 0.1
# A token refused twice in a row by a call means more than one expiry: the credentials or
# the clocks are wrong, and the 401 stands.
MAX_RENEWALS_PER_CALL = 2


@dataclass(frozen=True)
class AccessToken:
    value: str
    expires_at: float  # time.monotonic()
    lifetime: float

    def usable(self, now: float) -> bool:
        ahead = min(MAX_REFRESH_AHEAD_SECONDS, self.lifetime * REFRESH_AHEAD_SHARE)
        return now < self.expires_at - ahead


_cache: dict[tuple[str, str, str], AccessToken] = {}
_cache_lock = threading.Lock()


class ClientCredentialsAuth(httpx.Auth):
    requires_response_body = True

    def __init__(
        self,
        source: str,
        token_url: str,
        client_id: str,
        client_secret: str,
        on_token: Callable[[str], None] = lambda token: None,
    ) -> None:
        self.source = source
        self.token_url = token_url
        self._form = {
            "grant_type": "client_credentials",
            "client_id": client_id,
            "client_secret": client_secret,
        }
        secret_digest = hashlib.sha256(client_secret.encode()).hexdigest()
        self._key = (token_url, client_id, secret_digest)
        self._lock = asyncio.Lock()
        self.on_token = on_token  # e.g. the transport's redactor learning each token

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response]:
        raise RuntimeError("the Broker API connector is asynchronous")
        yield request  # pragma: no cover

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        token = self._cached()
        if token is None:
            async with self._lock:
                token = self._cached()
                if token is None:
                    asked_at = time.monotonic()
                    token = await self._accept((yield self._token_request()), asked_at)
                    if token is None:
                        return  # a transient failure: the transport retries the call
        for _ in range(MAX_RENEWALS_PER_CALL + 1):
            request.headers["Authorization"] = f"Bearer {token.value}"
            response = yield request
            await response.aread()
            if response.status_code != 401:
                return
            async with self._lock:  # rejected: a new token, unless another call got one
                current = self._cached()
                if current is None or current.value == token.value:
                    self._forget(token)
                    asked_at = time.monotonic()
                    current = await self._accept((yield self._token_request()), asked_at)
                    if current is None:
                        return
            token = current

    def _cached(self) -> AccessToken | None:
        with _cache_lock:
            token = _cache.get(self._key)
        return token if token is not None and token.usable(time.monotonic()) else None

    def _forget(self, token: AccessToken) -> None:
        with _cache_lock:
            if _cache.get(self._key) == token:
                del _cache[self._key]

    def _token_request(self) -> httpx.Request:
        return httpx.Request(
            "POST", self.token_url, data=self._form, headers={"Accept": "application/json"}
        )

    async def _accept(self, response: httpx.Response, asked_at: float) -> AccessToken | None:
        """The token from the endpoint's answer (its lifetime counted from `asked_at`, a
        little before the server's start); None for a transient failure (a 429 or 5xx, or
        a body cut short), which the transport then retries like any other."""
        await response.aread()
        endpoint = f"POST {httpx.URL(self.token_url).path}"
        if response.status_code in RETRY_STATUSES:
            return None
        if response.status_code >= 400:
            raise CredentialsRejected(
                self.source,
                f"the OAuth2 token endpoint refused this client (HTTP {response.status_code}: "
                f"{error_message(response)}); check client_id and client_secret in sources.yaml "
                "and the environment",
                endpoint=endpoint,
                status=response.status_code,
            )
        try:
            body = decode_json(response.text)
        except ValueError:
            return None  # cut short: the transport retries the call
        try:
            value, lifetime = str(body["access_token"]), float(body["expires_in"])
        except (ValueError, KeyError, TypeError):
            raise PayloadError(
                self.source,
                "the token endpoint's answer has no access_token and expires_in",
                endpoint=endpoint,
                status=response.status_code,
            ) from None
        self.on_token(value)
        token = AccessToken(value, asked_at + lifetime, lifetime)
        with _cache_lock:
            _cache[self._key] = token
        return token
