"""Canonical enums: closed sets that end in `other`.

A broker value that maps to none of them lands as `other`, and the broker's own value is
kept beside it in a `raw_*` column, so a new value never breaks a run and never loses
information.
"""

from enum import StrEnum


class CanonicalEnum(StrEnum):
    """A closed set of canonical values; `other` catches what no mapping knows."""

    @classmethod
    def values(cls) -> list[str]:
        return [member.value for member in cls]


class UserKind(CanonicalEnum):
    BROKER = "broker"  # the API has users of its own
    DERIVED = "derived"  # derived from a key or an account
    OTHER = "other"


class ConnectionType(CanonicalEnum):
    READ = "read"
    TRADE = "trade"
    OTHER = "other"


class ConnectionStatus(CanonicalEnum):
    ACTIVE = "active"
    DISABLED = "disabled"
    OTHER = "other"


class AccountType(CanonicalEnum):
    CASH = "cash"
    MARGIN = "margin"
    RETIREMENT = "retirement"
    CRYPTO = "crypto"
    CFD = "cfd"
    OTHER = "other"


class AccountStatus(CanonicalEnum):
    OPEN = "open"
    PENDING = "pending"
    RESTRICTED = "restricted"
    CLOSED = "closed"
    OTHER = "other"


class InstrumentType(CanonicalEnum):
    EQUITY = "equity"
    ETF = "etf"
    FUND = "fund"
    OPTION = "option"
    CRYPTO = "crypto"
    CFD = "cfd"
    FX = "fx"
    BOND = "bond"
    FUTURE = "future"
    OTHER = "other"


class PositionSide(CanonicalEnum):
    LONG = "long"
    SHORT = "short"
    OTHER = "other"


class OrderSide(CanonicalEnum):
    BUY = "buy"
    SELL = "sell"
    SELL_SHORT = "sell_short"
    BUY_TO_COVER = "buy_to_cover"
    OTHER = "other"


class OrderClass(CanonicalEnum):
    """How an order relates to others: alone, or one of a group placed together."""

    SIMPLE = "simple"
    BRACKET = "bracket"  # an entry with a take-profit and a stop-loss leg
    OCO = "oco"  # one cancels the other
    OTO = "oto"  # one triggers the other
    MLEG = "mleg"  # a multi-leg (options spread) order: the parent and its legs
    OTHER = "other"


class OrderType(CanonicalEnum):
    MARKET = "market"
    LIMIT = "limit"
    STOP = "stop"
    STOP_LIMIT = "stop_limit"
    TRAILING_STOP = "trailing_stop"
    OTHER = "other"


class TimeInForce(CanonicalEnum):
    DAY = "day"
    GTC = "gtc"
    OPG = "opg"
    CLS = "cls"
    IOC = "ioc"
    FOK = "fok"
    GTD = "gtd"
    OTHER = "other"


class OrderStatus(CanonicalEnum):
    PENDING = "pending"  # accepted by the broker, not yet working
    OPEN = "open"  # working at the venue
    PARTIALLY_FILLED = "partially_filled"
    FILLED = "filled"
    CANCELED = "canceled"
    EXPIRED = "expired"
    REJECTED = "rejected"
    REPLACED = "replaced"
    OTHER = "other"


class ActivityType(CanonicalEnum):
    """What moved an account's cash or units."""

    TRADE = "trade"  # a fill (or part of one) of an order
    DIVIDEND = "dividend"  # cash paid on units held (a reinvestment is a trade)
    INTEREST = "interest"  # on cash, margin, or a CFD's overnight financing
    FEE = "fee"
    TAX = "tax"  # withheld or charged
    DEPOSIT = "deposit"  # cash from outside the broker
    WITHDRAWAL = "withdrawal"  # cash to outside the broker
    TRANSFER_IN = "transfer_in"  # units, or cash, from another account or broker
    TRANSFER_OUT = "transfer_out"
    JOURNAL = "journal"  # cash or units between two accounts at one broker
    SPLIT = "split"
    CORPORATE_ACTION = "corporate_action"  # mergers, spin-offs, name changes, ...
    OPTION_EXERCISE = "option_exercise"
    OPTION_ASSIGNMENT = "option_assignment"
    OPTION_EXPIRATION = "option_expiration"
    FX_CONVERSION = "fx_conversion"
    OTHER = "other"


class ActivityStatus(CanonicalEnum):
    EXECUTED = "executed"  # it moved cash or units
    PENDING = "pending"  # booked, not yet moved (waiting for approval or settlement)
    CANCELED = "canceled"  # it never will (rejected, reversed, corrected)
    OTHER = "other"
