"""TradrAPI users and their trading accounts: one deterministic draw per (seed, position).

The first user is pinned so every world, however small, has what a connector must handle:
accounts on several platforms, in two currencies, demo and real, a dormant demo account
funded with exactly 0.1 (a decimal a float cannot hold), and a busy account whose open
positions fill many pages.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sandbox.world.randomness import rng, uuid4
from sandbox.world.tradr_model import TRADR, TradrAccount, TradrUser

OPENED_FROM = datetime(2021, 6, 1, tzinfo=UTC)
OPENED_SPAN = timedelta(days=4 * 365)
FIRST_USER_ID = 5001
FIRST_ACCOUNT_ID = 100_030_000
PLATFORMS = ("MT4", "MT5", "CTRADER", "TL")
SERVER_IDS = {
    (platform, server): 2 * i + (server == "real") + 1
    for i, platform in enumerate(PLATFORMS)
    for server in ("demo", "real")
}
LEVERAGES = (30, 50, 100, 200, 500)


class Style:
    """How an account trades: the pinned kinds, and everyone else."""

    REGULAR = "regular"
    DORMANT = "dormant"  # funded with 0.1, never traded
    BUSY = "busy"  # a grid robot's account: many open positions


@dataclass(frozen=True, slots=True)
class TradrAccountRecord:
    account: TradrAccount
    style: str


@dataclass(frozen=True, slots=True)
class TradrUserRecord:
    user: TradrUser
    accounts: tuple[TradrAccountRecord, ...]


# The first user's accounts: platform, server type, currency, leverage, style.
_PINNED = (
    ("MT5", "real", "USD", 100, Style.REGULAR),
    ("MT4", "demo", "USD", 500, Style.DORMANT),
    ("TL", "real", "USD", 200, Style.BUSY),
    ("CTRADER", "real", "EUR", 30, Style.REGULAR),
)


def _account(
    r: random.Random,
    user: TradrUser,
    user_index: int,
    number: int,
    terms: tuple[str, str, str, int],
    status: str,
) -> TradrAccount:
    platform, server_type, currency, leverage = terms
    server_id = SERVER_IDS[(platform, server_type)]
    spread_group = f"{server_type}\\{platform.lower()}-{currency.lower()}-standard"
    created_at = user.created_at + timedelta(seconds=r.randrange(300 * 86_400))
    login = str(5_020_000 + user_index * 10 + number)
    return TradrAccount(
        account_id=FIRST_ACCOUNT_ID + user_index * 10 + number,
        user_id=user.user_id,
        login=login,
        name=f"{platform} {server_type.title()} {login}",
        platform=platform,
        server_type=server_type,
        account_type="full" if r.random() < 0.85 else r.choice(("hybrid", "limited")),
        status=status,
        currency=currency,
        leverage=leverage,
        server_id=server_id,
        group_id=100 + server_id,
        spread_group_id=200 + server_id * 10 + ("USD", "EUR", "GBP").index(currency),
        spread_group=spread_group,
        created_at=created_at.replace(microsecond=created_at.microsecond // 1000 * 1000),
    )


def tradr_user(seed: int, index: int) -> TradrUserRecord:
    """The `index`-th user of the world's TradrAPI brand, with their accounts."""
    r = rng(seed, TRADR, "user", index)
    created_at = OPENED_FROM + timedelta(seconds=r.randrange(int(OPENED_SPAN.total_seconds())))
    user = TradrUser(user_id=FIRST_USER_ID + index, brand_user_id=uuid4(r), created_at=created_at)
    records = []
    if index == 0:
        for number, (*terms, style) in enumerate(_PINNED):
            account = _account(r, user, index, number, tuple(terms), "ACTIVE")  # type: ignore[arg-type]
            records.append(TradrAccountRecord(account, style))
    else:
        for number in range(r.randint(1, 3)):
            terms = (
                r.choice(PLATFORMS),
                "real" if r.random() < 0.7 else "demo",
                r.choices(("USD", "EUR", "GBP"), weights=(60, 25, 15))[0],
                r.choice(LEVERAGES),
            )
            status = "DISABLED" if r.random() < 0.08 else "ACTIVE"
            records.append(
                TradrAccountRecord(_account(r, user, index, number, terms, status), Style.REGULAR)
            )
    return TradrUserRecord(user, tuple(records))
