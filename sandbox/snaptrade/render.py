"""The world's records in SnapTrade's shapes (the spec's schemas), one function per object.

SnapTrade quotes option prices per share and future prices per point, where the world
keeps them per contract: they are divided by the multiplier here. Order vocabularies are
SnapTrade's (EXECUTED, BUY_OPEN, StopLimit, ...), and Interactive Brokers' order types pass
through in its own spelling, as they do at SnapTrade.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sandbox.snaptrade.wire import day, number, stamp, text
from sandbox.world import INSTRUMENTS, Account, Activity, Balance, Connection, Order, Position
from sandbox.world.instruments import CAD_INSTRUMENTS
from sandbox.world.model import Instrument
from sandbox.world.randomness import rng, uuid4

ORDER_STATUS = {
    "pending_new": "PENDING",
    "accepted": "QUEUED",
    "new": "ACCEPTED",
    "held": "CONTINGENT_ORDER",
    "partially_filled": "PARTIAL",
    "filled": "EXECUTED",
    "canceled": "CANCELED",
    "expired": "EXPIRED",
    "rejected": "REJECTED",
    "replaced": "REPLACED",
}
OPTION_ACTION = {
    "buy_to_open": "BUY_OPEN",
    "buy_to_close": "BUY_CLOSE",
    "sell_to_open": "SELL_OPEN",
    "sell_to_close": "SELL_CLOSE",
}
ORDER_TYPE = {
    "market": "Market",
    "limit": "Limit",
    "stop": "Stop",
    "stop_limit": "StopLimit",
    "trailing_stop": "TrailingStop",
}
IBKR_ORDER_TYPE = {
    "market": "MKT",
    "limit": "LMT",
    "stop": "STP",
    "stop_limit": "STP LMT",
    "trailing_stop": "TRAIL",
}
TIME_IN_FORCE = {"day": "Day", "gtc": "GTC", "ioc": "IOC", "fok": "FOK", "opg": "MOO", "cls": "MOC"}
RAW_TYPE = {
    "margin": "Margin",
    "cash": "Cash",
    "ira": "IRA",
    "tfsa": "TFSA",
    "rrsp": "RRSP",
    "crypto": "Crypto",
}
INSTRUMENT_KIND = {
    "equity": "stock",
    "etf": "etf",
    "option": "option",
    "crypto": "crypto",
    "future": "future",
}
SECURITY_TYPE = {
    "equity": ("cs", "Common Stock"),
    "etf": ("et", "ETF"),
    "crypto": ("crypto", "Cryptocurrency"),
    "future": ("fut", "Future"),
}
EXCHANGES = {  # code -> (MIC, name, timezone)
    "NASDAQ": ("XNAS", "NASDAQ", "America/New_York"),
    "NYSE": ("XNYS", "New York Stock Exchange", "America/New_York"),
    "ARCA": ("ARCX", "NYSE ARCA", "America/New_York"),
    "TSX": ("XTSE", "Toronto Stock Exchange", "America/Toronto"),
    "CME": ("XCME", "Chicago Mercantile Exchange", "America/Chicago"),
    "CRYPTO": (None, "Crypto", "UTC"),
}
CURRENCY_NAMES = {"USD": "US Dollar", "CAD": "Canadian Dollar"}
_BY_SYMBOL = {i.symbol: i for i in (*INSTRUMENTS, *CAD_INSTRUMENTS)}
IBKR = "Interactive Brokers"


def _id(*parts: object) -> str:
    return uuid4(rng("snaptrade", *parts))


def currency(code: str) -> dict[str, Any]:
    return {"id": _id("currency", code), "code": code, "name": CURRENCY_NAMES.get(code, code)}


def status() -> dict[str, Any]:
    return {"version": 151, "timestamp": stamp(datetime.now(UTC)), "online": True}


# connections and accounts


def authorization(connection: Connection, clock: datetime) -> dict[str, Any]:
    disabled = connection.disabled_at is not None and connection.disabled_at <= clock
    slug = connection.brokerage_slug
    return {
        "id": connection.connection_id,
        "created_date": stamp(connection.created_at),
        "updated_date": stamp(connection.disabled_at if disabled else connection.created_at),
        "brokerage": {
            "id": _id("brokerage", slug),
            "slug": slug,
            "name": connection.brokerage,
            "display_name": connection.brokerage,
            "description": f"{connection.brokerage} brokerage",
            "aws_s3_logo_url": f"https://logos.snaptrade.invalid/{slug.lower()}.png",
            "aws_s3_square_logo_url": None,
            "url": None,
            "enabled": True,
            "maintenance_mode": False,
            "is_degraded": False,
            "allows_trading": connection.connection_type == "trade",
            "brokerage_type": {
                "id": _id("brokerage-type", slug),
                "name": "Crypto Exchange" if slug == "COINBASE" else "Traditional Brokerage",
            },
            "exchanges": [],
        },
        "name": f"Connection-{connection.brokerage}",
        "type": connection.connection_type,
        "disabled": disabled,
        "disabled_date": stamp(connection.disabled_at) if disabled else None,
        "meta": {},
        "is_eligible_for_payout": False,
        "data_freshness_mode": "delayed",
    }


def account(account: Account, balances: list[Balance], as_of: datetime) -> dict[str, Any]:
    base = next((b for b in balances if b.currency == account.base_currency), None)
    return {
        "id": account.account_id,
        "brokerage_authorization": account.connection_id,
        "portfolio_group": _id("portfolio-group", account.account_id),
        "name": account.name,
        "number": account.account_number,
        "institution_account_id": None,
        "institution_name": account.institution,
        "created_date": stamp(account.created_at),
        "funding_date": None,
        "opening_date": None,
        "sync_status": {
            "transactions": {
                "initial_sync_completed": True,
                "last_successful_sync": day((as_of - timedelta(days=1)).date()),
                "first_transaction_date": day(account.created_at.date()),
            },
            "holdings": {
                "initial_sync_completed": True,
                "last_successful_sync": stamp(as_of),
                "holdings_unavailable": False,
            },
        },
        "balance": {
            "total": {
                "amount": number(base.equity if base else Decimal(0)),
                "currency": account.base_currency,
            }
        },
        "status": "closed" if account.status == "closed" else "open",
        "raw_type": RAW_TYPE[account.account_type],
        "account_category": "INVESTMENT",
        "meta": {},
        "cash_restrictions": [],
        "is_paper": account.is_paper,
    }


def balance(item: Balance) -> dict[str, Any]:
    return {
        "currency": currency(item.currency),
        "cash": number(item.cash),
        "buying_power": number(item.buying_power),
    }


# instruments


def occ(symbol: str) -> tuple[str, date, str, Decimal]:
    """(root, expiration, CALL/PUT, strike) of an OCC option symbol."""
    root, rest = symbol[:-15], symbol[-15:]
    expiration = date(2000 + int(rest[0:2]), int(rest[2:4]), int(rest[4:6]))
    return root, expiration, "CALL" if rest[6] == "C" else "PUT", Decimal(int(rest[7:])) / 1000


def padded_occ(symbol: str) -> str:
    """The OCC symbol as SnapTrade sends it: the root padded to six characters."""
    return symbol[:-15].ljust(6) + symbol[-15:]


def _raw_symbol(symbol: str) -> str:
    return symbol.split(".")[0]


def _base_asset(symbol: str) -> str:
    return symbol.split("/")[0]


def _stock_like(instrument: Instrument) -> dict[str, Any]:
    crypto = instrument.kind == "crypto"
    symbol = _base_asset(instrument.symbol) if crypto else instrument.symbol
    return {
        "kind": INSTRUMENT_KIND[instrument.kind],
        "id": instrument.asset_id,
        "symbol": symbol,
        "raw_symbol": _raw_symbol(symbol),
        "description": instrument.name,
        "currency": instrument.currency,
        "exchange": EXCHANGES.get(instrument.exchange, (None,))[0],
        "figi_instrument": None,
    }


def _future(instrument: Instrument) -> dict[str, Any]:
    """A FutureInstrument: ESZ26 is root ES, expiration code Z26."""
    symbol = instrument.symbol
    return {
        "kind": "future",
        "id": instrument.asset_id,
        "symbol": symbol,
        "root_symbol": symbol[:-3],
        "expiration_code": symbol[-3:],
        "expiration_date": None,
        "multiplier": text(instrument.multiplier),
        "currency": instrument.currency,
        "exchange": EXCHANGES[instrument.exchange][0],
    }


def position_instrument(instrument: Instrument) -> dict[str, Any]:
    if instrument.kind == "future":
        return _future(instrument)
    if instrument.kind != "option":
        return _stock_like(instrument)
    root, expiration, kind, strike = occ(instrument.symbol)
    return {
        "kind": "option",
        "id": instrument.asset_id,
        "symbol": padded_occ(instrument.symbol),
        "option_type": kind,
        "strike_price": text(strike),
        "expiration_date": day(expiration),
        "multiplier": text(instrument.multiplier),
        "description": instrument.name,
        "underlying": _stock_like(_BY_SYMBOL[root]),
    }


def position(item: Position) -> dict[str, Any]:
    per = item.instrument.multiplier  # prices per share or per point
    return {
        "instrument": position_instrument(item.instrument),
        "units": text(item.signed_quantity),
        "price": text(item.market_price / per),
        "cost_basis": text(item.average_cost / per),
        "currency": item.currency,
        "cash_equivalent": False,
        "tax_lots": [],
    }


def universal_symbol(instrument: Instrument) -> dict[str, Any]:
    crypto = instrument.kind == "crypto"
    symbol = _base_asset(instrument.symbol) if crypto else instrument.symbol
    code, description = SECURITY_TYPE[instrument.kind]
    mic, name, timezone = EXCHANGES.get(instrument.exchange, (None, instrument.exchange, "UTC"))
    return {
        "id": instrument.asset_id,
        "symbol": symbol,
        "raw_symbol": _raw_symbol(symbol),
        "description": instrument.name,
        "currency": currency(instrument.currency),
        "exchange": {
            "id": _id("exchange", instrument.exchange),
            "code": instrument.exchange,
            "mic_code": mic,
            "name": name,
            "timezone": timezone,
            "start_time": "09:30:00",
            "close_time": "16:00:00",
            "suffix": ".TO" if instrument.exchange == "TSX" else None,
        },
        "type": {"id": _id("security-type", code), "code": code, "description": description},
        "figi_code": None,
        "figi_instrument": None,
        "currencies": [currency(instrument.currency)],
    }


def options_symbol(instrument: Instrument) -> dict[str, Any]:
    root, expiration, kind, strike = occ(instrument.symbol)
    return {
        "id": instrument.asset_id,
        "ticker": padded_occ(instrument.symbol),
        "option_type": kind,
        "strike_price": number(strike),
        "expiration_date": day(expiration),
        "is_mini_option": False,
        "underlying_symbol": universal_symbol(_BY_SYMBOL[root]),
    }


# orders and activities


def order_action(order: Order) -> str:
    if order.instrument.kind == "option":
        return OPTION_ACTION.get(order.position_intent, order.side.upper())
    if order.side == "sell" and order.position_intent == "sell_to_open":
        return "SELL_SHORT"
    if order.side == "buy" and order.position_intent == "buy_to_close":
        return "BUY_COVER"
    return order.side.upper()


def order_status(order: Order) -> str:
    if order.status == "canceled" and order.filled_quantity > 0:
        return "PARTIAL_CANCELED"
    return ORDER_STATUS[order.status]


def order(item: Order, institution: str, children: list[Order]) -> dict[str, Any]:
    """One order record; a bracket parent names its legs, each leg points at its group."""
    instrument = item.instrument
    option = instrument.kind == "option"
    per = instrument.multiplier if option else Decimal(1)
    quantity, filled = item.quantity, item.filled_quantity
    working = item.is_open
    remaining = None if quantity is None else quantity - filled
    legs = {leg.order_type: leg.order_id for leg in children}
    types = IBKR_ORDER_TYPE if institution == IBKR else ORDER_TYPE
    return {
        "brokerage_order_id": item.order_id,
        "brokerage_group_order_id": item.parent_order_id or (item.order_id if children else None),
        "order_role": "CONDITIONAL" if item.parent_order_id else ("TRIGGER" if children else None),
        "status": order_status(item),
        "universal_symbol": None if option else universal_symbol(instrument),
        "option_symbol": options_symbol(instrument) if option else None,
        "quote_universal_symbol": None,
        "quote_currency": currency(instrument.currency) if instrument.kind == "crypto" else None,
        "action": order_action(item),
        "total_quantity": text(quantity),
        "open_quantity": text(remaining if working else Decimal(0)),
        "canceled_quantity": text(Decimal(0) if working else remaining),
        "filled_quantity": text(filled),
        "execution_price": text(
            None if item.filled_avg_price is None else item.filled_avg_price / per
        ),
        "limit_price": text(None if item.limit_price is None else item.limit_price / per),
        "stop_price": text(None if item.stop_price is None else item.stop_price / per),
        "trailing_stop": (
            {"amount": text(item.trail_percent), "type": "PERCENT"}
            if item.trail_percent is not None
            else None
        ),
        "order_type": types[item.order_type],
        "time_in_force": TIME_IN_FORCE[item.time_in_force],
        "time_placed": stamp(item.submitted_at),
        "time_updated": stamp(item.updated_at),
        "time_executed": stamp(item.filled_at),
        "expiry_date": stamp(item.expires_at),
        "symbol": instrument.asset_id,
        "child_brokerage_order_ids": (
            {
                "take_profit_order_id": legs.get("limit"),
                "stop_loss_order_id": legs.get("stop") or legs.get("stop_limit"),
            }
            if children
            else None
        ),
    }


ACTIVITY_TYPE = {
    "deposit": "CONTRIBUTION",
    "withdrawal": "WITHDRAWAL",
    "transfer_in": "EXTERNAL_ASSET_TRANSFER_IN",
    "transfer_out": "EXTERNAL_ASSET_TRANSFER_OUT",
    "transfer": "TRANSFER",
    "dividend": "DIVIDEND",
    "interest": "INTEREST",
    "fee": "FEE",
    "split": "SPLIT",
}


def activity_type(item: Activity) -> str:
    if item.kind == "fill":
        return "BUY" if item.side == "buy" else "SELL"
    return ACTIVITY_TYPE[item.kind]


def activity(item: Activity, institution: str) -> dict[str, Any]:
    """A transaction (AccountUniversalActivity): units signed (a sale's negative), prices
    per share or per point, the amount the cash it moved (negative out)."""
    instrument = item.instrument
    option = instrument is not None and instrument.kind == "option"
    per = instrument.multiplier if instrument is not None else Decimal(1)
    units = item.quantity
    price = None if item.price is None else item.price / per
    if item.kind == "dividend":
        units, price = item.cum_quantity or Decimal(0), item.per_share
    return {
        "id": item.activity_id,
        "symbol": universal_symbol(instrument) if instrument is not None and not option else None,
        "currency_universal_symbol": None,
        "option_symbol": options_symbol(instrument) if option else None,
        "price": number(price or Decimal(0)),
        "units": number(units),
        "amount": number(item.amount),
        "currency": currency(item.currency),
        "type": activity_type(item),
        "option_type": "",
        "description": item.description,
        "trade_date": stamp(item.at),
        "settlement_date": stamp(datetime.combine(item.settle_date, time(0), tzinfo=UTC)),
        "fee": number(item.fee),
        "fx_rate": None,
        "institution": institution,
        # what links a transfer's legs, or a split's
        "external_reference_id": item.group_id if item.kind in ("transfer", "split") else None,
    }
