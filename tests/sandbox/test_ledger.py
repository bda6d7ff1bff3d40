"""The world's ledger: every account's positions and cash are exactly the sum of its
executed activities since it opened, whichever API shows them, and the ledger holds what
a real one does (fills of its orders, income, fees, deposits and withdrawals, a split,
transfers between accounts, a pending journal that executes later, an activity re-added
under a new id)."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import timedelta
from decimal import Decimal

import pytest

from sandbox import World, WorldSizes
from sandbox.world import Activity
from sandbox.world.prices import SPLIT_SYMBOL
from tests.sandbox.helpers import CLOCK

ZERO = Decimal(0)
UNIT_MOVES = {"fill", "transfer_in", "transfer_out", "split"}


def sums(activities: list[Activity]) -> tuple[dict[str, Decimal], dict[str, Decimal]]:
    """Units by symbol and cash by currency, of the executed activities."""
    units: dict[str, Decimal] = defaultdict(Decimal)
    cash: dict[str, Decimal] = defaultdict(Decimal)
    for a in activities:
        if not a.is_executed:
            continue
        cash[a.currency] += a.amount
        if a.kind in UNIT_MOVES:
            assert a.instrument is not None
            units[a.instrument.symbol] += a.quantity
    return (
        {s: q for s, q in units.items() if q},
        {c: v for c, v in cash.items() if v},
    )


def explained(world: World, account_id: str) -> None:
    units, cash = sums(world.activities(account_id))
    held = {p.instrument.symbol: p.signed_quantity for p in world.positions(account_id)}
    assert held == units
    balances = {b.currency: b.cash for b in world.balances(account_id) if b.cash}
    assert balances == cash


@pytest.mark.parametrize("venue", ["alpaca", "alpaca_broker", "snaptrade"])
@pytest.mark.parametrize("hours", [0, 30, 24 * 9])
def test_positions_and_cash_are_the_sum_of_the_ledger(venue: str, hours: int) -> None:
    world = World(0, CLOCK).at(CLOCK + timedelta(hours=hours))
    for account in world.accounts(venue):
        explained(world, account.account_id)


def test_every_account_opened_funded_and_the_ledger_goes_back_to_it() -> None:
    world = World(0, CLOCK)
    for account in world.accounts():
        activities = world.activities(account.account_id)
        if account.status == "closed":
            assert activities == [] and not world.positions(account.account_id)
            continue
        first = activities[0]
        assert (first.kind, first.at) == ("deposit", account.created_at)
        assert [a.at for a in activities] == sorted(a.at for a in activities)
        transferred = {a.instrument.symbol for a in activities if a.kind == "transfer_in"}
        assert transferred  # the positions it came with


def test_fills_are_the_orders_executions() -> None:
    world = World(0, CLOCK)
    for account in world.accounts("alpaca") + world.broker_accounts()[:4]:
        orders = {o.order_id: o for o in world.orders(account.account_id)}
        filled: Counter[str] = Counter()
        for a in world.activities(account.account_id):
            if a.kind != "fill":
                continue
            order = orders[a.order_id]
            assert not order.is_multi_leg_parent and a.instrument == order.instrument
            assert a.side == order.side and (a.quantity > 0) == (order.side == "buy")
            assert a.amount == -(a.quantity * a.price).quantize(Decimal("0.01"))
            filled[a.order_id] += abs(a.quantity)
            assert a.cum_quantity == filled[a.order_id]
        assert filled == {
            i: o.filled_quantity for i, o in orders.items() if o.filled_quantity and i in filled
        }
        unfilled = {i for i, o in orders.items() if o.filled_quantity and not o.is_multi_leg_parent}
        assert unfilled == set(filled)


def test_income_fees_and_cash_flows_move_cash_only() -> None:
    world = World(0, CLOCK)
    kinds: Counter[str] = Counter()
    for account in world.accounts():
        for a in world.activities(account.account_id):
            kinds[a.kind] += 1
            if a.kind in {"dividend", "interest", "fee", "deposit", "withdrawal"}:
                assert a.quantity == 0
                assert (a.amount > 0) == (a.kind in {"dividend", "interest", "deposit"})
            if a.kind == "dividend":
                assert a.amount == (a.cum_quantity * a.per_share).quantize(Decimal("0.01"))
    assert {"dividend", "interest", "fee", "deposit", "withdrawal", "transfer_in"} <= set(kinds)


def test_a_split_changes_units_not_value() -> None:
    world = World(0, CLOCK)
    splits = [
        a
        for account in world.accounts()
        for a in world.activities(account.account_id)
        if a.kind == "split"
    ]
    assert splits and {a.instrument.symbol for a in splits} == {SPLIT_SYMBOL}
    by_group: dict[str, list[Activity]] = defaultdict(list)
    for leg in splits:
        by_group[leg.group_id].append(leg)
    for removed, added in by_group.values():
        assert removed.related_id == added.activity_id and added.related_id == removed.activity_id
        assert added.quantity == -removed.quantity * added.cum_quantity  # the ratio
        assert removed.amount == added.amount == 0


def test_a_transfer_between_a_users_accounts_pairs_its_legs() -> None:
    world = World(0, CLOCK)
    legs = [
        a
        for account in world.accounts("snaptrade")
        for a in world.activities(account.account_id)
        if a.kind == "transfer"
    ]
    assert len(legs) >= 2
    by_id = {a.activity_id: a for a in legs}
    for leg in legs:
        other = by_id[leg.related_id]
        assert other.related_id == leg.activity_id and other.amount == -leg.amount
        mine, theirs = world.account(leg.account_id), world.account(other.account_id)
        assert mine.user_id == theirs.user_id and mine.account_id != theirs.account_id


def test_a_pending_journal_executes_later_and_a_rejected_one_never_moves_cash() -> None:
    world = World(0, CLOCK)
    statuses = {j.description: j.status_at(world.clock) for j in world.journals()}
    assert sorted(statuses.values()) == ["executed", "pending", "rejected"]
    pending = next(j for j in world.journals() if j.status_at(world.clock) == "pending")
    later = world.at(pending.executed_at + timedelta(minutes=1))
    assert next(j for j in later.journals() if j == pending).status_at(later.clock) == "executed"
    for w, status in ((world, "pending"), (later, "executed")):
        legs = [
            a
            for a in w.activities(pending.from_account) + w.activities(pending.to_account)
            if a.group_id == pending.journal_id
        ]
        assert [leg.status for leg in legs] == [status, status]
        explained(w, pending.from_account)
        explained(w, pending.to_account)
    rejected = [
        a
        for a in world.activities(pending.to_account)
        if a.kind == "journal" and a.status == "canceled"
    ]
    assert len(rejected) == 1


def test_a_snaptrade_activity_is_re_added_under_a_new_id() -> None:
    world = World(0, CLOCK)
    later = world.at(CLOCK + timedelta(days=1))
    readded = [
        (account.account_id, a)
        for account in later.accounts("snaptrade")
        for a in later.activities(account.account_id)
        if a.previous_id is not None
    ]
    assert len(readded) == 1
    ((account_id, new),) = readded
    assert not any(a.previous_id for a in world.activities(account_id))  # not yet
    before, after = world.activities(account_id), later.activities(account_id)
    old = next(a for a in before if a.activity_id == new.previous_id)
    assert new.activity_id != old.activity_id
    assert (new.kind, new.at, new.amount) == (old.kind, old.at, old.amount)
    assert {a.activity_id for a in after} >= {a.activity_id for a in before} - {old.activity_id}


def test_tradr_cash_is_its_operations_and_closed_trades_and_positions_its_open_deals() -> None:
    world = World(0, CLOCK, WorldSizes(tradr_busy_positions=20))
    for hours in (0, 30):
        w = world.at(CLOCK + timedelta(hours=hours))
        for account in w.tradr_accounts():
            account_id = account.account_id
            trades = w.tradr_trades(account_id)
            operations = w.tradr_transactions(account_id)
            balance = w.tradr_balance(account_id)
            assert balance is not None
            assert balance.balance == sum(t.signed for t in operations) + sum(t.net for t in trades)
            assert operations[0].created_at == account.created_at  # the opening deposit
            tickets = {p.ticket for p in w.tradr_positions(account_id)}
            assert not tickets & {t.ticket for t in trades}  # a closed trade is no position
            for p in w.tradr_positions(account_id):
                assert p.opened_at <= w.clock
