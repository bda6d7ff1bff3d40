"""Alpaca's wire conventions: decimals as strings, RFC 3339 timestamps with nanoseconds.

The world knows times to the microsecond. Order timestamps go out with nine fractional
digits: the microseconds followed by three extra nanosecond digits. The extra digits are
a fixed function of (account, microsecond instant), so orders that share a submitted_at
in the world (batches, bracket legs) share it to the nanosecond on the wire too, and the
nanosecond order of any two timestamps is their microsecond order.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from functools import lru_cache

from sandbox.world.randomness import stable_int

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)
SECOND = timedelta(seconds=1)


def decimal_text(value: Decimal) -> str:
    """A decimal as Alpaca writes it: plain notation, no trailing zeros ("150", "0.5")."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def optional_decimal(value: Decimal | None) -> str | None:
    return None if value is None else decimal_text(value)


@lru_cache(maxsize=16384)
def _extra_nanos(account_id: str, epoch_us: int) -> int:
    return stable_int("ns", account_id, epoch_us) % 1000


def epoch_micros(moment: datetime) -> int:
    return (moment - EPOCH) // MICROSECOND


def order_nanos(account_id: str, moment: datetime) -> int:
    """The instant as rendered on the wire, in nanoseconds since the epoch."""
    micros = epoch_micros(moment)
    return micros * 1000 + _extra_nanos(account_id, micros)


def order_timestamp(account_id: str, moment: datetime | None) -> str | None:
    """An order timestamp with nine fractional digits, in UTC ('Z')."""
    if moment is None:
        return None
    moment = moment.astimezone(UTC)
    extra = _extra_nanos(account_id, epoch_micros(moment))
    return f"{moment:%Y-%m-%dT%H:%M:%S}.{moment.microsecond:06d}{extra:03d}Z"


def utc_timestamp(moment: datetime) -> str:
    """RFC 3339 in UTC with 'Z', fractions only when there are any."""
    text = moment.astimezone(UTC).isoformat()
    return text.removesuffix("+00:00") + "Z"


def offset_timestamp(moment: datetime, hours: int) -> str:
    """The instant written at a fixed UTC offset (e.g. -05:00)."""
    return moment.astimezone(timezone(timedelta(hours=hours))).isoformat()


_QUERY_TIME = re.compile(
    r"^(?P<date>\d{4}-\d{2}-\d{2})"
    r"(?:[Tt ](?P<h>\d{2}):(?P<m>\d{2})(?::(?P<s>\d{2})(?:[.,](?P<frac>\d+))?)?"
    r"(?:(?P<z>[Zz])|(?P<sign>[+\- ])(?P<oh>\d{2}):?(?P<om>\d{2})?)?)?$"
)


def parse_query_time(text: str) -> int:
    """A query timestamp as nanoseconds since the epoch.

    Accepts RFC 3339 with or without fractions (up to nine digits are kept) and offsets,
    a timestamp without an offset (UTC), and a plain date (midnight UTC). A '+' that a
    client left unencoded arrives as a space and is read as '+'. ValueError otherwise.
    """
    match = _QUERY_TIME.match(text.strip())
    if match is None:
        raise ValueError(text)
    day = date.fromisoformat(match["date"])
    offset = timedelta(0)
    if match["sign"]:
        offset = timedelta(hours=int(match["oh"]), minutes=int(match["om"] or 0))
        if match["sign"] == "-":
            offset = -offset
    if offset >= timedelta(days=1):
        raise ValueError(text)
    moment = datetime(
        day.year,
        day.month,
        day.day,
        int(match["h"] or 0),
        int(match["m"] or 0),
        int(match["s"] or 0),
        tzinfo=timezone(offset),
    )
    fraction = (match["frac"] or "")[:9].ljust(9, "0")
    return (moment - EPOCH) // SECOND * 1_000_000_000 + int(fraction)
