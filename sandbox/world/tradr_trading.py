"""What a TradrAPI account holds and did: open positions (several per symbol, as MT
platforms keep them), pending orders, closed trades, balance operations, and the balance
they add up to.

Long-held positions (opened before the world's history) and pending orders are fixed per
account; trades lie on an absolute timeline, drawn per day, each open from its opening
to its closing (an open position meanwhile, with the platform's ticket), so moving the
clock opens and closes positions and adds history without rewriting it. Everything is
valued at the clock's day. Every identity is exact: balance = operations + closed trades'
net results, equity = balance + credit + open positions' net P&L.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from functools import lru_cache

from sandbox.world.randomness import decimal_between, rng
from sandbox.world.tradr_accounts import Style, TradrAccountRecord
from sandbox.world.tradr_model import (
    TRADR,
    CfdSymbol,
    TradrAccount,
    TradrBalance,
    TradrOrder,
    TradrPosition,
    TradrTrade,
    TradrTransaction,
)
from sandbox.world.tradr_symbols import CENT, SYMBOLS, convert, quote_on, tick

ZERO = Decimal("0.00")
COMMISSION_PER_LOT = Decimal("3.50")  # each side; MT4 accounts trade commission-free
ORDER_TYPES = (
    "BUY_LIMIT", "SELL_LIMIT", "BUY_STOP", "SELL_STOP", "BUY_STOP_LIMIT", "SELL_STOP_LIMIT",
)  # fmt: skip
# Ticket ranges within an account (tickets are the platform's ids, unique per account).
POSITION_TICKETS, ORDER_TICKETS, TRADE_TICKETS, CASH_TICKETS = 0, 200_000, 400_000, 900_000
TRADES_PER_DAY_CAP = 20
_SYMBOL_NAMES = tuple(SYMBOLS)


def _ticket(account: TradrAccount, offset: int) -> str:
    return str((account.account_id % 1_000_000) * 1_000_000 + offset)


def _near(r: random.Random, symbol: CfdSymbol, price: Decimal, spread: float) -> Decimal:
    """A price within `spread` (a fraction) of `price`, on the symbol's tick."""
    factor = Decimal(f"{1 + r.uniform(-spread, spread):.6f}")
    return (price * factor).quantize(tick(symbol), rounding=ROUND_HALF_EVEN)


def _shifted(symbol: CfdSymbol, price: Decimal, fraction: str) -> Decimal:
    return (price * (1 + Decimal(fraction))).quantize(tick(symbol), rounding=ROUND_HALF_EVEN)


def _commission(account: TradrAccount, volume: Decimal) -> Decimal:
    if account.platform == "MT4":
        return ZERO
    return -(volume * COMMISSION_PER_LOT).quantize(CENT, rounding=ROUND_HALF_EVEN)


def _pnl(
    seed: int, account: TradrAccount, symbol: CfdSymbol, side: str, volume: Decimal,
    open_price: Decimal, close_price: Decimal, day: date,
) -> Decimal:  # fmt: skip
    direction = 1 if side == "BUY" else -1
    move = (close_price - open_price) * direction * volume * symbol.contract_size
    return convert(seed, move, symbol.quote, account.currency, day)


def _position_count(
    r: random.Random, record: TradrAccountRecord, per_account: int, busy: int
) -> int:
    if record.style == Style.DORMANT or record.account.status != "ACTIVE":
        return 0
    if record.style == Style.BUSY:
        return busy
    return r.randint(per_account // 2, per_account + per_account // 2)


@dataclass(frozen=True, slots=True)
class _Held:
    """An open position independent of the day's price."""

    index: int
    ticket: str
    symbol: CfdSymbol
    side: str
    volume: Decimal
    open_price: Decimal
    stop_loss: Decimal | None
    take_profit: Decimal | None
    swap: Decimal
    opened_at: datetime


@lru_cache(maxsize=1024)
def _held(
    seed: int, record: TradrAccountRecord, per_account: int, busy: int, since: datetime
) -> tuple[_Held, ...]:
    """The account's open positions, independent of the day's price."""
    account = record.account
    r = rng(seed, TRADR, account.account_id, "positions")
    count = _position_count(r, record, per_account, busy)
    traded = r.sample(_SYMBOL_NAMES, k=min(len(_SYMBOL_NAMES), max(1, count // 2)))
    held = []
    for index in range(count):
        symbol = SYMBOLS[r.choice(traded)]
        side = r.choice(("BUY", "SELL"))
        volume = decimal_between(r, Decimal("0.01"), Decimal("2.00"), 2)
        opened_at = since - timedelta(seconds=r.randrange(1, 20 * 86_400))
        open_price = _near(r, symbol, quote_on(seed, symbol.name, opened_at.date()), 0.002)
        up, down = ("0.03", "-0.02") if side == "BUY" else ("-0.03", "0.02")
        stop_loss = _shifted(symbol, open_price, down) if r.random() < 0.5 else None
        take_profit = _shifted(symbol, open_price, up) if r.random() < 0.5 else None
        swap = (volume * Decimal(f"{r.uniform(-8, 2):.2f}")).quantize(CENT)
        ticket = _ticket(account, POSITION_TICKETS + index)
        held.append(
            _Held(index, ticket, symbol, side, volume, open_price, stop_loss, take_profit, swap,
                  opened_at.replace(microsecond=0))
        )  # fmt: skip
    return tuple(held)


def positions(
    seed: int,
    record: TradrAccountRecord,
    per_account: int,
    busy: int,
    daily: float,
    since: datetime,
    clock: datetime,
) -> list[TradrPosition]:
    """Open positions valued at the clock's day, by TradrAPI id: the long-held ones and
    the trades open at the clock."""
    account = record.account
    day = clock.date()
    result = []
    for held in _held(seed, record, per_account, busy, since):
        current = quote_on(seed, held.symbol.name, day)
        profit = _pnl(
            seed, account, held.symbol, held.side, held.volume, held.open_price, current, day
        )
        result.append(
            TradrPosition(
                position_id=account.account_id * 100_000 + held.index,
                ticket=held.ticket,
                account_id=account.account_id,
                symbol=held.symbol,
                side=held.side,
                volume=held.volume,
                open_price=held.open_price,
                current_price=current,
                stop_loss=held.stop_loss,
                take_profit=held.take_profit,
                profit=profit,
                swap=held.swap,
                commission=_commission(account, held.volume),
                opened_at=held.opened_at,
            )
        )
    for trade in open_trades(seed, record, daily, since, clock):
        current = quote_on(seed, trade.symbol.name, day)
        nights = (day - trade.opened_at.date()).days
        result.append(
            TradrPosition(
                position_id=int(trade.ticket),  # apart from the long-held ones' ids
                ticket=trade.ticket,
                account_id=account.account_id,
                symbol=trade.symbol,
                side=trade.side,
                volume=trade.volume,
                open_price=trade.open_price,
                current_price=current,
                stop_loss=trade.stop_loss,
                take_profit=trade.take_profit,
                profit=_pnl(seed, account, trade.symbol, trade.side, trade.volume,
                            trade.open_price, current, day),
                swap=_swap(trade.volume, nights),
                commission=_commission(account, trade.volume),
                opened_at=trade.opened_at,
            )
        )  # fmt: skip
    return sorted(result, key=lambda p: p.position_id)


@lru_cache(maxsize=1024)
def pending_orders(
    seed: int, record: TradrAccountRecord, since: datetime
) -> tuple[TradrOrder, ...]:
    """Orders waiting for their price, by TradrAPI id."""
    account = record.account
    if record.style == Style.DORMANT or account.status != "ACTIVE":
        return ()
    r = rng(seed, TRADR, account.account_id, "orders")
    orders = []
    for index in range(r.randint(0, 5)):
        symbol = SYMBOLS[r.choice(_SYMBOL_NAMES)]
        order_type = r.choice(ORDER_TYPES)
        created_at = (since - timedelta(seconds=r.randrange(1, 10 * 86_400))).replace(microsecond=0)
        market = quote_on(seed, symbol.name, created_at.date())
        above = order_type in {"SELL_LIMIT", "BUY_STOP", "BUY_STOP_LIMIT"}
        distance = f"{r.uniform(0.005, 0.03):.4f}"
        open_price = _shifted(symbol, market, distance if above else f"-{distance}")
        stop_limit = None
        if order_type.endswith("STOP_LIMIT"):
            stop_limit = _shifted(symbol, open_price, "0.002" if above else "-0.002")
        buy = order_type.startswith("BUY")
        stop_loss = _shifted(symbol, open_price, "-0.02" if buy else "0.02")
        take_profit = _shifted(symbol, open_price, "0.04" if buy else "-0.04")
        expiration = created_at + timedelta(days=r.randint(60, 120))
        updated_at = created_at + timedelta(minutes=r.randint(5, 3000))
        orders.append(
            TradrOrder(
                order_id=account.account_id * 100_000 + 50_000 + index,
                ticket=_ticket(account, ORDER_TICKETS + index),
                account_id=account.account_id,
                symbol=symbol,
                type=order_type,
                volume=decimal_between(r, Decimal("0.01"), Decimal("3.00"), 2),
                open_price=open_price,
                stop_limit_price=stop_limit,
                stop_loss=stop_loss if r.random() < 0.6 else None,
                take_profit=take_profit if r.random() < 0.4 else None,
                expiration=expiration if r.random() < 0.3 else None,
                created_at=created_at,
                updated_at=updated_at if r.random() < 0.3 else created_at,
            )
        )
    return tuple(orders)


@lru_cache(maxsize=16384)
def _trades_on(
    seed: int, record: TradrAccountRecord, day: date, daily: float
) -> tuple[TradrTrade, ...]:
    """Trades opened on `day` (some close days later), drawn from the day's own stream."""
    account = record.account
    if record.style == Style.DORMANT or daily <= 0:
        return ()
    r = rng(seed, TRADR, account.account_id, "trades", day.isoformat())
    count = min(TRADES_PER_DAY_CAP, int(daily) + (1 if r.random() < daily % 1 else 0))
    start = datetime(day.year, day.month, day.day, tzinfo=account.created_at.tzinfo)
    trades = []
    for number in range(count):
        symbol = SYMBOLS[r.choice(_SYMBOL_NAMES)]
        side = r.choice(("BUY", "SELL"))
        volume = decimal_between(r, Decimal("0.01"), Decimal("1.00"), 2)
        opened_at = start + timedelta(seconds=r.randrange(86_400))
        closed_at = opened_at + timedelta(seconds=r.randrange(300, 2 * 86_400))
        open_price = _near(r, symbol, quote_on(seed, symbol.name, opened_at.date()), 0.003)
        close_price = _near(r, symbol, quote_on(seed, symbol.name, closed_at.date()), 0.003)
        nights = (closed_at.date() - opened_at.date()).days
        target = _shifted(symbol, open_price, "0.01" if side == "BUY" else "-0.01")
        profit = _pnl(
            seed, account, symbol, side, volume, open_price, close_price, closed_at.date()
        )
        ticket_offset = TRADE_TICKETS + (day.toordinal() - 738_000) * TRADES_PER_DAY_CAP + number
        trades.append(
            TradrTrade(
                ticket=_ticket(account, ticket_offset),
                account_id=account.account_id,
                server_id=account.server_id,
                symbol=symbol,
                side=side,
                volume=volume,
                open_price=open_price,
                close_price=close_price,
                stop_loss=None,
                take_profit=target if r.random() < 0.3 else None,
                profit=profit,
                swap=_swap(volume, nights),
                commission=2 * _commission(account, volume),
                opened_at=opened_at,
                closed_at=closed_at,
            )
        )
    return tuple(trades)


def _swap(volume: Decimal, nights: int) -> Decimal:
    """Overnight financing: charged for every night a position is held."""
    return -(volume * nights * Decimal("1.20")).quantize(CENT)


def _trades(
    seed: int, record: TradrAccountRecord, daily: float, since: datetime, clock: datetime
) -> Iterator[TradrTrade]:
    """Trades opened from two days before the history (the longest a trade lasts) to the
    clock, each one once."""
    if daily <= 0 or clock < since:
        return
    day, last = (since - timedelta(days=2)).date(), clock.date()
    while day <= last:
        yield from _trades_on(seed, record, day, daily)
        day += timedelta(days=1)


def closed_trades(
    seed: int, record: TradrAccountRecord, daily: float, since: datetime, clock: datetime
) -> list[TradrTrade]:
    """Trades closed in [since, clock], by (closed_at, ticket)."""
    found = [t for t in _trades(seed, record, daily, since, clock) if since <= t.closed_at <= clock]
    return sorted(found, key=lambda t: (t.closed_at, t.ticket))


def open_trades(
    seed: int, record: TradrAccountRecord, daily: float, since: datetime, clock: datetime
) -> list[TradrTrade]:
    """Trades open at the clock (opened at or before it, closing after it), by (opened_at,
    ticket): positions until they close."""
    found = [
        t for t in _trades(seed, record, daily, since, clock) if t.opened_at <= clock < t.closed_at
    ]
    return sorted(found, key=lambda t: (t.opened_at, t.ticket))


@lru_cache(maxsize=4096)
def _deposit(seed: int, record: TradrAccountRecord) -> TradrTransaction:
    account = record.account
    r = rng(seed, TRADR, account.account_id, "deposit")
    amount = (
        Decimal("0.1")
        if record.style == Style.DORMANT
        else decimal_between(r, Decimal(5_000), Decimal(100_000), 2)
    )
    return _transaction(account, 0, "add", amount, "Initial deposit", account.created_at)


def _transaction(
    account: TradrAccount, number: int, operation: str, amount: Decimal, comment: str, at: datetime
) -> TradrTransaction:
    return TradrTransaction(
        transaction_id=account.account_id * 100_000 + 90_000 + number,
        account_id=account.account_id,
        server_id=account.server_id,
        group_id=account.group_id,
        ticket=_ticket(account, CASH_TICKETS + number),
        amount=amount,
        currency=account.currency,
        operation=operation,
        comment=comment,
        reference_id=f"ref-{account.account_id}-{number}",
        created_at=at,
    )


def transactions(
    seed: int, record: TradrAccountRecord, since: datetime, clock: datetime
) -> list[TradrTransaction]:
    """Balance operations up to the clock: the opening deposit, then occasional deposits
    and withdrawals in [since, clock], by (created_at, id)."""
    account = record.account
    if account.created_at > clock:
        return []
    found = [_deposit(seed, record)]
    if record.style != Style.DORMANT:
        day = since.date()
        while day <= clock.date():
            r = rng(seed, TRADR, account.account_id, "cash", day.isoformat())
            if r.random() < 0.06:
                at = datetime(day.year, day.month, day.day, tzinfo=since.tzinfo) + timedelta(
                    seconds=r.randrange(86_400)
                )
                deposit = r.random() < 0.6
                amount = decimal_between(r, Decimal(100), Decimal(3_000), 2)
                number = day.toordinal() - 738_000
                operation, comment = ("add", "Deposit") if deposit else ("sub", "Withdrawal")
                if since <= at <= clock:
                    found.append(_transaction(account, number, operation, amount, comment, at))
            day += timedelta(days=1)
    return sorted(found, key=lambda t: (t.created_at, t.transaction_id))


def credit(seed: int, record: TradrAccountRecord) -> Decimal:
    """Bonus money some real accounts carry (not withdrawable)."""
    account = record.account
    r = rng(seed, TRADR, account.account_id, "credit")
    if record.style != Style.REGULAR or account.server_type != "real" or r.random() >= 0.3:
        return ZERO
    return r.choice((Decimal("100.00"), Decimal("250.00")))


def balance(
    seed: int,
    record: TradrAccountRecord,
    held: list[TradrPosition],
    trades: list[TradrTrade],
    operations: list[TradrTransaction],
    day: date,
) -> TradrBalance:
    account = record.account
    cash = sum((t.signed for t in operations), Decimal(0)) + sum(
        (t.net for t in trades), Decimal(0)
    )
    net_pnl = sum((p.net for p in held), ZERO)
    bonus = credit(seed, record)
    equity = cash + bonus + net_pnl
    margin = sum(
        (
            convert(seed, p.volume * p.symbol.contract_size * p.open_price / account.leverage,
                    p.symbol.quote, account.currency, day)
            for p in held
        ),
        ZERO,
    )  # fmt: skip
    free_margin = equity - margin
    return TradrBalance(
        account_id=account.account_id,
        currency=account.currency,
        balance=cash,
        equity=equity,
        withdrawable=max(ZERO, min(cash, free_margin - bonus)),
        credit=bonus,
        margin=margin,
        free_margin=free_margin,
        net_pnl=net_pnl,
        lifetime_pnl=sum((t.net for t in trades), ZERO) + net_pnl,
    )
