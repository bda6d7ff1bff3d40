"""The world: deterministic, exact, and evolving with its clock."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest

from sandbox import World, WorldSizes
from sandbox.world import OPEN_ORDER_STATUSES, Order
from sandbox.world.prices import SPLIT_SYMBOL
from tests.sandbox.helpers import CLOCK

DAY = timedelta(days=1)


def snapshot(world: World) -> tuple[object, ...]:
    ids = [a.account_id for a in world.accounts("alpaca")]
    return (
        world.accounts("alpaca"),
        world.alpaca_keys(),
        [world.positions(i) for i in ids],
        [world.balances(i) for i in ids],
        [world.orders(i) for i in ids],
    )


def digest(world: World) -> str:
    return hashlib.sha256(repr(snapshot(world)).encode()).hexdigest()


def test_same_seed_and_clock_give_the_same_world() -> None:
    assert snapshot(World(7, CLOCK)) == snapshot(World(7, CLOCK))
    assert World(7, CLOCK) == World(7, CLOCK)


def test_another_seed_gives_another_world() -> None:
    a, b = World(0, CLOCK), World(1, CLOCK)
    assert [x.account_id for x in a.accounts("alpaca")] != [
        x.account_id for x in b.accounts("alpaca")
    ]
    assert snapshot(a) != snapshot(b)


def test_the_world_is_the_same_in_another_process() -> None:
    code = (
        "import hashlib, datetime as d; from sandbox import World;"
        "from tests.sandbox.test_world import digest;"
        "print(digest(World(3, d.datetime(2026, 11, 23, tzinfo=d.UTC))))"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env, cwd=root
    )
    assert out.stdout.strip() == digest(World(3, CLOCK))


def test_clock_defaults_to_start_of_the_utc_day_and_is_normalised_to_utc() -> None:
    world = World()
    assert world.clock.tzinfo is UTC
    assert (world.clock.hour, world.clock.minute, world.clock.second) == (0, 0, 0)
    eastern = datetime(2026, 11, 22, 19, 0, tzinfo=timezone(timedelta(hours=-5)))
    assert World(clock=eastern).clock == CLOCK
    assert World(clock=eastern).clock.tzinfo is UTC
    with pytest.raises(ValueError):
        World(clock=datetime(2026, 11, 23))


def test_default_world_has_paper_and_live_accounts_with_keys() -> None:
    world = World(0, CLOCK)
    accounts = world.accounts("alpaca")
    assert len(accounts) == 3
    assert {a.is_paper for a in accounts} == {True, False}
    assert len(world.accounts("snaptrade")) >= 5  # a separate roster, drawn apart
    for account in accounts:
        assert account.institution == "Alpaca"
        assert account.user_id == account.connection_id == account.account_id
        if account.is_paper:
            assert account.account_number.startswith("PA") and len(account.account_number) == 12
        else:
            assert account.account_number.isdigit() and len(account.account_number) == 9
    keys = world.alpaca_keys()
    assert [k.account_id for k in keys] == [a.account_id for a in accounts]
    assert all(len(k.key_id) == 20 and len(k.secret_key) == 40 for k in keys)
    with pytest.raises(KeyError):
        world.account("no-such-account")


def test_positions_and_balances_are_exact() -> None:
    world = World(0, CLOCK)
    kinds: Counter[str] = Counter()
    for account in world.accounts("alpaca"):
        positions = world.positions(account.account_id)
        assert [p.instrument.symbol for p in positions] == sorted(
            p.instrument.symbol for p in positions
        )
        for p in positions:
            kinds[p.side] += 1
            signed = p.quantity if p.side == "long" else -p.quantity
            assert p.quantity > 0
            assert p.market_value == signed * p.market_price
            assert p.cost_basis == signed * p.average_cost
            assert p.unrealized_pnl == p.market_value - p.cost_basis
            assert p.market_price == p.market_price.quantize(Decimal("0.01"))
        (balance,) = world.balances(account.account_id)
        assert balance.currency == "USD" and balance.as_of == CLOCK
        assert balance.equity == (
            balance.cash + balance.long_market_value + balance.short_market_value
        )
        assert balance.buying_power >= 0
        if account.account_type == "cash":
            assert balance.buying_power == max(balance.cash, Decimal(0))
        else:
            assert balance.buying_power == max(balance.equity * account.multiplier, Decimal(0))
    assert kinds["short"] >= 1


def test_prices_move_by_day() -> None:
    """Prices are the day's (what is held changes with the fills in between); yesterday's
    close is in today's units, so a split overnight halves or doubles it."""
    world = World(0, CLOCK)
    account_id = world.accounts("alpaca")[0].account_id

    def prices(later: World) -> dict[str, tuple[Decimal, Decimal]]:
        return {
            p.instrument.symbol: (p.market_price, p.lastday_price)
            for p in later.positions(account_id)
        }

    today, later_today = prices(world), prices(world.at(CLOCK + timedelta(hours=5)))
    tomorrow = prices(world.at(CLOCK + DAY))
    both = (today.keys() & tomorrow.keys() & later_today.keys()) - {SPLIT_SYMBOL}
    assert len(both) > 10
    assert all(today[s] == later_today[s] for s in both)
    assert any(today[s][0] != tomorrow[s][0] for s in both)
    assert all(tomorrow[s][1] == today[s][0] for s in both)


def _check_order(order: Order, clock: datetime) -> None:
    assert order.submitted_at <= clock and order.updated_at <= clock
    assert order.submitted_at <= order.updated_at
    assert order.submitted_at.tzinfo is UTC
    assert (order.quantity is None) != (order.notional is None)
    if order.quantity is not None:
        assert 0 <= order.filled_quantity <= order.quantity
    for stamp in (order.filled_at, order.canceled_at, order.expired_at, order.failed_at):
        assert stamp is None or order.submitted_at <= stamp <= order.updated_at
    if order.status == "filled":
        assert order.filled_at is not None and order.filled_avg_price is not None
    if order.status in OPEN_ORDER_STATUSES:
        assert order.canceled_at is order.expired_at is order.failed_at is None


def test_orders_as_of_the_clock() -> None:
    world = World(0, CLOCK)
    for account in world.accounts("alpaca"):
        orders = world.orders(account.account_id)
        assert 80 <= len(orders) <= 170
        assert orders == sorted(orders, key=lambda o: (o.submitted_at, o.order_id))
        assert all(world.since <= o.submitted_at for o in orders)
        for order in orders:
            _check_order(order, CLOCK)


def test_moving_the_clock_creates_orders_and_moves_open_ones() -> None:
    before, after = World(0, CLOCK), World(0, CLOCK).at(CLOCK + DAY)
    new = changed = 0
    for account in before.accounts("alpaca"):
        then = {o.order_id: o for o in before.orders(account.account_id)}
        now = {o.order_id: o for o in after.orders(account.account_id)}
        assert then.keys() <= now.keys()  # nothing disappears
        new += len(now.keys() - then.keys())
        changed += sum(1 for i, o in then.items() if o.is_open and now[i].status != o.status)
        for order in now.values():
            _check_order(order, after.clock)
        assert all(o.submitted_at > CLOCK for i, o in now.items() if i not in then)
    assert new > 0 and changed > 0


def test_orders_submitted_after_the_clock_do_not_exist_yet() -> None:
    later = World(0, CLOCK + 3 * DAY)
    account_id = later.accounts("alpaca")[0].account_id
    future = [o for o in later.orders(account_id) if o.submitted_at > CLOCK]
    assert future
    seen = {o.order_id for o in World(0, CLOCK, since=later.since).orders(account_id)}
    assert not seen & {o.order_id for o in future}


def test_an_order_is_the_same_order_in_every_world_that_shows_it() -> None:
    a = World(0, CLOCK + DAY)
    b = World(0, CLOCK).at(CLOCK + DAY)  # longer history, same instant
    account_id = a.accounts("alpaca")[0].account_id
    by_id = {o.order_id: o for o in b.orders(account_id)}
    assert all(by_id[o.order_id] == o for o in a.orders(account_id))


def test_equal_submission_times_exist() -> None:
    world = World(0, CLOCK)
    for account in world.accounts("alpaca"):
        orders = world.orders(account.account_id)
        counts = Counter(o.submitted_at for o in orders)
        tied = sum(n for n in counts.values() if n > 1)
        assert tied >= 0.05 * len(orders)


def test_bracket_legs_share_their_parents_submission_and_wait_for_its_fill() -> None:
    world = World(0, CLOCK, WorldSizes(orders_per_account=600))
    orders = world.orders(world.accounts("alpaca")[0].account_id)
    by_id = {o.order_id: o for o in orders}
    legs = [o for o in orders if o.parent_order_id and o.order_class == "bracket"]
    assert legs
    for leg in legs:
        parent = by_id[leg.parent_order_id]
        assert leg.order_class == parent.order_class == "bracket"
        assert leg.submitted_at == parent.submitted_at
        assert leg.side != parent.side
        if parent.status != "filled":
            assert leg.status in ("held", "canceled")
        if leg.status == "held":
            assert parent.filled_at is None


def test_spreads_are_multi_leg_orders_whose_legs_live_and_fill_with_them() -> None:
    world = World(0, CLOCK, WorldSizes(orders_per_account=600))
    orders = [o for a in world.accounts("alpaca") for o in world.orders(a.account_id)]
    by_id = {o.order_id: o for o in orders}
    parents = [o for o in orders if o.is_multi_leg_parent]
    assert any(p.limit_price > 0 for p in parents) and any(p.limit_price < 0 for p in parents)
    assert any(leg.ratio_quantity == 2 for leg in orders if leg.order_class == "mleg")
    for leg in (o for o in orders if o.order_class == "mleg" and o.parent_order_id):
        parent = by_id[leg.parent_order_id]
        assert leg.instrument.kind == "option" and leg.order_type == ""
        assert (leg.status, leg.submitted_at, leg.updated_at) == (
            parent.status,
            parent.submitted_at,
            parent.updated_at,
        )
        assert leg.quantity == parent.quantity * leg.ratio_quantity
        assert leg.filled_quantity == parent.filled_quantity * leg.ratio_quantity
    for parent in parents:  # the net price: what the legs' fills add up to, signed
        legs = [o for o in orders if o.parent_order_id == parent.order_id]
        assert len(legs) == 2 and len({leg.instrument.symbol[:-15] for leg in legs}) == 1
        if parent.status == "filled":
            net = sum(
                leg.ratio_quantity * leg.filled_avg_price * (1 if leg.side == "buy" else -1)
                for leg in legs
            )
            assert parent.filled_avg_price == parent.limit_price == net
    snaptrade = [o for a in world.accounts("snaptrade") for o in world.orders(a.account_id)]
    assert snaptrade and not any(o.order_class == "mleg" for o in snaptrade)


def test_an_lct_account_is_valued_in_its_currency_with_usd_figures_beside() -> None:
    world = World(0, CLOCK)
    lct = [a for a in world.broker_accounts() if a.is_lct]
    assert {a.base_currency for a in lct} >= {"JPY", "EUR"}
    account = next(a for a in lct if world.positions(a.account_id))
    (balance,) = world.balances(account.account_id)
    positions = world.positions(account.account_id)
    assert balance.currency == account.base_currency
    assert balance.equity == balance.cash + sum(p.market_value for p in positions)
    for p in positions:
        assert p.currency == account.base_currency and p.usd is not None
        assert p.market_price == p.usd.market_price * p.swap_rate
        assert p.average_cost == p.usd.average_cost * p.avg_entry_swap_rate
    assert any(-p.market_value.as_tuple().exponent > 18 for p in positions)  # past the contract
    orders = world.orders(account.account_id)
    assert orders and {o.instrument.kind for o in orders} <= {"equity", "etf"}
    for o in orders:
        assert o.swap_rate is not None
        if o.filled_avg_price is not None:
            assert o.filled_avg_price == o.usd_filled_avg_price * o.swap_rate
        if o.limit_price is not None:
            assert o.limit_price == o.usd_limit_price * o.swap_rate


def test_margin_accounts_at_interactive_brokers_hold_a_future() -> None:
    world = World(0, CLOCK)
    held = [
        p
        for a in world.accounts("snaptrade")
        if a.institution == "Interactive Brokers" and a.account_type == "margin"
        for p in world.positions(a.account_id)
        if p.instrument.kind == "future"
    ]
    assert held
    for p in held:
        assert p.instrument.multiplier == 50
        assert p.market_value == p.signed_quantity * p.market_price  # per contract


def test_an_account_with_thousands_of_orders() -> None:
    world = World(0, CLOCK, WorldSizes(orders_per_account=10, orders_by_account=(2500,)))
    first, second = (a.account_id for a in world.accounts("alpaca")[:2])
    assert len(world.orders(first)) > 2000
    assert len(world.orders(second)) < 40


def test_a_large_world_serves_its_last_account() -> None:
    """10,000 accounts: the last one reads like the first (how fast a world builds is for
    the benchmarks to measure, not for a test to assert)."""
    world = World(0, CLOCK, WorldSizes(alpaca_accounts=10_000, orders_per_account=200))
    account = world.account(world.accounts("alpaca")[-1].account_id)
    assert len(world.orders(account.account_id)) > 0 or account.status == "closed"


def test_the_alpaca_world_of_a_seed_never_moves() -> None:
    """Adding other brokers' records must not change what an Alpaca seed draws: the
    fingerprint of seed 0 at a fixed clock is pinned (it moved last when positions and
    cash became the sum of each account's ledger, and NVDA began to split)."""
    world = World(0, CLOCK)
    digest = hashlib.sha256()
    for a in world.accounts("alpaca"):
        positions = [
            (p.instrument.symbol, p.quantity, p.market_value, p.cost_basis)
            for p in world.positions(a.account_id)
        ]
        orders = [
            (o.order_id, o.status, o.instrument.symbol, o.quantity, o.limit_price, o.updated_at,
             o.filled_avg_price)
            for o in world.orders(a.account_id)
        ]  # fmt: skip
        digest.update(repr((a, positions, world.balances(a.account_id), orders)).encode())
    assert digest.hexdigest() == (
        "fc80f5e249bb56ac359c3c0b5c7a8c23e53d9d2da2243aee41565ace6a400882"
    )
