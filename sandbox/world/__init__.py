"""The sandbox's ground truth: one deterministic, seeded world that evolves with time."""

from sandbox.world.broker_accounts import ALPACA_BROKER, CustomerProfile
from sandbox.world.instruments import INSTRUMENTS
from sandbox.world.model import (
    FINAL_ORDER_STATUSES,
    OPEN_ORDER_STATUSES,
    Account,
    Activity,
    ApiKey,
    Balance,
    Connection,
    Instrument,
    Order,
    Position,
    SnapTradeUser,
    WorldSizes,
)
from sandbox.world.prices import price_on
from sandbox.world.world import World, as_utc, start_of_today

__all__ = [
    "ALPACA_BROKER",
    "FINAL_ORDER_STATUSES",
    "INSTRUMENTS",
    "OPEN_ORDER_STATUSES",
    "Account",
    "Activity",
    "ApiKey",
    "Balance",
    "Connection",
    "CustomerProfile",
    "Instrument",
    "Order",
    "Position",
    "SnapTradeUser",
    "World",
    "WorldSizes",
    "as_utc",
    "price_on",
    "start_of_today",
]
