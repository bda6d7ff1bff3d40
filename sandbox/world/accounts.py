"""Accounts and their API keys: one deterministic draw per (seed, venue, position).

Each account is drawn from its own stream, so account N is the same whatever the total
number of accounts, and a world of ten thousand accounts costs nothing until asked.
The first two Alpaca accounts are pinned (a paper margin account and a live cash account)
so every world, however small, has both kinds; the live one's API writes decimals as JSON
numbers, as older Alpaca bodies do.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sandbox.world.model import Account, ApiKey
from sandbox.world.randomness import ALNUM, UPPER_ALNUM, alnum, rng, uuid4

ALPACA = "alpaca"
# Accounts were opened in this span, well before any clock a run is likely to use.
OPENED_FROM = datetime(2019, 1, 1, tzinfo=UTC)
OPENED_SPAN = timedelta(days=6 * 365)


def alpaca_account(seed: int, index: int) -> tuple[Account, ApiKey]:
    """The `index`-th Alpaca Trading API account of the world and its key pair."""
    r = rng(seed, ALPACA, "account", index)
    account_id = uuid4(r)
    is_paper = index % 2 == 0
    if index == 0:
        account_type, multiplier, status = "margin", Decimal(4), "active"
    elif index == 1:
        account_type, multiplier, status = "cash", Decimal(1), "active"
    else:
        account_type = "margin" if r.random() < 0.7 else "cash"
        multiplier = Decimal(r.choice((2, 4))) if account_type == "margin" else Decimal(1)
        status = r.choices(("active", "restricted", "closed"), weights=(85, 10, 5))[0]
    account_number = "PA" + alnum(r, 10) if is_paper else str(r.randint(10**8, 10**9 - 1))
    created_at = OPENED_FROM + timedelta(
        microseconds=r.randrange(int(OPENED_SPAN.total_seconds() * 1_000_000))
    )
    account = Account(
        account_id=account_id,
        venue=ALPACA,
        user_id=account_id,
        connection_id=account_id,
        institution="Alpaca",
        account_number=account_number,
        name=f"Alpaca {'Paper' if is_paper else 'Live'} {account_number[-4:]}",
        account_type=account_type,
        multiplier=multiplier,
        status=status,
        base_currency="USD",
        is_paper=is_paper,
        created_at=created_at,
        numeric_decimals=index == 1,
    )
    key = ApiKey(
        key_id=("PK" if is_paper else "AK") + alnum(r, 18, UPPER_ALNUM),
        secret_key=alnum(r, 40, ALNUM),
        account_id=account_id,
    )
    return account, key
