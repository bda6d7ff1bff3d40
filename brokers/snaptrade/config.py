"""A SnapTrade source in sources.yaml, and its users' secrets."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator

from brokers.errors import ConfigError
from brokers.source import SourceBase


class SnapTradeSource(SourceBase):
    """SnapTrade: one partner key (clientId + consumerKey) over many end users.

    Each user's secret comes from configuration, never from the lake: `user_secrets` holds
    JSON (`{"userId": "userSecret", ...}` or a list of `{"userId", "userSecret"}`), usually
    from an environment variable, or `user_secrets_file` names a file holding that JSON.
    """

    kind: Literal["snaptrade"]
    base_url: str = Field(default="https://api.snaptrade.com", pattern=r"^https?://")
    client_id: SecretStr
    consumer_key: SecretStr
    user_secrets: SecretStr | None = None
    user_secrets_file: Path | None = None

    @model_validator(mode="after")
    def _one_secrets_origin(self) -> SnapTradeSource:
        if (self.user_secrets is None) == (self.user_secrets_file is None):
            raise ValueError("give exactly one of user_secrets or user_secrets_file")
        return self

    def users(self) -> dict[str, str]:
        """userId -> userSecret, read from the configured JSON; errors name the source."""
        if self.user_secrets_file is not None:
            origin = f"the file {self.user_secrets_file}"
            try:
                text = self.user_secrets_file.read_text()
            except OSError as exc:
                raise ConfigError(
                    f"source {self.name!r}: user_secrets_file cannot be read: {exc.strerror}"
                ) from None
        else:
            origin = "user_secrets"
            text = self.user_secrets.get_secret_value() if self.user_secrets else ""
        return parse_user_secrets(text, source=self.name, origin=origin)

    def secrets(self) -> list[str]:
        try:
            return [*super().secrets(), *self.users().values()]
        except ConfigError:
            return super().secrets()

    def problems(self, skipped: frozenset[str]) -> list[str]:
        """The users' secrets are read now, so a bad one stops the file, not a run."""
        if {"user_secrets", "user_secrets_file"} & skipped:
            return []
        try:
            self.users()
        except ConfigError as exc:
            return list(exc.problems)
        return []


def parse_user_secrets(text: str, *, source: str, origin: str) -> dict[str, str]:
    """`{"user": "secret"}` or `[{"userId": ..., "userSecret": ...}]` as a mapping. The
    message never quotes the text: it is full of secrets."""
    where = f"source {source!r}: {origin}"
    try:
        document = json.loads(text)
    except ValueError:
        raise ConfigError(
            f'{where} is not JSON; expected {{"<userId>": "<userSecret>", ...}}'
        ) from None
    if isinstance(document, list):
        pairs = []
        for index, entry in enumerate(document):
            if not isinstance(entry, dict) or not {"userId", "userSecret"} <= set(entry):
                raise ConfigError(f"{where}: entry #{index + 1} needs userId and userSecret")
            pairs.append((entry["userId"], entry["userSecret"]))
    elif isinstance(document, dict):
        pairs = list(document.items())
    else:
        raise ConfigError(f"{where}: expected a JSON object of userId -> userSecret")
    users: dict[str, str] = {}
    for user, secret in pairs:
        if not isinstance(user, str) or not user or not isinstance(secret, str) or not secret:
            raise ConfigError(f"{where}: user ids and secrets must be non-empty strings")
        users[user] = secret
    if not users:
        raise ConfigError(f"{where}: no users given")
    return users
