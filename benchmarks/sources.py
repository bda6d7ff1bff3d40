"""The benchmark's sources.yaml: the sandbox's built-in sources of a scale's kinds, as a
user writes them (secrets named by environment variables), read without a rate limit
(the sandbox enforces none). The Broker API partner signs in with its key pair (HTTP
Basic), so every process presents the same credentials and the sandbox's kept answers
serve them all."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import SecretStr

from brokers.config import SourceConfig, sandbox_sources


def sandbox_sources_of(manifest: Mapping[str, Any], kinds: Iterable[str]) -> list[SourceConfig]:
    wanted = set(kinds)
    broker = manifest["apis"].get("alpaca_broker", {})
    chosen = []
    for source in sandbox_sources(manifest):
        if source.kind not in wanted:
            continue
        if source.kind == "alpaca_broker":
            source = source.model_copy(
                update={
                    "client_id": None,
                    "client_secret": None,
                    "key_id": SecretStr(broker["key_id"]),
                    "secret_key": SecretStr(broker["secret_key"]),
                }
            )
        chosen.append(source)
    return chosen


def write_sources(manifest: Mapping[str, Any], kinds: Iterable[str], path: Path) -> dict[str, str]:
    """Write sources.yaml at `path`; returns the environment variables it names."""
    environment: dict[str, str] = {}
    entries = []
    for source in sandbox_sources_of(manifest, kinds):
        entry: dict[str, Any] = {}
        for field, value in source:
            if value is None or field in ("sandbox", "timeout_seconds"):
                continue
            if isinstance(value, SecretStr):
                variable = f"BENCH_{source.name}_{field}".upper().replace("-", "_")
                environment[variable] = value.get_secret_value()
                value = {"env": variable}
            entry[field] = str(value) if isinstance(value, Path) else value
        entries.append(entry)
    path.write_text(yaml.safe_dump({"sources": entries}, sort_keys=False))
    return environment
