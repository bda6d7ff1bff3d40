"""Plaid Investments: Items (one end user's login at one institution, each with its own
access token), their investment accounts, and what those accounts hold.

Each Item is drawn from its own stream, so Item N is the same whatever the number of
Items. An account's ledger, holdings and balance come from the machinery every account
of the world uses (its opening, monthly contributions, interest and fees, dividends,
splits), with no orders: Plaid serves none. The second Item's login expires during the
history: from then on Plaid answers ITEM_LOGIN_REQUIRED for it, and serves none of its
data until the user logs in again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import lru_cache

from sandbox.world.activities import ledger
from sandbox.world.book import Book
from sandbox.world.holdings import balance, value
from sandbox.world.model import Account, Activity, Balance, Position
from sandbox.world.randomness import ALNUM, alnum, rng, uuid4
from sandbox.world.world import World

PLAID = "plaid"
# institution id, name, the investment account subtypes it offers
INSTITUTIONS = (
    ("ins_115616", "Vanguard", ("brokerage", "ira", "roth")),
    ("ins_12", "Fidelity", ("brokerage", "401k")),
    ("ins_11", "Charles Schwab", ("brokerage", "ira")),
)
# Items were linked in this span (Plaid serves 24 months of investment transactions).
LINKED_FROM = datetime(2025, 3, 1, tzinfo=UTC)
LINKED_SPAN = timedelta(days=300)
EXPIRING_ITEM = 1  # the Item whose login expires
EXPIRES_AFTER_HISTORY = timedelta(hours=18, minutes=41)
ID_LENGTH = 37  # Plaid's item and account ids
SUBTYPE_NAMES = {
    "brokerage": "Brokerage", "ira": "Traditional IRA", "roth": "Roth IRA", "401k": "401(k)",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class PlaidAccount:
    account: Account
    subtype: str  # Plaid's investment subtype: brokerage, ira, roth, 401k
    mask: str  # the account number's last four digits, as Plaid shows it


@dataclass(frozen=True, slots=True)
class PlaidItem:
    item_id: str
    access_token: str  # what the partner stored when the user linked the Item
    institution_id: str
    institution_name: str
    created_at: datetime
    accounts: tuple[PlaidAccount, ...]
    expires: bool  # its login expires during the history (ITEM_LOGIN_REQUIRED)


@lru_cache(maxsize=64)
def plaid_item(seed: int, index: int) -> PlaidItem:
    """The `index`-th Item of the world, with its accounts."""
    r = rng(seed, PLAID, "item", index)
    item_id = alnum(r, ID_LENGTH, ALNUM)
    institution_id, name, subtypes = INSTITUTIONS[index % len(INSTITUTIONS)]
    created_at = LINKED_FROM + timedelta(
        microseconds=r.randrange(int(LINKED_SPAN.total_seconds() * 1_000_000))
    )
    count = 1 + (index % len(subtypes)) if index else len(subtypes)  # the first: every one
    accounts = []
    for position, subtype in enumerate(subtypes[:count]):
        number = str(r.randint(10**9, 10**10 - 1))
        account = Account(
            account_id=alnum(r, ID_LENGTH, ALNUM),
            venue=PLAID,
            user_id=item_id,
            connection_id=item_id,
            institution=name,
            account_number=number,
            name=f"{name} {SUBTYPE_NAMES[subtype]}",
            account_type="cash",
            multiplier=Decimal(1),
            status="active",
            base_currency="USD",
            is_paper=False,
            created_at=created_at + timedelta(minutes=position),
        )
        accounts.append(PlaidAccount(account, subtype, number[-4:]))
    return PlaidItem(
        item_id=item_id,
        access_token=f"access-sandbox-{uuid4(r)}",
        institution_id=institution_id,
        institution_name=name,
        created_at=created_at,
        accounts=tuple(accounts),
        expires=index == EXPIRING_ITEM,
    )


def items(seed: int, count: int, clock: datetime) -> list[PlaidItem]:
    """The Items linked at or before the clock."""
    found = (plaid_item(seed, index) for index in range(count))
    return [item for item in found if item.created_at <= clock]


def login_expired_at(item: PlaidItem, history_ends: datetime) -> datetime | None:
    """When the Item's login expires (None: it does not)."""
    return history_ends + EXPIRES_AFTER_HISTORY if item.expires else None


@lru_cache(maxsize=256)
def account_ledger(
    seed: int, account: Account, since: datetime, clock: datetime, positions_per_account: int
) -> tuple[tuple[Activity, ...], Book]:
    """The account's activities booked by the clock (no orders: Plaid has none), and the
    book they add up to."""
    found, book = ledger(
        seed, account, (), since=since, until=clock, positions_per_account=positions_per_account
    )
    return tuple(found), book


def positions(
    seed: int, account: Account, since: datetime, clock: datetime, positions_per_account: int
) -> list[Position]:
    """What the account holds at the clock, valued at the clock's day, by symbol."""
    _, book = account_ledger(seed, account, since, clock, positions_per_account)
    held = book.holdings(seed, account.account_id)
    return [value(seed, account, holding, clock) for holding in held]


def cash_balance(
    seed: int, account: Account, since: datetime, clock: datetime, positions_per_account: int
) -> Balance:
    """The account's cash (in its currency: Plaid's accounts here hold US dollars only)
    and its value with the positions."""
    _, book = account_ledger(seed, account, since, clock, positions_per_account)
    held = positions(seed, account, since, clock, positions_per_account)
    return balance(account, book.cash.get(account.base_currency, Decimal(0)), held, clock)


class PlaidWorld:
    """The world's Plaid Items as they stand at its clock (`WorldSizes.plaid_items` of
    them): what the Plaid simulator serves and the tests' oracle expects."""

    def __init__(self, world: World) -> None:
        self.world = world

    def _args(self, account: Account) -> tuple[int, Account, datetime, datetime, int]:
        world = self.world
        return (world.seed, account, world.since, world.clock, world.sizes.positions_per_account)

    def items(self) -> list[PlaidItem]:
        return items(self.world.seed, self.world.sizes.plaid_items, self.world.clock)

    def item(self, access_token: str) -> PlaidItem | None:
        """The Item an access token opens (None: no Item of the world)."""
        return next((i for i in self.items() if i.access_token == access_token), None)

    def login_expired_at(self, item: PlaidItem) -> datetime | None:
        world = self.world
        return login_expired_at(item, world.since + timedelta(days=world.sizes.history_days))

    def login_required(self, item: PlaidItem) -> bool:
        """Plaid answers ITEM_LOGIN_REQUIRED for the Item at the clock."""
        expired = self.login_expired_at(item)
        return expired is not None and expired <= self.world.clock

    def activities(self, account: Account) -> list[Activity]:
        """Every activity of the account up to the clock, in time order."""
        return list(account_ledger(*self._args(account))[0])

    def positions(self, account: Account) -> list[Position]:
        return positions(*self._args(account))

    def balance(self, account: Account) -> Balance:
        return cash_balance(*self._args(account))
