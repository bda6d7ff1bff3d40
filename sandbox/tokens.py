"""OAuth2 access tokens as an authorization server keeps them: only their hashes, each
with its expiry, plus a ledger of issuances so a test can see when a client asked.

Lifetimes run on wall-clock time (a token's life is about how long a client really
holds it); tests compress them through `SandboxConfig(token_lifetime_seconds=...)`.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

DEFAULT_LIFETIME_SECONDS = 900.0  # Alpaca's client-credentials tokens: 15 minutes


class TokenState(Enum):
    VALID = "valid"
    EXPIRED = "expired"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Issuance:
    client_id: str
    issued_at: float  # epoch seconds
    expires_at: float
    # When the client asked, the previous token of this client: its expiry, and whether
    # the server had refused it (revoked, or presented after expiry).
    previous_expires_at: float | None
    previous_refused: bool


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class TokenLedger:
    def __init__(self, now: Callable[[], float] = time.time) -> None:
        self._now = now
        self._tokens: dict[str, tuple[str, float]] = {}  # digest -> (client, expires_at)
        self._latest: dict[str, tuple[str, float]] = {}  # client -> (digest, expires_at)
        self._refused: set[str] = set()  # digests answered 401
        self._revoked: set[str] = set()
        self.issued: list[Issuance] = []
        self._lock = threading.Lock()

    def issue(self, client_id: str, lifetime: float) -> tuple[str, float]:
        """A new token for the client and its lifetime in seconds."""
        token = secrets.token_urlsafe(32)
        now = self._now()
        with self._lock:
            previous = self._latest.get(client_id)
            self.issued.append(
                Issuance(
                    client_id=client_id,
                    issued_at=now,
                    expires_at=now + lifetime,
                    previous_expires_at=previous[1] if previous else None,
                    previous_refused=bool(previous) and previous[0] in self._refused,
                )
            )
            digest = _digest(token)
            self._tokens[digest] = (client_id, now + lifetime)
            self._latest[client_id] = (digest, now + lifetime)
        return token, lifetime

    def check(self, token: str) -> tuple[TokenState, str | None]:
        """Whether a presented token is valid now, and whose it is."""
        digest = _digest(token)
        with self._lock:
            found = self._tokens.get(digest)
            if found is None:
                return TokenState.UNKNOWN, None
            client, expires_at = found
            if digest in self._revoked or self._now() >= expires_at:
                self._refused.add(digest)
                return TokenState.EXPIRED, client
            return TokenState.VALID, client

    def was_issued(self, token: str) -> bool:
        """Whether this text is a token the ledger issued (audits look for leaks with it:
        only digests are kept, as a real server would)."""
        with self._lock:
            return _digest(token) in self._tokens

    def revoke_all(self) -> None:
        """Invalidate every token issued so far (as a key rotation or a server restart
        would): the next use of each is answered 401."""
        with self._lock:
            self._revoked.update(self._tokens)
