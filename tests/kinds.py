"""Each source kind's test oracle: the canonical rows a source of that kind must land,
written from the world (never from a connector). The one registration point of tests/,
parallel to `brokers.kinds.SPECS`: every registered kind has an oracle here."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from brokers.config import SourceConfig
from sandbox import Sandbox
from tests.oracle import alpaca_broker_truth, alpaca_truth, snaptrade_truth, tradr_truth
from tests.plaid_oracle import plaid_truth

Truth = dict[str, list[dict[str, Any]]]  # table -> canonical rows


def alpaca(sandbox: Sandbox, source: SourceConfig) -> Truth:
    key_id = source.key_id.get_secret_value()  # type: ignore[union-attr]
    account = next(k.account_id for k in sandbox.world.alpaca_keys() if k.key_id == key_id)
    return alpaca_truth(sandbox.world, {source.name: account})


def alpaca_broker(sandbox: Sandbox, source: SourceConfig) -> Truth:
    return alpaca_broker_truth(sandbox.world, source.name)


def snaptrade(sandbox: Sandbox, source: SourceConfig) -> Truth:
    return snaptrade_truth(sandbox.world, source.name)


def tradr(sandbox: Sandbox, source: SourceConfig) -> Truth:
    key = sandbox.tradr_keys.lookup(source.api_key.get_secret_value())  # type: ignore[union-attr]
    return tradr_truth(sandbox.world, source.name, key)


# kind -> what a source of it must land from the sandbox serving the world
ORACLES: dict[str, Callable[[Sandbox, SourceConfig], Truth]] = {
    "alpaca": alpaca,
    "alpaca_broker": alpaca_broker,
    "snaptrade": snaptrade,
    "tradr": tradr,
    "plaid": lambda sandbox, source: plaid_truth(sandbox.world, source.name),
}
