"""Deterministic randomness: every draw comes from a generator seeded by a readable string.

String seeds go through SHA-512 inside `random.Random`, so the same parts give the same
stream in every process (unlike `hash()`, which is salted per process).
"""

from __future__ import annotations

import hashlib
import random
import string
import uuid
from decimal import Decimal

UPPER_ALNUM = string.ascii_uppercase + string.digits
ALNUM = string.ascii_letters + string.digits


def rng(*parts: object) -> random.Random:
    """A generator for one named stream, e.g. rng(seed, account_id, "orders", day)."""
    return random.Random(":".join(str(part) for part in parts))


def stable_int(*parts: object) -> int:
    """A 64-bit integer fixed by the parts (for values needed without a whole stream)."""
    digest = hashlib.sha256(":".join(str(part) for part in parts).encode()).digest()
    return int.from_bytes(digest[:8], "big")


def uuid4(r: random.Random) -> str:
    """A version-4 UUID string drawn from `r`."""
    return str(uuid.UUID(int=r.getrandbits(128), version=4))


def alnum(r: random.Random, length: int, alphabet: str = UPPER_ALNUM) -> str:
    return "".join(r.choice(alphabet) for _ in range(length))


def decimal_between(r: random.Random, low: Decimal, high: Decimal, places: int) -> Decimal:
    """A uniform decimal in [low, high] with exactly `places` decimal places."""
    scale = 10**places
    units = r.randint(int(low * scale), int(high * scale))
    return Decimal(units).scaleb(-places)
