"""What every configured source has, whatever its kind: a name (the `source` column of
its rows), timeouts, retrying and its rate limit. Each broker package's own model adds
its kind, its URL and its credentials."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr

SOURCE_NAME_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,62}$"


class RateLimitConfig(BaseModel):
    """A source's request limit, where it differs from what the broker documents (a
    raised limit on a paid plan, a key shared with another client)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    requests: int = Field(gt=0)
    per_seconds: float = Field(default=60.0, gt=0)


class SourceBase(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=SOURCE_NAME_PATTERN)
    sandbox: bool = False  # served by the built-in sandbox (the output says so)
    timeout_seconds: float = Field(default=30.0, gt=0)  # to connect, and between bytes
    retry_seconds: float = Field(default=120.0, gt=0)  # total retrying of one request
    # None: the broker's documented limit; false: none at all (an API that does not limit)
    rate_limit: RateLimitConfig | Literal[False] | None = None

    def secrets(self) -> list[str]:
        """Every secret value of this source, for redaction."""
        return [
            value.get_secret_value()
            for value in self.__dict__.values()
            if isinstance(value, SecretStr)
        ]

    def problems(self, skipped: frozenset[str]) -> list[str]:
        """What is wrong beyond the fields' own checks (a secret that is not JSON, ...), a
        line each; `skipped`: fields already reported (an unset variable)."""
        return []
