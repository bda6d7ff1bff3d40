"""SnapTrade end users, their connections (brokerage authorizations) and their accounts.

Each user is drawn from its own stream, so user N is the same whatever the number of
users. The first three users are pinned so every world, however small, has what a
SnapTrade book really holds: a Canadian account with CAD and USD cash, a disabled
connection, a closed account, a paper account, a crypto exchange, options.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sandbox.world.model import Account, Connection, SnapTradeUser
from sandbox.world.randomness import ALNUM, alnum, rng, uuid4

SNAPTRADE = "snaptrade"
REGISTERED_FROM = datetime(2023, 1, 1, tzinfo=UTC)
REGISTERED_SPAN = timedelta(days=2 * 365)


@dataclass(frozen=True)
class Institution:
    name: str
    slug: str
    currency: str
    account_types: tuple[str, ...]
    paper: bool = False


INSTITUTIONS: dict[str, Institution] = {
    i.slug: i
    for i in (
        Institution("Robinhood", "ROBINHOOD", "USD", ("margin", "cash", "ira")),
        Institution("Charles Schwab", "SCHWAB", "USD", ("margin", "cash", "ira")),
        Institution("Interactive Brokers", "INTERACTIVE-BROKERS-FLEX", "USD", ("margin", "cash")),
        Institution("Fidelity", "FIDELITY", "USD", ("cash", "ira", "margin")),
        Institution("Questrade", "QUESTRADE", "CAD", ("tfsa", "rrsp", "margin")),
        Institution("Wealthsimple", "WEALTHSIMPLETRADE", "CAD", ("tfsa", "rrsp", "cash")),
        Institution("Coinbase", "COINBASE", "USD", ("crypto",)),
        Institution("Alpaca Paper", "ALPACA-PAPER", "USD", ("margin",), paper=True),
    )
}
ACCOUNT_LABEL = {
    "margin": "Margin",
    "cash": "Cash",
    "ira": "IRA",
    "tfsa": "TFSA",
    "rrsp": "RRSP",
    "crypto": "Crypto",
}


@dataclass(frozen=True)
class PlannedConnection:
    """A connection and, if it breaks, how many days after the history starts."""

    slug: str
    connection_type: str
    disabled_after_days: int | None
    accounts: tuple[tuple[str, str], ...]  # (account type, status)


# user index -> its connections; users after these are drawn.
_PINNED: dict[int, tuple[PlannedConnection, ...]] = {
    0: (
        PlannedConnection("QUESTRADE", "trade", None, (("tfsa", "active"), ("margin", "active"))),
        PlannedConnection("ROBINHOOD", "read", 12, (("margin", "active"),)),
    ),
    1: (
        PlannedConnection(
            "INTERACTIVE-BROKERS-FLEX", "trade", None, (("margin", "active"), ("cash", "closed"))
        ),
        PlannedConnection("COINBASE", "read", None, (("crypto", "active"),)),
    ),
    2: (PlannedConnection("ALPACA-PAPER", "trade", None, (("margin", "active"),)),),
}


@dataclass(frozen=True)
class UserRecord:
    user: SnapTradeUser
    connections: tuple[tuple[Connection, int | None], ...]  # with disabled_after_days
    accounts: tuple[Account, ...]


def snaptrade_user(seed: int, index: int) -> UserRecord:
    """The `index`-th SnapTrade user of the world, with connections and accounts."""
    r = rng(seed, SNAPTRADE, "user", index)
    registered = REGISTERED_FROM + timedelta(
        microseconds=r.randrange(int(REGISTERED_SPAN.total_seconds() * 1_000_000))
    )
    user = SnapTradeUser(
        user_id=f"user-{alnum(r, 8, ALNUM).lower()}",
        user_secret=uuid4(r),
        created_at=registered,
    )
    plans = _PINNED.get(index) or _drawn_connections(r)
    connections: list[tuple[Connection, int | None]] = []
    accounts: list[Account] = []
    for plan in plans:
        institution = INSTITUTIONS[plan.slug]
        connected = registered + timedelta(seconds=r.randrange(1, 90 * 86400))
        connection = Connection(
            connection_id=uuid4(r),
            user_id=user.user_id,
            brokerage=institution.name,
            brokerage_slug=institution.slug,
            connection_type=plan.connection_type,
            created_at=connected,
            disabled_at=None,
        )
        connections.append((connection, plan.disabled_after_days))
        for account_type, status in plan.accounts:
            accounts.append(_account(r, institution, connection, account_type, status))
    return UserRecord(user, tuple(connections), tuple(accounts))


def _drawn_connections(r: random.Random) -> tuple[PlannedConnection, ...]:
    slugs = r.sample(sorted(INSTITUTIONS), r.randint(1, 3))
    plans = []
    for slug in slugs:
        institution = INSTITUTIONS[slug]
        disabled = r.randint(3, 25) if r.random() < 0.15 else None
        accounts = tuple(
            (
                r.choice(institution.account_types),
                "closed" if r.random() < 0.08 else "active",
            )
            for _ in range(r.randint(1, 3))
        )
        plans.append(PlannedConnection(slug, r.choice(("read", "trade")), disabled, accounts))
    return tuple(plans)


def _account(
    r: random.Random,
    institution: Institution,
    connection: Connection,
    account_type: str,
    status: str,
) -> Account:
    number = "PA" + alnum(r, 10) if institution.paper else str(r.randint(10**7, 10**9 - 1))
    return Account(
        account_id=uuid4(r),
        venue=SNAPTRADE,
        user_id=connection.user_id,
        connection_id=connection.connection_id,
        institution=institution.name,
        account_number=number,
        name=f"{institution.name} {ACCOUNT_LABEL[account_type]}",
        account_type=account_type,
        multiplier=Decimal(2) if account_type == "margin" else Decimal(1),
        status=status,
        base_currency=institution.currency,
        is_paper=institution.paper,
        created_at=connection.created_at + timedelta(seconds=r.randrange(1, 600)),
    )
