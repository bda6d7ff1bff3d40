"""The Broker API partner's trade events: every step of every order's plan.

An order's plan holds its whole life (see lifecycle.py), so the events of a window are
the plan events whose instant falls in it. A bracket's legs travel with their parent:
the parent's events show the legs as they stand, each leg's own events show the leg
alone (Alpaca's order object names no parent).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sandbox.world.lifecycle import OrderPlan
from sandbox.world.model import Order


@dataclass(frozen=True, slots=True)
class TradeEvent:
    plan: OrderPlan
    index: int  # which of the plan's events
    legs: tuple[OrderPlan, ...] = ()  # a bracket parent's legs

    @property
    def at(self) -> datetime:
        return self.plan.events[self.index].at

    @property
    def status(self) -> str:
        return self.plan.events[self.index].status

    def order(self) -> Order:
        """The order as it stood once this event happened."""
        return self.plan.state_at(self.at)

    def leg_orders(self) -> list[Order]:
        return [leg.state_at(self.at) for leg in self.legs]


def account_trade_events(
    plans: list[OrderPlan], after: datetime, until: datetime
) -> list[TradeEvent]:
    """One account's events in (after, until], given its order plans."""
    legs: dict[str, list[OrderPlan]] = {}
    for plan in plans:
        if plan.order.parent_order_id is not None:
            legs.setdefault(plan.order.parent_order_id, []).append(plan)
    events = []
    for plan in plans:
        for index, event in enumerate(plan.events):
            if after < event.at <= until:
                own_legs = tuple(legs.get(plan.order.order_id, ()))
                events.append(TradeEvent(plan, index, own_legs))
    return events
