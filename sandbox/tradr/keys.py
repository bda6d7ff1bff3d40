"""TradrAPI's API keys as its back office keeps them: only a hash of each key, with its
metadata (account or user, roles, IP allow-list, which accounts a user key covers).

A key's plaintext exists once, when it is created, and is handed to whoever created it:
the world's demo keys are derived from the seed (so the manifest can publish them), and
a test creates its own with `create`. Neither is stored.
"""

from __future__ import annotations

import hashlib
import ipaddress
import secrets
import threading
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from sandbox.world import World
from sandbox.world.randomness import ALNUM, alnum, rng

ROLES = ("read", "write", "delete")
KEY_PREFIX = "tdr_"
DEMO_CREATED_AT = datetime(2025, 9, 1, 9, 30, tzinfo=UTC)


@dataclass(frozen=True)
class ApiKey:
    """A key's metadata: what `GET /api-keys/current` shows (never the key itself)."""

    key_id: int
    digest: str  # SHA-256 of the key
    roles: tuple[str, ...]
    ips: tuple[str, ...]  # empty: any address
    friendly_name: str
    created_at: datetime
    updated_at: datetime
    account_id: int | None = None  # an account key
    user_id: int | None = None  # a user key
    account_ids: tuple[int, ...] | None = None  # a user key's accounts; None: all of them
    last_used_at: datetime | None = None

    @property
    def is_account_key(self) -> bool:
        return self.account_id is not None

    def allows(self, address: str | None) -> bool:
        """Whether a request from `address` may use the key (an empty list allows any)."""
        if not self.ips:
            return True
        if address is None:
            return False
        try:
            caller = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(caller in ipaddress.ip_network(entry, strict=False) for entry in self.ips)

    def covered(self, world: World) -> list[int]:
        """The accounts the key may read, by id."""
        if self.account_id is not None:
            return [self.account_id]
        owned = [a.account_id for a in world.tradr_accounts(self.user_id)]
        if self.account_ids is None:
            return owned
        return [account_id for account_id in owned if account_id in self.account_ids]


@dataclass(frozen=True)
class Grant:
    """What a key is bound to and may do, as its creator asked."""

    user_id: int | None = None
    account_id: int | None = None
    account_ids: tuple[int, ...] | None = None  # a user key's accounts; None: all
    roles: tuple[str, ...] = ("read",)
    ips: tuple[str, ...] = ()
    friendly_name: str = ""

    def __post_init__(self) -> None:
        if not self.roles or set(self.roles) - set(ROLES):
            raise ValueError(f"roles must be some of {ROLES}, got {self.roles}")
        if (self.account_id is None) == (self.user_id is None):
            raise ValueError("a key is bound to one account or to one user")


def _millis(moment: datetime) -> datetime:
    """The API's time resolution (JavaScript dates)."""
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class KeyStore:
    def __init__(self) -> None:
        self._by_digest: dict[str, ApiKey] = {}
        self._next_id = 1
        self._lock = threading.Lock()

    def add(self, plaintext: str, grant: Grant, created_at: datetime | None = None) -> ApiKey:
        """Keep a key: its hash and what it was granted."""
        created_at = created_at or _millis(datetime.now(UTC))
        with self._lock:
            key = ApiKey(
                key_id=self._next_id,
                digest=digest(plaintext),
                roles=grant.roles,
                ips=grant.ips,
                friendly_name=grant.friendly_name,
                created_at=created_at,
                updated_at=created_at,
                account_id=grant.account_id,
                user_id=grant.user_id,
                account_ids=grant.account_ids,
            )
            self._next_id += 1
            self._by_digest[key.digest] = key
        return key

    def create(
        self,
        *,
        user_id: int | None = None,
        account_id: int | None = None,
        account_ids: Iterable[int] | None = None,
        roles: Iterable[str] = ("read",),
        ips: Iterable[str] = (),
        friendly_name: str = "",
    ) -> str:
        """A new key, as TradrAPI's create call returns it: the plaintext, once."""
        grant = Grant(
            user_id=user_id,
            account_id=account_id,
            account_ids=None if account_ids is None else tuple(account_ids),
            roles=tuple(roles),
            ips=tuple(ips),
            friendly_name=friendly_name,
        )
        plaintext = KEY_PREFIX + "".join(secrets.choice(ALNUM) for _ in range(40))
        self.add(plaintext, grant)
        return plaintext

    def lookup(self, plaintext: str) -> ApiKey | None:
        """The metadata of a key, by the key (nothing is marked as used)."""
        return self._by_digest.get(digest(plaintext))

    def use(self, plaintext: str | None) -> ApiKey | None:
        """The key a request presents, marked as used now; None if there is no such key."""
        if not plaintext:
            return None
        found = digest(plaintext)
        with self._lock:
            key = self._by_digest.get(found)
            if key is not None:
                key = self._by_digest[found] = replace(key, last_used_at=_millis(datetime.now(UTC)))
        return key

    def stored(self) -> list[ApiKey]:
        """Everything the store keeps, key by key."""
        return list(self._by_digest.values())


@dataclass(frozen=True)
class DemoKey:
    name: str  # the manifest's label
    plaintext: str
    grant: Grant


def demo_keys(world: World) -> list[DemoKey]:
    """The keys the demo reads with: a user key over several of the first user's accounts
    (allowed from loopback only), and an account key over one account of the second."""
    r = rng(world.seed, "tradr", "keys")
    users = world.tradr_users()
    if not users:
        return []
    first, *others = users
    first_accounts = [a.account_id for a in world.tradr_accounts(first.user_id)]
    keys = [
        DemoKey(
            "user_key",
            KEY_PREFIX + alnum(r, 40, ALNUM),
            Grant(
                user_id=first.user_id,
                account_ids=tuple(first_accounts[:3]),
                ips=("127.0.0.1", "::1"),
                friendly_name="warehouse (read only)",
            ),
        )
    ]
    second_accounts = world.tradr_accounts(others[0].user_id) if others else []
    if second_accounts:
        keys.append(
            DemoKey(
                "account_key",
                KEY_PREFIX + alnum(r, 40, ALNUM),
                Grant(
                    account_id=second_accounts[0].account_id,
                    friendly_name="warehouse: one account",
                ),
            )
        )
    return keys


def store_for(world: World) -> KeyStore:
    """A store holding the world's demo keys (as hashes)."""
    store = KeyStore()
    for key in demo_keys(world):
        store.add(key.plaintext, key.grant, created_at=DEMO_CREATED_AT)
    return store
