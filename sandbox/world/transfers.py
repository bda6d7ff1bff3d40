"""Money moving between two accounts of the world: a leg in each account's ledger, each
pointing at the other.

- A SnapTrade user with two open accounts at one brokerage in one currency moves cash
  from the first to the second eight days into the history (SnapTrade's TRANSFER).
- The Broker API partner journals cash between its two oldest open USD accounts (JNLC):
  one journal executed ten days into the history, one rejected (it never moves cash),
  and one booked six hours before the end of the default history that stays pending
  until three hours after it (an incremental read sees it execute).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from sandbox.world.model import Account, Activity
from sandbox.world.randomness import decimal_between, rng, uuid4

ZERO = Decimal(0)
TRANSFER_AFTER = timedelta(days=8, hours=16)


@dataclass(frozen=True, slots=True)
class Journal:
    """A Broker API journal of cash from one partner account to another."""

    journal_id: str
    from_account: str
    to_account: str
    amount: Decimal
    currency: str
    created_at: datetime
    executed_at: datetime | None  # when it executes; None: it never does
    rejected_at: datetime | None
    description: str

    def status_at(self, clock: datetime) -> str:
        """`executed`, `rejected`, or `pending` (booked, waiting for approval)."""
        if self.executed_at is not None and self.executed_at <= clock:
            return "executed"
        if self.rejected_at is not None and self.rejected_at <= clock:
            return "rejected"
        return "pending"

    @property
    def leg_ids(self) -> tuple[str, str]:
        """The activity ids of its legs once executed: the sender's, the receiver's."""
        return (uuid4(rng(self.journal_id, "from")), uuid4(rng(self.journal_id, "to")))


def partner_journals(
    seed: int, accounts: Sequence[Account], since: datetime, history_days: int
) -> tuple[Journal, ...]:
    """The partner's journals between its two oldest open USD accounts opened before the
    history (none if it has fewer)."""
    eligible = [
        a
        for a in sorted(accounts, key=lambda a: (a.created_at, a.account_id))
        if a.status == "active" and not a.is_lct and a.created_at < since
    ][:2]
    if len(eligible) < 2:
        return ()
    first, second = (a.account_id for a in eligible)
    end = since + timedelta(days=history_days)

    def journal(
        name: str,
        sender: str,
        receiver: str,
        amount: str,
        created_at: datetime,
        executed_at: datetime | None,
        rejected_at: datetime | None,
        text: str,
    ) -> Journal:
        return Journal(
            journal_id=uuid4(rng(seed, "journal", name, since.isoformat())),
            from_account=sender,
            to_account=receiver,
            amount=Decimal(amount),
            currency="USD",
            created_at=created_at,
            executed_at=executed_at,
            rejected_at=rejected_at,
            description=text,
        )

    executed_at = since + timedelta(days=10, hours=15)
    pending_at = end - timedelta(hours=6)
    rejected_at = since + timedelta(days=20, hours=11)
    return (
        journal("executed", first, second, "1000.00", executed_at, executed_at, None,
                "Rebalance between household accounts"),
        journal("rejected", first, second, "5000.00", rejected_at, None,
                rejected_at + timedelta(minutes=7), "Over the daily journal limit"),
        journal("pending", second, first, "250.00", pending_at,
                end + timedelta(hours=3), None, "Awaiting approval"),
    )  # fmt: skip


def journal_legs(journal: Journal, clock: datetime) -> tuple[Activity, Activity]:
    """Its two legs as they stand at `clock`: executed, pending, or canceled (rejected)."""
    status = {"executed": "executed", "pending": "pending", "rejected": "canceled"}[
        journal.status_at(clock)
    ]
    at = journal.executed_at if status == "executed" else journal.created_at
    assert at is not None
    sender, receiver = journal.leg_ids
    return (
        _leg(journal.from_account, sender, receiver, "journal", -journal.amount, at,
             journal.currency, journal.description, journal.journal_id, status),
        _leg(journal.to_account, receiver, sender, "journal", journal.amount, at,
             journal.currency, journal.description, journal.journal_id, status),
    )  # fmt: skip


def user_transfer(
    seed: int, accounts: Iterable[Account], since: datetime
) -> tuple[Activity, Activity] | None:
    """Cash from a user's first open account to the next one at the same brokerage in
    the same currency, if the user has two."""
    open_accounts = [a for a in accounts if a.status == "active"]
    for first in open_accounts:
        second = next(
            (
                a
                for a in open_accounts
                if a is not first
                and a.connection_id == first.connection_id
                and a.base_currency == first.base_currency
            ),
            None,
        )
        if second is None:
            continue
        r = rng(seed, "transfer", first.account_id, second.account_id)
        amount = decimal_between(r, Decimal(500), Decimal(3000), 2)
        reference = uuid4(r)
        out_id, in_id = uuid4(r), uuid4(r)
        at = since + TRANSFER_AFTER
        text = f"Transfer between accounts {first.name} and {second.name}"
        return (
            _leg(first.account_id, out_id, in_id, "transfer", -amount, at,
                 first.base_currency, text, reference, "executed"),
            _leg(second.account_id, in_id, out_id, "transfer", amount, at,
                 first.base_currency, text, reference, "executed"),
        )  # fmt: skip
    return None


def _leg(
    account_id: str,
    activity_id: str,
    related: str,
    kind: str,
    amount: Decimal,
    at: datetime,
    currency: str,
    text: str,
    group: str,
    status: str,
) -> Activity:
    return Activity(
        activity_id=activity_id,
        account_id=account_id,
        kind=kind,
        at=at,
        instrument=None,
        quantity=ZERO,
        price=None,
        amount=amount,
        currency=currency,
        settle_date=at.date(),
        description=text,
        status=status,
        group_id=group,
        related_id=related,
    )
