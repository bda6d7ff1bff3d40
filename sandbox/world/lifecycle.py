"""An order's life as a plan: the order as submitted plus the events that follow it.

The whole future of an order is decided when it is drawn; the clock only decides how much
of it has happened. So moving the clock forward fills, cancels or expires orders that were
open, and an order looked at twice at the same clock is the same order.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from sandbox.world.model import Order

ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class OrderEvent:
    """The order's state from `at` on (fill figures are cumulative)."""

    at: datetime
    status: str
    filled_quantity: Decimal = ZERO
    filled_avg_price: Decimal | None = None
    stamp: str | None = None  # the Order timestamp field this event sets to `at`
    replaced_by: str | None = None
    usd_filled_avg_price: Decimal | None = None  # LCT: the fill price in USD


@dataclass(frozen=True, slots=True)
class OrderPlan:
    order: Order  # as submitted
    events: tuple[OrderEvent, ...]  # in time order; the first is at submitted_at

    def state_at(self, clock: datetime) -> Order:
        """The order as the broker would show it at `clock` (submitted at or before it)."""
        current = self.events[0]
        changes: dict[str, Any] = {}
        for event in self.events:
            if event.at > clock:
                break
            current = event
            if event.stamp is not None:
                changes[event.stamp] = event.at
            if event.replaced_by is not None:
                changes["replaced_by"] = event.replaced_by
        return replace(
            self.order,
            status=current.status,
            filled_quantity=current.filled_quantity,
            filled_avg_price=current.filled_avg_price,
            usd_filled_avg_price=current.usd_filled_avg_price,
            updated_at=current.at,
            **changes,
        )

    def localized(self, rate: Decimal) -> OrderPlan:
        """The plan of an LCT account's order: its prices (USD as drawn) converted at
        `rate` (USD -> the account's currency), the USD figures kept beside them."""
        order = self.order
        return OrderPlan(
            order=replace(
                order,
                notional=_times(order.notional, rate),
                limit_price=_times(order.limit_price, rate),
                stop_price=_times(order.stop_price, rate),
                high_water_mark=_times(order.high_water_mark, rate),
                swap_rate=rate,
                usd_notional=order.notional,
                usd_limit_price=order.limit_price,
                usd_stop_price=order.stop_price,
            ),
            events=tuple(
                replace(
                    event,
                    filled_avg_price=_times(event.filled_avg_price, rate),
                    usd_filled_avg_price=event.filled_avg_price,
                )
                for event in self.events
            ),
        )


def _times(value: Decimal | None, rate: Decimal) -> Decimal | None:
    return None if value is None else value * rate


class Timeline:
    """Builds an order's events in time order, carrying fill figures forward."""

    def __init__(self, submitted_at: datetime, status: str = "pending_new") -> None:
        self.events: list[OrderEvent] = [OrderEvent(submitted_at, status)]

    @property
    def last(self) -> OrderEvent:
        return self.events[-1]

    def add(
        self,
        at: datetime,
        status: str,
        *,
        filled: Decimal | None = None,
        price: Decimal | None = None,
        stamp: str | None = None,
        replaced_by: str | None = None,
    ) -> Timeline:
        previous = self.last
        self.events.append(
            OrderEvent(
                at=max(at, previous.at),  # events never go back in time
                status=status,
                filled_quantity=previous.filled_quantity if filled is None else filled,
                filled_avg_price=previous.filled_avg_price if price is None else price,
                stamp=stamp,
                replaced_by=replaced_by,
            )
        )
        return self

    def plan(self, order: Order) -> OrderPlan:
        return OrderPlan(order=order, events=tuple(self.events))
