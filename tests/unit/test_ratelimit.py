"""The rate budget: an even pace under the limit, a little catch-up, and the broker's
headers obeyed (a lower limit, a spent window, a 429)."""

from __future__ import annotations

import httpx
import pytest

from brokers.ratelimit import RateBudget, RateLimit, server_wait


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_requests_are_spaced_at_nine_tenths_of_the_limit_after_a_small_catch_up():
    clock = Clock()
    budget = RateBudget(RateLimit(200, 60.0), clock=clock)
    waits = [budget.reserve() for _ in range(30)]
    interval = 60.0 / (200 * 0.9)
    assert budget.interval == pytest.approx(interval)
    assert waits[:11] == pytest.approx([0.0] * 11)  # 10 slots of catch-up (5% of 200), now
    assert waits[11] == pytest.approx(interval)
    assert waits[29] == pytest.approx(19 * interval)


def test_any_window_holds_at_most_ninety_five_percent_of_the_limit_and_one():
    clock = Clock()
    budget = RateBudget(RateLimit(100, 10.0), clock=clock)
    sent = []
    for _ in range(1000):
        clock.now += budget.reserve()
        sent.append(clock.now)
    most = max(sum(1 for t in sent if start <= t < start + 10.0) for start in sent)
    assert most <= 96  # 90 paced, 5 caught up, 1 on the window's edge: room for 4 in flight


def test_a_429_holds_every_request_for_what_the_server_asks():
    clock = Clock()
    budget = RateBudget(RateLimit(200, 60.0), clock=clock)
    budget.observe(httpx.Response(429, headers={"retry-after": "3"}))
    assert budget.reserve() == pytest.approx(3.0)


def test_a_spent_window_holds_until_its_reset():
    clock = Clock()
    budget = RateBudget(RateLimit(250, 60.0), clock=clock)
    headers = {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "7"}  # SnapTrade: seconds
    budget.observe(httpx.Response(200, headers=headers))
    assert budget.reserve() == pytest.approx(7.0)


def test_a_lower_limit_announced_by_the_broker_slows_the_pace():
    budget = RateBudget(RateLimit(1000, 60.0), clock=Clock())
    budget.observe(httpx.Response(200, headers={"x-ratelimit-limit": "100"}))
    assert budget.limit == RateLimit(100, 60.0)
    assert budget.interval == pytest.approx(60.0 / 90)


def test_reset_headers_are_read_as_epoch_seconds_or_seconds_to_wait():
    now = 1_800_000_000.25
    epoch = str(int(now) + 5)
    assert server_wait(httpx.Response(429, headers={"x-ratelimit-reset": epoch}), now) == 4.75
    assert server_wait(httpx.Response(429, headers={"x-ratelimit-reset": "12"})) == 12
    assert server_wait(httpx.Response(429, headers={"retry-after": "2"})) == 2
    assert server_wait(httpx.Response(429)) is None
