"""The world's TradrAPI records in TradrAPI's JSON: numeric ids, money and prices as JSON
numbers written from exact decimals, times as JavaScript writes them (UTC, milliseconds,
'Z'). An unset stop loss or take profit is 0, as on MetaTrader."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sandbox.exact_json import Number, number
from sandbox.tradr.keys import ApiKey
from sandbox.world.tradr_model import (
    CfdSymbol,
    TradrAccount,
    TradrBalance,
    TradrOrder,
    TradrPosition,
    TradrTrade,
    TradrTransaction,
)

UNSET = Decimal(0)
PLATFORM_IDS = {"MT4": 1, "MT5": 2, "CTRADER": 3, "TL": 4}


def stamp(moment: datetime | None) -> str | None:
    """`Date.prototype.toISOString()`: 2026-10-18T19:39:47.000Z."""
    if moment is None:
        return None
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def _level(value: Decimal | None) -> Number:
    return Number(UNSET if value is None else value)


def account_json(account: TradrAccount) -> dict[str, Any]:
    return {
        "id": account.account_id,
        "createdAt": stamp(account.created_at),
        "updatedAt": stamp(account.created_at),
        "userId": account.user_id,
        "exchangeAccountId": account.login,
        "accountName": account.name,
        "type": account.account_type,
        "serverType": account.server_type,
        "platform": account.platform,
        "currency": account.currency,
        "leverage": account.leverage,
        "status": account.status,
        "serverId": account.server_id,
        "groupId": account.group_id,
        "spreadGroupId": account.spread_group_id,
        "spreadGroup": {"id": account.spread_group_id, "name": account.spread_group},
    }


def balance_json(balance: TradrBalance) -> dict[str, Any]:
    return {
        "currency": balance.currency,
        "accountId": balance.account_id,
        "balance": Number(balance.balance),
        "equity": Number(balance.equity),
        "withdrawable": Number(balance.withdrawable),
        "credit": Number(balance.credit),
        "margin": Number(balance.margin),
        "freeMargin": Number(balance.free_margin),
        "netPnl": Number(balance.net_pnl),
        "lifetimePnl": Number(balance.lifetime_pnl),
    }


def position_json(position: TradrPosition) -> dict[str, Any]:
    return {
        "id": position.position_id,
        "createdAt": stamp(position.opened_at),
        "updatedAt": stamp(position.opened_at),
        "exchangeOperationId": position.ticket,
        "exchangeTradeId": None,
        "accountId": position.account_id,
        "symbol": position.symbol.name,
        "type": position.side,
        "volume": Number(position.volume),
        "openPrice": Number(position.open_price),
        "currentPrice": Number(position.current_price),
        "stopLoss": _level(position.stop_loss),
        "takeProfit": _level(position.take_profit),
        "profit": Number(position.profit),
        "swap": Number(position.swap),
        "commission": Number(position.commission),
        "openedAt": stamp(position.opened_at),
    }


def order_json(order: TradrOrder) -> dict[str, Any]:
    return {
        "id": order.order_id,
        "createdAt": stamp(order.created_at),
        "updatedAt": stamp(order.updated_at),
        "exchangeOperationId": order.ticket,
        "accountId": order.account_id,
        "symbol": order.symbol.name,
        "type": order.type,
        "volume": Number(order.volume),
        "openPrice": Number(order.open_price),
        "stopLimitPrice": number(order.stop_limit_price),
        "stopLoss": _level(order.stop_loss),
        "takeProfit": _level(order.take_profit),
        "expiration": stamp(order.expiration),
        "status": "PLACED",
    }


def trade_summary_json(trade: TradrTrade) -> dict[str, Any]:
    """A closed trade as an account-summary record."""
    return {
        "createdAt": stamp(trade.closed_at),
        "updatedAt": stamp(trade.closed_at),
        "accountId": trade.account_id,
        "serverId": trade.server_id,
        "openPrice": Number(trade.open_price),
        "closePrice": Number(trade.close_price),
        "ip": None,
        "symbol": trade.symbol.name,
        "stopLoss": _level(trade.stop_loss),
        "takeProfit": _level(trade.take_profit),
        "commission": Number(trade.commission),
        "swap": Number(trade.swap),
        "profit": Number(trade.profit),
        "volume": Number(trade.volume),
        "exchangeOperationId": int(trade.ticket),
        "type": trade.side,
        "status": "CLOSED",
        "openedAt": stamp(trade.opened_at),
        "closedAt": stamp(trade.closed_at),
    }


def transaction_summary_json(transaction: TradrTransaction) -> dict[str, Any]:
    """A balance operation as an account-summary record (volume is the amount)."""
    return {
        "createdAt": stamp(transaction.created_at),
        "updatedAt": stamp(transaction.created_at),
        "accountId": transaction.account_id,
        "serverId": transaction.server_id,
        "openPrice": Number(UNSET),
        "closePrice": Number(UNSET),
        "ip": None,
        "symbol": "",
        "stopLoss": Number(UNSET),
        "takeProfit": Number(UNSET),
        "commission": Number(UNSET),
        "swap": Number(UNSET),
        "profit": Number(transaction.signed),
        "volume": Number(transaction.amount),
        "exchangeOperationId": int(transaction.ticket),
        "type": "BALANCE",
        "status": "COMPLETED",
        "openedAt": stamp(transaction.created_at),
        "closedAt": stamp(transaction.created_at),
    }


def transaction_json(transaction: TradrTransaction, platform: str) -> dict[str, Any]:
    return {
        "balanceTransactionId": transaction.transaction_id,
        "accountId": transaction.account_id,
        "serverId": transaction.server_id,
        "groupId": transaction.group_id,
        "exchangeId": PLATFORM_IDS[platform],
        "exchangeOperationId": transaction.ticket,
        "amount": Number(transaction.amount),
        "currency": transaction.currency,
        "operation": transaction.operation,
        "ip": None,
        "comment": transaction.comment,
        "referenceId": transaction.reference_id,
        "createdAt": stamp(transaction.created_at),
        "updatedAt": stamp(transaction.created_at),
    }


def symbol_json(symbol: CfdSymbol, spread_group_id: int, symbol_id: int) -> dict[str, Any]:
    return {
        "id": symbol_id,
        "name": symbol.name,
        "spreadGroupId": spread_group_id,
        "base": symbol.base,
        "quote": symbol.quote,
        "contractSize": Number(symbol.contract_size),
        "digits": symbol.digits,
    }


def key_json(key: ApiKey) -> dict[str, Any]:
    """A key's metadata; `apiKey` is the stored hash, never the key."""
    document: dict[str, Any] = {
        "id": key.key_id,
        "createdAt": stamp(key.created_at),
        "updatedAt": stamp(key.updated_at),
        "roles": list(key.roles),
        "friendlyName": key.friendly_name,
        "apiKey": key.digest,
        "ips": list(key.ips),
        "lastUsedAt": stamp(key.last_used_at),
    }
    if key.is_account_key:
        document["accountId"] = key.account_id
    else:
        document["userId"] = key.user_id
        document["accountIds"] = [] if key.account_ids is None else list(key.account_ids)
    return document
