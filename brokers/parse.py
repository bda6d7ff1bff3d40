"""Exact parsing of the values brokers send: decimals without a float round trip, and
timestamps (offsets, 'Z', nanoseconds) to UTC microseconds."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

MAX_SCALE = 18  # the contract's Decimal(38, 18)
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

    Raises ValueError for text that is not a number or needs more than 18 decimal places
    (the contract would have to round it).
    """
    if value is None or value == "":
        return None
    if type(value) is str:  # the common case, first: a broker's decimal string
        try:
            number = Decimal(value)
        except InvalidOperation:
            raise ParseError(f"not a decimal: {value!r}", value) from None
        if len(value) < 20 and number.is_finite() and "e" not in value and "E" not in value:
            return number  # too short to hold more than 18 decimal places
        return _checked(number, value)
    if isinstance(value, bool):
        raise ParseError(f"not a decimal: {value!r}", value)
    if isinstance(value, float):
        value = repr(value)  # the shortest text that reads back as this float
    try:
        number = Decimal(str(value).strip()) if not isinstance(value, Decimal) else value
    except InvalidOperation:
        raise ParseError(f"not a decimal: {value!r}", value) from None
    return _checked(number, value)


def _checked(number: Decimal, value: object) -> Decimal:
    """`number`, if finite and exact within the contract's scale."""
    if not number.is_finite():
        raise ParseError(f"not a finite decimal: {value!r}", value)
    exponent = number.as_tuple().exponent
    if (
        isinstance(exponent, int)
        and -exponent > MAX_SCALE
        and number != number.quantize(Decimal(1).scaleb(-MAX_SCALE))
    ):
        raise ParseError(f"{value!r} has more than {MAX_SCALE} decimal places", value)
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
