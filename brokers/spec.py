"""What a broker kind is, in one place: each broker package exports one `BrokerSpec`,
and `brokers.kinds.SPECS` collects them. Configuration, connectors, the built-in sandbox
sources and every layer above derive what they need from it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from brokers.connector import Connector
from brokers.http import TransportSettings
from brokers.ratelimit import RateLimit
from brokers.source import SourceBase


@dataclass(frozen=True)
class BrokerSpec:
    kind: str  # the `kind` of its sources in sources.yaml
    broker: str  # the `broker` column of its rows (one API family may have several kinds)
    config: type[SourceBase]  # its sources.yaml model, with `kind: Literal[<kind>]`
    connector: Callable[[Any, TransportSettings | None], Connector]
    rate_limit: RateLimit | None  # the documented limit a source keeps unless configured
    # The built-in sandbox's sources of this kind, from the sandbox manifest's entry for
    # its API (named `sandbox_api`): their names and credentials, a mapping each.
    sandbox_sources: Callable[[Mapping[str, Any]], list[dict[str, Any]]]
    sandbox_api: str = ""  # "": the kind's own name
    has_orders: bool = True  # False: the API has no orders (its orders step lands none)
    # A preview kind is read like any other, but not yet offered: messages that list the
    # kinds leave it out (a close misspelling is still answered with it) until it has its
    # benchmark hooks and a place in the default sandbox world.
    preview: bool = False

    @property
    def api(self) -> str:
        """The name of its API in the sandbox manifest."""
        return self.sandbox_api or self.kind
