"""What a TradrAPI key reaches, and refusals said in the user's terms.

A key is bound to one account (an account key) or to a user and all or some of their
accounts (a user key); it holds roles (`read`, `write`, `delete`) and may be limited to an
IP allow-list. The API's error bodies are not published: the refusals below are
recognised by the sandbox's wording (NestJS-style `{statusCode, message, error}`), and any
other refusal keeps the API's own message.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from brokers.errors import AccessDenied, CredentialsRejected, SourceError
from brokers.parse import to_utc

READ_ONLY = frozenset({"read"})
_ADDRESS = re.compile(r"IP address (\S+)")
_ACCOUNT = re.compile(r"access to account (\d+)")


@dataclass(frozen=True)
class KeyScope:
    """The calling key's metadata (never the key: the API shows only its hash)."""

    key_id: str
    roles: frozenset[str]
    ips: tuple[str, ...]
    account_id: int | None  # an account key's account
    user_id: int | None  # a user key's user
    account_ids: tuple[int, ...]  # a user key's accounts; empty: all of the user's
    friendly_name: str | None
    created_at: datetime | None

    @classmethod
    def parse(cls, body: Mapping[str, Any]) -> KeyScope:
        return cls(
            key_id=str(body["id"]),
            roles=frozenset(str(role) for role in body.get("roles") or ()),
            ips=tuple(str(ip) for ip in body.get("ips") or ()),
            account_id=_int(body.get("accountId")),
            user_id=_int(body.get("userId")),
            account_ids=tuple(int(i) for i in body.get("accountIds") or ()),
            friendly_name=body.get("friendlyName"),
            created_at=to_utc(body.get("createdAt")),
        )

    @property
    def kind(self) -> str:
        return "account_key" if self.account_id is not None else "user_key"

    @property
    def can_trade(self) -> bool:
        return bool(self.roles - READ_ONLY)

    def describe_coverage(self) -> str:
        """'account 123 only', 'accounts 1, 2 of user 7 only', 'every account of user 7'."""
        if self.account_id is not None:
            return f"account {self.account_id} only"
        if self.account_ids:
            listed = ", ".join(str(i) for i in self.account_ids)
            noun = "account" if len(self.account_ids) == 1 else "accounts"
            return f"{noun} {listed} of user {self.user_id} only"
        return f"every account of user {self.user_id}"


def _int(value: object) -> int | None:
    return None if value is None else int(str(value))


def least_privilege_warning(source: str, scope: KeyScope) -> str | None:
    """A warning when the key can do more than read, which is all a pipeline does."""
    extra = sorted(scope.roles - READ_ONLY)
    if not extra:
        return None
    return (
        f"source {source!r}: its TradrAPI key {scope.key_id} holds the "
        f"{' and '.join(extra)} role{'s' if len(extra) > 1 else ''} as well as read; brokerlake "
        "only reads, so a key with the read role only would do (create one with roles "
        "['read'] and replace this one)"
    )


def uncovered(source: str, scope: KeyScope, wanted: Sequence[int], listed: Sequence[int]) -> None:
    """Fail when sources.yaml asks for accounts the key does not cover."""
    missing = sorted(set(wanted) - set(listed))
    if missing:
        raise AccessDenied(
            source,
            f"this key covers {scope.describe_coverage()}; account_ids in sources.yaml also "
            f"asks for {', '.join(str(i) for i in missing)}: remove them, or use a key that "
            "covers them",
        )


async def explain(
    exc: CredentialsRejected, read_scope: Callable[[], Awaitable[KeyScope | None]]
) -> SourceError:
    """The refusal in the user's terms (the key itself never appears: messages are
    redacted by the transport)."""
    detail = exc.detail or ""
    where = {"endpoint": exc.endpoint, "status": exc.status, "detail": exc.detail}
    if exc.status == 401:
        return CredentialsRejected(
            exc.source,
            f"the API key was not accepted (HTTP 401: {detail}); check api_key for this "
            "source in sources.yaml and the environment",
            **where,
        )
    address = _ADDRESS.search(detail)
    if exc.status == 403 and (address or "allow" in detail.lower()):
        seen = f" (the API saw {address.group(1)})" if address else ""
        return AccessDenied(
            exc.source,
            f"the key's IP allow-list does not include this machine{seen}; add this "
            "machine's address to the key's ips in TradrAPI, or use a key without an "
            "allow-list",
            **where,
        )
    account = _ACCOUNT.search(detail)
    if exc.status == 403 and account:
        scope = await read_scope()
        coverage = scope.describe_coverage() if scope else "other accounts"
        return AccessDenied(
            exc.source,
            f"this key covers {coverage}, not account {account.group(1)}",
            **where,
        )
    if exc.status == 403 and "role" in detail:
        return AccessDenied(
            exc.source,
            f"the key may not read ({detail}); give it the read role",
            **where,
        )
    return exc
