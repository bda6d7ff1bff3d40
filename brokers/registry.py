"""Which connector reads which kind of source: the kind's registered spec says."""

from __future__ import annotations

from brokers.config import SourceConfig
from brokers.connector import Connector
from brokers.http import TransportSettings
from brokers.kinds import BY_KIND


def connector_for(source: SourceConfig, settings: TransportSettings | None = None) -> Connector:
    spec = BY_KIND.get(source.kind)
    if spec is None:  # pragma: no cover (parsing admits registered kinds only)
        raise TypeError(f"no connector for source kind {source.kind!r}")
    return spec.connector(source, settings)
