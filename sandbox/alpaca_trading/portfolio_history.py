"""`GET /v2/account/portfolio/history`: the account's equity day by day, its profit or
loss from the first day's equity (the base value), and the external cash flows of each
day, in the shape of Alpaca's `PortfolioHistory` (parallel arrays; numbers as JSON
numbers, money to the cent).

Consistent with the world: a day's point is the account's equity at that day's clock time
(the instant a sandbox replays the day at, so a daily snapshot taken then shows the same
equity), today's at the clock. Its profit or loss (from the figures to the cent) leaves
out what was deposited, withdrawn or transferred since the base (`cashflow`, by Alpaca
activity type, per day), so money moved in is not a gain. Only the daily timeframe (`1D`)
is served; every calendar day is a point (the world prices crypto every day).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from sandbox.alpaca_trading.errors import invalid
from sandbox.exact_json import ExactJSONResponse, number
from sandbox.world import Activity, World

CENT = Decimal("0.01")
PCT_PLACES = Decimal("0.0001")
PERIOD = re.compile(r"^(\d+)([DWMA])$")
PERIOD_DAYS = {"D": 1, "W": 7, "M": 30, "A": 365}
# The external flows, by the Alpaca activity type that carries them.
FLOW_TYPES = {
    "deposit": "CSD",
    "withdrawal": "CSW",
    "transfer_in": "ACATS",
    "transfer_out": "ACATS",
    "transfer": "JNLC",
    "journal": "JNLC",
}


def flow_value(activity: Activity) -> Decimal:
    """What an external flow brought in (negative: took out): its cash, or the units it
    moved at the price stated."""
    if activity.amount:
        return activity.amount
    return activity.quantity * (activity.price or Decimal(0))


def _instant(text: str, name: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise invalid(f"invalid {name}: {text!r}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def days_asked(params: Any, clock: datetime) -> list[date]:
    """The days of the points: `start`/`end`/`period` as the spec combines them (at most
    two; `period` defaults to 1M back from `end`, which defaults to now)."""
    given = [name for name in ("start", "end", "period") if params.get(name)]
    if len(given) == 3:
        raise invalid("only two of start, end and period can be specified at the same time")
    timeframe = params.get("timeframe") or "1D"
    if timeframe != "1D":
        raise invalid(f"timeframe {timeframe!r}: this sandbox serves the daily timeframe (1D)")
    span = None
    if params.get("period"):
        match = PERIOD.match(params["period"])
        if match is None:
            raise invalid(f"invalid period: {params['period']!r}")
        span = timedelta(days=int(match[1]) * PERIOD_DAYS[match[2]])
    end = min(_instant(params["end"], "end"), clock) if params.get("end") else clock
    if params.get("start"):
        start = _instant(params["start"], "start")
        if span is not None and not params.get("end"):
            end = min(start + span, clock)
    else:
        start = end - (span or timedelta(days=30))
    first, last = start.date(), end.date()
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def history(world: World, account_id: str, days: list[date]) -> dict[str, Any]:
    account = world.account(account_id)
    clock = world.clock
    points = []
    for day in days:
        at = min(datetime.combine(day, clock.timetz()), clock)
        if at < account.created_at:
            continue
        (balance,) = world.at(at).balances(account_id)
        points.append((day, at, balance.equity))
    flows = [
        a
        for a in world.activities(account_id)
        if a.is_executed and a.kind in FLOW_TYPES and points and a.at > points[0][1]
    ]
    kinds = sorted({FLOW_TYPES[a.kind] for a in flows})
    cashflow: dict[str, list[Decimal]] = {kind: [] for kind in kinds}
    equity, profit_loss, pct, stamps = [], [], [], []
    # money to the cent, as Alpaca reports it; profit or loss from the reported figures,
    # so a day's change of it is the same whichever day a query starts from
    base = points[0][2].quantize(CENT, ROUND_HALF_EVEN) if points else Decimal(0)
    moved, previous = Decimal(0), points[0][1] if points else clock
    for index, (day, at, exact) in enumerate(points):
        value = exact.quantize(CENT, ROUND_HALF_EVEN)
        today = [a for a in flows if (index == 0 or a.at > previous) and a.at <= at]
        for kind in kinds:
            cashflow[kind].append(
                sum((flow_value(a) for a in today if FLOW_TYPES[a.kind] == kind), Decimal(0))
            )
        moved += sum((flow_value(a).quantize(CENT, ROUND_HALF_EVEN) for a in today), Decimal(0))
        gain = value - base - moved
        stamps.append(int(datetime.combine(day, time(0), UTC).timestamp()))
        equity.append(number(value))
        profit_loss.append(number(gain))
        pct.append(
            number((gain / base if base else Decimal(0)).quantize(PCT_PLACES, ROUND_HALF_EVEN))
        )
        previous = at
    return {
        "timestamp": stamps,
        "equity": equity,
        "profit_loss": profit_loss,
        "profit_loss_pct": pct,
        "base_value": number(base),
        "timeframe": "1D",
        "cashflow": {
            kind: [number(v.quantize(CENT, ROUND_HALF_EVEN)) for v in values]
            for kind, values in cashflow.items()
        },
    }


def history_response(request: Request, world: World, account_id: str) -> Response:
    """The history of the days the request asks for (the Trading API's route, and the
    Broker API's per account)."""
    days = days_asked(request.query_params, world.clock)
    return ExactJSONResponse(history(world, account_id, days))


async def get_portfolio_history(request: Request) -> Response:
    return history_response(request, request.state.world, request.state.account.account_id)
