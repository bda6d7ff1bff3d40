"""An Alpaca account's portfolio history (`GET /v2/account/portfolio/history`, daily
timeframe) as rows of `portfolio_history_reported`: one per point after the first, the
parallel arrays read together, numbers as exact decimals, the day's profit or loss the
change of the reported one since the previous point (the API states it from the first
point asked for, so only its changes are the same whatever the query), the cash flows
of a point (the `cashflow` object's arrays, by activity type) summed. A read asks from
the day before the first it lands.

A point that cannot be read (a value that is not a number) is quarantined under its
account and day; the other points land.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from brokers.frames import Row, Unreadable, salvage
from brokers.http import Transport
from brokers.parse import to_decimal

PATH = "/v2/account/portfolio/history"  # the Trading API's: the key's account
BROKER_PATH = "/v1/trading/accounts/{account_id}/account/portfolio/history"  # Broker API


def history_params(start: date) -> dict[str, str]:
    """Daily points from the day before `start` (the first point is the base of the next
    one's change) to now (the API's `end` default)."""
    first = datetime.combine(start - timedelta(days=1), time(0), UTC)
    return {"timeframe": "1D", "start": first.isoformat().replace("+00:00", "Z")}


def history_rows(body: Mapping[str, Any], account_id: str, currency: str) -> list[Row | Unreadable]:
    stamps = body.get("timestamp") or []
    cashflow = body.get("cashflow") or {}
    timeframe = str(body.get("timeframe") or "1D")

    def at(name: str, index: int) -> object:
        values = body.get(name) or []
        return values[index] if index < len(values) else None

    def read(point: Mapping[str, Any]) -> Row:
        index = point["index"]
        moment = datetime.fromtimestamp(int(stamps[index]), UTC)
        flows = [to_decimal(values[index]) for values in cashflow.values() if index < len(values)]
        now, before = to_decimal(at("profit_loss", index)), to_decimal(at("profit_loss", index - 1))
        return {
            "account_id": account_id,
            "day": moment.date(),
            "point_at": moment,
            "timeframe": timeframe,
            "equity": to_decimal(at("equity", index)),
            "profit_loss": None if now is None or before is None else now - before,
            "cash_flow": sum((f for f in flows if f is not None), Decimal(0)),
            "currency": currency,
        }

    def identity(point: Mapping[str, Any]) -> dict[str, Any]:
        stamp = stamps[point["index"]]
        moment = datetime.fromtimestamp(int(stamp), UTC) if isinstance(stamp, int) else None
        return {
            "account_id": account_id,
            "day": moment.date() if moment else None,
            "point_at": moment,
            "timeframe": timeframe,
            "currency": currency,
        }

    return salvage([{"index": i} for i in range(1, len(stamps))], read, identity)


async def portfolio_history(
    transport: Transport, account_id: str, currency: str, start: date, *, path: str = PATH
) -> list[Row | Unreadable]:
    """One account's points from `start`; `path` the Trading API's, or the Broker API's
    (`BROKER_PATH`, formatted with the account's id)."""
    url = path.format(account_id=account_id)
    response = await transport.get_json(url, history_params(start), expect=dict)
    return history_rows(response.body, account_id, currency)
