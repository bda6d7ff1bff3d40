"""A sandbox that keeps its answers serves the same bytes again, rejects other
credentials, and answers a moved world afresh."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx

from sandbox import Sandbox, SandboxConfig
from sandbox.world import WorldSizes

CLOCK = datetime(2026, 11, 20, 15, 30, tzinfo=UTC)
SIZES = WorldSizes(alpaca_accounts=0, snaptrade_users=0, tradr_users=0, broker_accounts=3)


def test_kept_answers_are_the_same_bytes_and_credentials_still_count():
    config = SandboxConfig(clock=CLOCK, sizes=SIZES, cache_responses=True)
    with Sandbox(config) as sandbox:
        api = sandbox.manifest()["apis"]["alpaca_broker"]
        auth = httpx.BasicAuth(api["key_id"], api["secret_key"])
        account = sandbox.world.broker_accounts()[0].account_id
        path = f"{api['base_url']}/v1/trading/accounts/{account}/orders"
        params = {"status": "all", "limit": 500}
        first = httpx.get(path, params=params, auth=auth)
        again = httpx.get(path, params=params, auth=auth)
        assert first.status_code == again.status_code == 200
        assert first.content == again.content and len(first.json()) > 0

        wrong = httpx.get(path, params=params, auth=httpx.BasicAuth(api["key_id"], "wrong"))
        assert wrong.status_code == 401

        sandbox.set_clock(CLOCK + timedelta(days=2))
        moved = httpx.get(path, params=params, auth=auth)
        assert moved.status_code == 200
        assert len(moved.json()) > len(first.json())  # two more days of orders
        assert moved.headers["date"] != first.headers["date"]
