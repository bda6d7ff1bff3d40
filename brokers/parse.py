"""Exact parsing of the values brokers send: decimals without a float round trip, and
timestamps (offsets, 'Z', nanoseconds) to UTC microseconds."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_EVEN, Context, Decimal, InvalidOperation
from typing import Any

MAX_SCALE = 18  # the contract's Decimal(38, 18): 18 decimal places...
MAX_INTEGER_DIGITS = 20  # ...and 20 integer digits
_QUANTUM = Decimal(1).scaleb(-MAX_SCALE)
# Wide enough to round any value that fits (38 digits) without the context's own rounding.
_ROUNDING = Context(prec=MAX_SCALE + MAX_INTEGER_DIGITS + 2, rounding=ROUND_HALF_EVEN)
_FRACTION = re.compile(r"(\.\d{6})\d+")


class ParseError(ValueError):
    """A value that is not what its field must hold; keeps the value, so the record's
    quarantine can say which field held it."""

    def __init__(self, message: str, value: object) -> None:
        super().__init__(message)
        self.value = value


def required(record: Mapping[str, Any], field: str) -> str:
    """A field no row goes without, as text: KeyError when it is absent or null alike
    (a reading of columns cannot tell the two apart, nor should the rows)."""
    value = record[field]
    if value is None:
        raise KeyError(field)
    return str(value)


def to_decimal(value: object) -> Decimal | None:
    """A JSON string or number as an exact Decimal; None stays None, '' is None.

    A value with more than 18 decimal places is rounded to 18, half to even (the
    contract's scale; polars' cast rounds the same way, so every reading agrees). Raises
    ParseError for text that is not a number, and for a number that cannot fit the
    contract at all (more than 20 integer digits).
    """
    if value is None or value == "":
        return None
    if type(value) is str:  # the common case, first: a broker's decimal string
        try:
            number = Decimal(value)
        except InvalidOperation:
            raise ParseError(f"not a decimal: {value!r}", value) from None
        if len(value) < 20 and number.is_finite() and "e" not in value and "E" not in value:
            return number  # too short to hold more than 18 places or 20 integer digits
        return _fitted(number, value)
    if isinstance(value, bool):
        raise ParseError(f"not a decimal: {value!r}", value)
    if isinstance(value, float):
        value = repr(value)  # the shortest text that reads back as this float
    try:
        number = Decimal(str(value).strip()) if not isinstance(value, Decimal) else value
    except InvalidOperation:
        raise ParseError(f"not a decimal: {value!r}", value) from None
    return _fitted(number, value)


def _fitted(number: Decimal, value: object) -> Decimal:
    """`number` within the contract's Decimal(38, 18): rounded half to even to 18 places;
    ParseError if it is not finite or has more than 20 integer digits."""
    if not number.is_finite():
        raise ParseError(f"not a finite decimal: {value!r}", value)
    too_wide = ParseError(
        f"{value!r} has more than {MAX_INTEGER_DIGITS} integer digits "
        f"(the contract holds Decimal(38, {MAX_SCALE}))",
        value,
    )
    if number.adjusted() >= MAX_INTEGER_DIGITS:
        raise too_wide
    exponent = number.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > MAX_SCALE:
        number = number.quantize(_QUANTUM, context=_ROUNDING)
        if number.adjusted() >= MAX_INTEGER_DIGITS:  # 99...9.9999 rounded up past the edge
            raise too_wide
    return number


def to_utc(value: object) -> datetime | None:
    """An RFC 3339 / ISO 8601 timestamp as a UTC datetime, truncated to microseconds.

    Naive values are taken as UTC (what the brokers mean when they omit the offset); a plain
    date is its midnight UTC.
    """
    if value is None or value == "":
        return None
    if type(value) is str:
        try:  # RFC 3339 as most brokers send it (Python reads 'Z' and nanoseconds)
            parsed = datetime.fromisoformat(value)
        except ValueError:
            parsed = _timestamp(value)
    elif isinstance(value, datetime):
        parsed = value
    elif isinstance(value, date):
        parsed = datetime(value.year, value.month, value.day)
    else:
        parsed = _timestamp(value)
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _timestamp(value: object) -> datetime:
    """ISO text of any precision (digits past microseconds dropped) and stray spaces."""
    text = _FRACTION.sub(r"\1", str(value).strip())
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise ParseError(f"not a timestamp: {value!r}", value) from None


def rfc3339(moment: datetime) -> str:
    """UTC, microseconds, 'Z': the form every broker accepts in query parameters."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def mask_account_number(number: object) -> str | None:
    """Only the last four characters of an account number are ever kept."""
    if number is None:
        return None
    text = str(number).strip()
    return f"****{text[-4:]}" if text else None
