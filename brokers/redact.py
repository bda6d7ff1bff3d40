"""Secrets never reach a log line or an error message: every text passes through here."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import quote, quote_plus

MASK = "***"
MIN_SECRET_LENGTH = 4  # shorter values are too likely to match ordinary text


class Redactor:
    """Replaces every known secret (and its URL-encoded forms) with a mask."""

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        self._needles: set[str] = set()
        for secret in secrets:
            self.add(secret)

    def add(self, secret: str | None) -> None:
        if not secret or len(secret) < MIN_SECRET_LENGTH:
            return
        self._needles.update({secret, quote(secret, safe=""), quote_plus(secret)})

    def __call__(self, text: str) -> str:
        # Longest first, so a secret that contains another is masked whole.
        for needle in sorted(self._needles, key=len, reverse=True):
            text = text.replace(needle, MASK)
        return text
