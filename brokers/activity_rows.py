"""What every broker's activities share on their way to canonical rows: the rows' shape,
an instrument's type told from its symbol where the API names none, the cash of a trade
the API gives only as units and a price, and the legs of a transfer paired up.

An activity's `quantity` is the units it moved (null when none moved: a dividend's
entitled units are not a movement), signed positive into the account; `amount` the cash
it moved, signed the same way.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from schemas import ActivityStatus, ActivityType, InstrumentType

CENT = Decimal("0.01")
# OCC: root (1-6 characters), yymmdd, C or P, strike x 1000 in 8 digits (padding optional).
OCC_OPTION = re.compile(r"^[A-Z.]{1,6}\s*\d{6}[CP]\d{8}$")
COLUMNS = (
    "account_id", "activity_id", "activity_type", "raw_type", "raw_subtype", "status",
    "raw_status", "occurred_at", "trade_date", "settle_date", "symbol", "instrument_type",
    "raw_instrument_type", "quantity", "price", "amount", "currency", "fee", "fx_rate",
    "order_id", "related_activity_id", "description",
)  # fmt: skip


def activity_row(
    *,
    account_id: str,
    activity_id: str,
    activity_type: ActivityType,
    occurred_at: datetime | None,
    **columns: Any,
) -> dict[str, Any]:
    """A canonical row: the columns given, the rest null; executed unless said."""
    unknown = set(columns) - set(COLUMNS)
    if unknown:
        raise KeyError(f"activities: columns not in the contract: {sorted(unknown)}")
    row = dict.fromkeys(COLUMNS)
    row.update(
        account_id=account_id,
        activity_id=activity_id,
        activity_type=activity_type.value,
        status=ActivityStatus.EXECUTED.value,
        occurred_at=occurred_at,
        trade_date=None if occurred_at is None else occurred_at.date(),
    )
    row.update(columns)
    return row


def symbol_type(symbol: str | None) -> str | None:
    """An instrument's type told from its symbol, where the API gives none: an OCC
    option symbol, a crypto pair (`BASE/QUOTE`), else an equity."""
    if not symbol:
        return None
    if OCC_OPTION.match(symbol):
        return InstrumentType.OPTION.value
    if "/" in symbol:
        return InstrumentType.CRYPTO.value
    return InstrumentType.EQUITY.value


def trade_cash(units: Decimal | None, price: Decimal | None) -> Decimal | None:
    """The cash a trade of signed `units` at `price` moved: the opposite of its value,
    rounded half to even to the cent, as brokers book it."""
    if units is None or price is None:
        return None
    return -(units * price).quantize(CENT, rounding=ROUND_HALF_EVEN)


def signed(value: Decimal | None, sign: int) -> Decimal | None:
    """`value`'s size with the given sign (an API that writes a sale's units either way)."""
    return None if value is None else abs(value) * sign


def pair_legs(grouped: Iterable[tuple[dict[str, Any], object]]) -> None:
    """Each row whose group (given beside it) it shares with exactly one other row points
    at that row (`related_activity_id`): the two legs of a transfer, a journal or a split."""
    groups: dict[object, list[dict[str, Any]]] = defaultdict(list)
    for row, key in grouped:
        if key is not None:
            groups[key].append(row)
    for legs in groups.values():
        if len(legs) == 2:
            first, second = legs
            first["related_activity_id"] = second["activity_id"]
            second["related_activity_id"] = first["activity_id"]
