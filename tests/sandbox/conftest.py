"""A sandbox on loopback at a fixed clock, shared by the module's tests."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from sandbox import Sandbox, SandboxConfig, World
from tests.sandbox.helpers import CLOCK, AlpacaKey


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(SandboxConfig(seed=0, clock=CLOCK)) as running:
        yield running


@pytest.fixture(scope="module")
def world(sandbox: Sandbox) -> World:
    return sandbox.world


@pytest.fixture(scope="module")
def alpaca_url(sandbox: Sandbox) -> str:
    return sandbox.manifest()["apis"]["alpaca"]["base_url"]


@pytest.fixture(scope="module")
def keys(sandbox: Sandbox) -> list[AlpacaKey]:
    return [
        AlpacaKey(a["account_id"], a["key_id"], a["secret_key"])
        for a in sandbox.manifest()["apis"]["alpaca"]["accounts"]
    ]


@pytest.fixture(scope="module")
def http(alpaca_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=alpaca_url, timeout=10) as client:
        yield client
