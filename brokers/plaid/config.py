"""A Plaid Investments source in sources.yaml: the client's keys and the Items' access
tokens."""

from __future__ import annotations

import json
from typing import Literal

from pydantic import Field, SecretStr

from brokers.errors import ConfigError
from brokers.source import SourceBase


class PlaidSource(SourceBase):
    """Plaid Investments: every Item (an end user's login at an institution) whose access
    token is configured, through one client's `client_id` and `secret`.

    `access_tokens` holds a JSON list of the Items' access tokens, usually from an
    environment variable: configuration, never data (no token is written anywhere)."""

    kind: Literal["plaid"]
    base_url: str = Field(default="https://production.plaid.com", pattern=r"^https?://")
    client_id: SecretStr
    secret: SecretStr
    access_tokens: SecretStr

    def tokens(self) -> list[str]:
        """The Items' access tokens, in the order given; errors name the source, never a
        token."""
        where = f"source {self.name!r}: access_tokens"
        try:
            document = json.loads(self.access_tokens.get_secret_value())
        except ValueError:
            raise ConfigError(
                f'{where} is not JSON; expected a list of access tokens ["access-...", ...]'
            ) from None
        if not isinstance(document, list) or not document:
            raise ConfigError(f'{where}: expected a non-empty JSON list ["access-...", ...]')
        if not all(isinstance(token, str) and token for token in document):
            raise ConfigError(f"{where}: every access token must be a non-empty string")
        if len(set(document)) != len(document):
            raise ConfigError(f"{where}: an access token is listed twice")
        return list(document)

    def secrets(self) -> list[str]:
        try:
            return [*super().secrets(), *self.tokens()]
        except ConfigError:
            return super().secrets()

    def problems(self, skipped: frozenset[str]) -> list[str]:
        """The tokens are read now, so a malformed list stops the file, not a run."""
        if "access_tokens" in skipped:
            return []
        try:
            self.tokens()
        except ConfigError as exc:
            return list(exc.problems)
        return []
