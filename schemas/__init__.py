"""The data contract: one Pandera model per canonical table, the canonical enums, table keys."""

from schemas.enums import (
    AccountStatus,
    AccountType,
    ActivityStatus,
    ActivityType,
    ConnectionStatus,
    ConnectionType,
    InstrumentType,
    OrderClass,
    OrderSide,
    OrderStatus,
    OrderType,
    PositionSide,
    TimeInForce,
    UserKind,
)
from schemas.tables import (
    DECIMAL,
    TABLES,
    UTC_DATETIME,
    Table,
    empty_frame,
    table,
)
from schemas.validate import ContractError, ValidationResult, validate

__all__ = [
    "DECIMAL",
    "TABLES",
    "UTC_DATETIME",
    "AccountStatus",
    "AccountType",
    "ActivityStatus",
    "ActivityType",
    "ConnectionStatus",
    "ConnectionType",
    "ContractError",
    "InstrumentType",
    "OrderClass",
    "OrderSide",
    "OrderStatus",
    "OrderType",
    "PositionSide",
    "Table",
    "TimeInForce",
    "UserKind",
    "ValidationResult",
    "empty_frame",
    "table",
    "validate",
]
