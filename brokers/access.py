"""What a source's credentials reach, as one cheap authenticated request shows it
(`Connector.whoami`): the accounts covered, the key's roles and IP allow-list where the
API tells them, and the rate limit the source will keep."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from brokers.ratelimit import SHARE, RateLimit


@dataclass(frozen=True)
class Access:
    accounts: str  # which accounts the credentials cover, in words
    rate_limit: str
    roles: str | None = None  # None: the API does not say
    ip_allow_list: str | None = None
    # What works but should change (a key that may trade, a user without a secret, ...).
    warnings: tuple[str, ...] = ()

    def describe(self) -> str:
        said = [
            f"{label}: {value}"
            for label, value in (("roles", self.roles), ("IP allow-list", self.ip_allow_list))
            if value is not None
        ]
        return "; ".join([self.accounts, *said, f"rate limit: {self.rate_limit}"])


def rate_limit_of(headers: httpx.Headers, limit: RateLimit | None) -> str:
    """The limit the API announces (X-RateLimit-Limit), and the pace the source keeps."""
    announced = headers.get("x-ratelimit-limit")
    said = f"{announced} announced by the API" if announced else "none announced by the API"
    if limit is None:
        return f"{said}; not paced (rate_limit: false)"
    window = "a minute" if limit.per_seconds == 60 else f"per {limit.per_seconds:g} s"
    return f"{said}; paced at {limit.requests * SHARE:g} requests {window}"
