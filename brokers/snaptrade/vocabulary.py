"""SnapTrade's vocabularies mapped to the canonical enums. Unknown values map to `other`
(the raw value is kept beside them by the normalizer)."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from schemas import (
    AccountStatus,
    AccountType,
    InstrumentType,
    OrderSide,
    OrderStatus,
    OrderType,
    TimeInForce,
)


def squashed(mapping: Mapping[str, StrEnum]) -> dict[str, StrEnum]:
    return {squash(key): value for key, value in mapping.items()}


def squash(value: object) -> str:
    """'Stop Limit', 'STOP_LIMIT' and 'StopLimit' all read as 'stoplimit'."""
    return "".join(ch for ch in str(value).lower() if ch.isalnum())


def lookup(mapping: Mapping[str, StrEnum], raw: object, default: StrEnum) -> str:
    """The canonical value of a free-string field, or `default` (`other`) when unknown."""
    if raw is None:
        return default.value
    return mapping.get(squash(raw), default).value


# Account.status
ACCOUNT_STATUS = squashed(
    {
        "open": AccountStatus.OPEN,
        "closed": AccountStatus.CLOSED,
        "archived": AccountStatus.CLOSED,
    }
)

# Account.raw_type is the brokerage's own name for the account; compared squashed.
ACCOUNT_TYPE = squashed(
    {
        "margin": AccountType.MARGIN,
        "cash": AccountType.CASH,
        "individual": AccountType.CASH,
        "crypto": AccountType.CRYPTO,
        **dict.fromkeys(
            (
                "ira",
                "rothira",
                "traditionalira",
                "rolloverira",
                "sepira",
                "simpleira",
                "401k",
                "403b",
                "rrsp",
                "spousalrrsp",
                "rrif",
                "lira",
                "lif",
            ),
            AccountType.RETIREMENT,
        ),
    }
)

# AccountPosition.instrument.kind, and UniversalSymbol.type.code for orders.
INSTRUMENT_KIND = squashed(
    {
        "stock": InstrumentType.EQUITY,
        "adr": InstrumentType.EQUITY,
        "etf": InstrumentType.ETF,
        "mutualfund": InstrumentType.FUND,
        "cef": InstrumentType.FUND,
        "option": InstrumentType.OPTION,
        "crypto": InstrumentType.CRYPTO,
        "future": InstrumentType.FUTURE,
        "cfd": InstrumentType.CFD,
    }
)
SECURITY_TYPE = squashed(
    {
        "cs": InstrumentType.EQUITY,
        "ad": InstrumentType.EQUITY,
        "ps": InstrumentType.EQUITY,
        "et": InstrumentType.ETF,
        "oef": InstrumentType.FUND,
        "cef": InstrumentType.FUND,
        "bnd": InstrumentType.BOND,
        "crypto": InstrumentType.CRYPTO,
        "fut": InstrumentType.FUTURE,
    }
)

# AccountOrderRecordStatus: all twenty.
ORDER_STATUS = squashed(
    {
        "NONE": OrderStatus.OTHER,
        "PENDING": OrderStatus.PENDING,
        "ACCEPTED": OrderStatus.OPEN,
        "FAILED": OrderStatus.REJECTED,
        "REJECTED": OrderStatus.REJECTED,
        "CANCELED": OrderStatus.CANCELED,
        "PARTIAL_CANCELED": OrderStatus.CANCELED,
        "CANCEL_PENDING": OrderStatus.OPEN,
        "EXECUTED": OrderStatus.FILLED,
        "PARTIAL": OrderStatus.PARTIALLY_FILLED,
        "REPLACE_PENDING": OrderStatus.OPEN,
        "REPLACED": OrderStatus.REPLACED,
        "STOPPED": OrderStatus.OPEN,
        "SUSPENDED": OrderStatus.OPEN,
        "EXPIRED": OrderStatus.EXPIRED,
        "QUEUED": OrderStatus.PENDING,
        "TRIGGERED": OrderStatus.OPEN,
        "ACTIVATED": OrderStatus.OPEN,
        "PENDING_RISK_REVIEW": OrderStatus.PENDING,
        "CONTINGENT_ORDER": OrderStatus.PENDING,
    }
)

# `action` is a free string; these are the documented values.
ORDER_ACTION = squashed(
    {
        "BUY": OrderSide.BUY,
        "SELL": OrderSide.SELL,
        "SELL_SHORT": OrderSide.SELL_SHORT,
        "BUY_COVER": OrderSide.BUY_TO_COVER,
        "BUY_OPEN": OrderSide.BUY,
        "BUY_TO_OPEN": OrderSide.BUY,
        "BUY_CLOSE": OrderSide.BUY_TO_COVER,
        "BUY_TO_CLOSE": OrderSide.BUY_TO_COVER,
        "SELL_OPEN": OrderSide.SELL_SHORT,
        "SELL_TO_OPEN": OrderSide.SELL_SHORT,
        "SELL_CLOSE": OrderSide.SELL,
        "SELL_TO_CLOSE": OrderSide.SELL,
    }
)

# `order_type` and `time_in_force` are free strings; compared case- and separator-blind.
ORDER_TYPE = squashed(
    {
        "market": OrderType.MARKET,
        "limit": OrderType.LIMIT,
        "stop": OrderType.STOP,
        "stoplimit": OrderType.STOP_LIMIT,
        "stoploss": OrderType.STOP,
        "trailingstop": OrderType.TRAILING_STOP,
        # Interactive Brokers' own spellings, passed through by SnapTrade
        "mkt": OrderType.MARKET,
        "lmt": OrderType.LIMIT,
        "stp": OrderType.STOP,
        "stplmt": OrderType.STOP_LIMIT,
        "trail": OrderType.TRAILING_STOP,
    }
)
TIME_IN_FORCE = squashed(
    {
        "day": TimeInForce.DAY,
        "gtc": TimeInForce.GTC,
        "fok": TimeInForce.FOK,
        "ioc": TimeInForce.IOC,
        "gtd": TimeInForce.GTD,
        "moo": TimeInForce.OPG,
        "opg": TimeInForce.OPG,
        "cls": TimeInForce.CLS,
        "moc": TimeInForce.CLS,
    }
)
