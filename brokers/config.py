"""Configured sources: what `sources.yaml` may say, checked with errors that name the file,
the source and the field.

Secrets in the file are never literal: a secret field holds `{env: VARIABLE}` and the value
is read from the environment when the file is loaded. Built-in sandbox sources are built
in code with their values directly. Which kinds there are, and each kind's fields, come
from the registered broker specs (`brokers.kinds`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any, Union

import yaml
from pydantic import Field, SecretStr, TypeAdapter, ValidationError

from brokers.alpaca.config import AlpacaSource
from brokers.alpaca_broker.config import AlpacaBrokerSource
from brokers.config_messages import missing_variable, source_label, validation_problems, where
from brokers.errors import ConfigError
from brokers.kinds import BY_KIND, SPECS
from brokers.snaptrade.config import SnapTradeSource, parse_user_secrets
from brokers.source import SOURCE_NAME_PATTERN, RateLimitConfig, SourceBase
from brokers.tradr.config import TradrSource

# The models of the first kinds, where they were always imported from.
__all__ = [
    "SOURCE_NAME_PATTERN",
    "AlpacaBrokerSource",
    "AlpacaSource",
    "ConfigError",
    "RateLimitConfig",
    "SnapTradeSource",
    "SourceBase",
    "SourceConfig",
    "TradrSource",
    "load_sources",
    "parse_sources",
    "parse_user_secrets",
    "sandbox_sources",
]

SANDBOX_TIMEOUT_SECONDS = 3.0  # the built-in sources': the sandbox answers on loopback

MODELS: tuple[type[SourceBase], ...] = tuple(spec.config for spec in SPECS)
KINDS = tuple(spec.kind for spec in SPECS)
OFFERED_KINDS = tuple(spec.kind for spec in SPECS if not spec.preview)  # in error messages
# Any registered kind's model, chosen by `kind`.
SourceConfig = Annotated[Union[MODELS], Field(discriminator="kind")]  # type: ignore[valid-type]  # noqa: UP007
_SOURCE: TypeAdapter[SourceBase] = TypeAdapter(SourceConfig)
FIELDS = {spec.kind: tuple(spec.config.model_fields) for spec in SPECS}
SECRET_FIELDS = frozenset(
    name
    for model in MODELS
    for name, info in model.model_fields.items()
    if SecretStr in (info.annotation, *getattr(info.annotation, "__args__", ()))
)
UNSET = "unset"  # stands in for a missing variable's value, so the rest is still checked


def parse_sources(
    raw: Sequence[Any], *, origin: str, unset: Mapping[int, Mapping[str, str]] | None = None
) -> list[SourceConfig]:
    """Validate source mappings, reporting every problem at once (ConfigError, a line
    each, naming `origin`, the source and the field, in the file's order). `unset` holds,
    per source index, the fields whose environment variable is not set ({field:
    variable}): said once, not again as invalid values."""
    problems: list[str] = []
    sources: list[SourceConfig] = []
    for index, entry in enumerate(raw):
        label = source_label(entry, index)
        missing = (unset or {}).get(index, {})
        problems += [missing_variable(origin, label, f, v) for f, v in missing.items()]
        skipped = tuple(missing)
        if not isinstance(entry, Mapping):
            problems.append(
                f"{origin}: source #{index + 1}: expected a mapping of fields (name: ..., "
                f"kind: ...), got {type(entry).__name__}"
            )
            continue
        try:
            source = _SOURCE.validate_python(dict(entry))
        except ValidationError as exc:
            problems += validation_problems(
                exc.errors(),
                origin=origin,
                source=label,
                kinds=KINDS,
                offered_kinds=OFFERED_KINDS,
                fields_of=FIELDS,
                secret_fields=SECRET_FIELDS,
                skip_fields=skipped,
            )
            continue
        problems += [f"{origin}: {line}" for line in source.problems(frozenset(skipped))]
        sources.append(source)
    names = [source_label(entry, index) for index, entry in enumerate(raw)]
    for name in sorted({name for name in names if names.count(name) > 1}):
        problems.append(
            f"{where(origin, name)}: the name appears {names.count(name)} times; names must "
            "be unique (each is the `source` column of its rows): rename all but one"
        )
    if problems:
        raise ConfigError(*problems)
    return sources


def load_sources(path: Path | str, environ: Mapping[str, str] | None = None) -> list[SourceConfig]:
    """Read sources.yaml, resolving `{env: NAME}` secrets from the environment; every
    problem of the file is reported at once."""
    path = Path(path)
    environ = os.environ if environ is None else environ
    entries = _entries(path)
    raw: list[Any] = []
    unset: dict[int, dict[str, str]] = {}
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict):
            raw.append(entry)
            continue
        resolved = {}
        for field, value in entry.items():
            if isinstance(value, dict) and set(value) == {"env"}:
                variable = str(value["env"])
                if variable not in environ:
                    unset.setdefault(index, {})[field] = variable
                value = environ.get(variable, UNSET)
            resolved[field] = value
        raw.append(resolved)
    return parse_sources(raw, origin=str(path), unset=unset)


def _entries(path: Path) -> list[Any]:
    """The `sources` list of a file, or a ConfigError saying why there is none."""
    try:
        document = yaml.safe_load(path.read_text())
    except FileNotFoundError:
        raise ConfigError(
            f"{path}: file not found; copy sources.example.yaml there, or give the path of "
            "your sources file (--sources FILE or BROKERLAKE_SOURCES)"
        ) from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "a syntax error"
        raise ConfigError(f"{path}: not valid YAML{at}: {problem}") from None
    if not isinstance(document, dict) or not isinstance(document.get("sources"), list):
        raise ConfigError(
            f"{path}: expected a mapping with a 'sources' list (see sources.example.yaml)"
        )
    return document["sources"]


def sandbox_sources(manifest: Mapping[str, Any]) -> list[SourceConfig]:
    """The built-in sources over a running sandbox, from the manifest it publishes (in its
    APIs' order), each kind's from its spec. Each paces itself at the limit that sandbox
    enforces (none when it enforces none)."""
    by_api = {spec.api: spec for spec in BY_KIND.values()}
    raw: list[dict[str, Any]] = []
    for name, api in manifest.get("apis", {}).items():
        spec = by_api.get(name)
        if spec is None or not api:
            continue
        for fields in spec.sandbox_sources(api):
            raw.append(
                {
                    "kind": spec.kind,
                    "sandbox": True,
                    "timeout_seconds": SANDBOX_TIMEOUT_SECONDS,
                    "rate_limit": api.get("rate_limit") or False,
                    "base_url": api["base_url"],
                    **fields,
                }
            )
    return parse_sources(raw, origin="the sandbox manifest")
