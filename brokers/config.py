"""Configured sources: what `sources.yaml` may say, checked with errors that name the file,
the source and the field.

Secrets in the file are never literal: a secret field holds `{env: VARIABLE}` and the value
is read from the environment when the file is loaded. Built-in sandbox sources are built
in code with their values directly.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    TypeAdapter,
    ValidationError,
    model_validator,
)

from brokers.errors import ConfigError

SOURCE_NAME_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,62}$"


SANDBOX_TIMEOUT_SECONDS = 3.0  # the built-in sources': the sandbox answers on loopback


class RateLimitConfig(BaseModel):
    """A source's request limit, where it differs from what the broker documents (a
    raised limit on a paid plan, a key shared with another client)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    requests: int = Field(gt=0)
    per_seconds: float = Field(default=60.0, gt=0)


class SourceBase(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=SOURCE_NAME_PATTERN)
    sandbox: bool = False  # served by the built-in sandbox (the output says so)
    timeout_seconds: float = Field(default=30.0, gt=0)  # to connect, and between bytes
    retry_seconds: float = Field(default=120.0, gt=0)  # total retrying of one request
    # None: the broker's documented limit; false: none at all (an API that does not limit)
    rate_limit: RateLimitConfig | Literal[False] | None = None

    def secrets(self) -> list[str]:
        """Every secret value of this source, for redaction."""
        return [
            value.get_secret_value()
            for value in self.__dict__.values()
            if isinstance(value, SecretStr)
        ]


class AlpacaSource(SourceBase):
    """Alpaca Trading API v2: one account per key pair (paper or live host)."""

    kind: Literal["alpaca"]
    base_url: str = Field(default="https://paper-api.alpaca.markets", pattern=r"^https?://")
    key_id: SecretStr
    secret_key: SecretStr


class AlpacaBrokerSource(SourceBase):
    """Alpaca Broker API v1: every customer account of a partner, through one set of
    credentials: an API key pair (HTTP Basic), or an OAuth2 client (`client_id`,
    `client_secret`) whose tokens come from `token_url`."""

    kind: Literal["alpaca_broker"]
    base_url: str = Field(default="https://broker-api.alpaca.markets", pattern=r"^https?://")
    token_url: str = Field(
        default="https://authx.alpaca.markets/v1/oauth2/token", pattern=r"^https?://"
    )
    key_id: SecretStr | None = None
    secret_key: SecretStr | None = None
    client_id: SecretStr | None = None
    client_secret: SecretStr | None = None

    @model_validator(mode="after")
    def _one_credential_kind(self) -> AlpacaBrokerSource:
        basic = (self.key_id is not None, self.secret_key is not None)
        oauth = (self.client_id is not None, self.client_secret is not None)
        if len(set(basic)) > 1 or len(set(oauth)) > 1:
            raise ValueError(
                "give key_id with secret_key (HTTP Basic), or client_id with client_secret "
                "(OAuth2), each pair complete"
            )
        if basic[0] == oauth[0]:
            raise ValueError(
                "give exactly one kind of credentials: key_id + secret_key, or "
                "client_id + client_secret"
            )
        return self

    @property
    def uses_oauth(self) -> bool:
        return self.client_id is not None


class SnapTradeSource(SourceBase):
    """SnapTrade: one partner key (clientId + consumerKey) over many end users.

    Each user's secret comes from configuration, never from the lake: `user_secrets` holds
    JSON (`{"userId": "userSecret", ...}` or a list of `{"userId", "userSecret"}`), usually
    from an environment variable, or `user_secrets_file` names a file holding that JSON.
    """

    kind: Literal["snaptrade"]
    base_url: str = Field(default="https://api.snaptrade.com", pattern=r"^https?://")
    client_id: SecretStr
    consumer_key: SecretStr
    user_secrets: SecretStr | None = None
    user_secrets_file: Path | None = None

    @model_validator(mode="after")
    def _one_secrets_origin(self) -> SnapTradeSource:
        if (self.user_secrets is None) == (self.user_secrets_file is None):
            raise ValueError("give exactly one of user_secrets or user_secrets_file")
        return self

    def users(self) -> dict[str, str]:
        """userId -> userSecret, read from the configured JSON; errors name the source."""
        if self.user_secrets_file is not None:
            origin = f"the file {self.user_secrets_file}"
            try:
                text = self.user_secrets_file.read_text()
            except OSError as exc:
                raise ConfigError(
                    f"source {self.name!r}: user_secrets_file cannot be read: {exc.strerror}"
                ) from None
        else:
            origin = "user_secrets"
            text = self.user_secrets.get_secret_value() if self.user_secrets else ""
        return parse_user_secrets(text, source=self.name, origin=origin)

    def secrets(self) -> list[str]:
        try:
            return [*super().secrets(), *self.users().values()]
        except ConfigError:
            return super().secrets()


class TradrSource(SourceBase):
    """TradrAPI: every account one API key covers. An account key covers one account; a
    user key all or some of its user's accounts. `account_ids` narrows the read to some of
    them (each must be covered by the key). A key with the read role only is enough."""

    kind: Literal["tradr"]
    base_url: str = Field(default="https://live.tradrapi.com", pattern=r"^https?://")
    api_key: SecretStr
    account_ids: tuple[int, ...] | None = Field(default=None, min_length=1)


def parse_user_secrets(text: str, *, source: str, origin: str) -> dict[str, str]:
    """`{"user": "secret"}` or `[{"userId": ..., "userSecret": ...}]` as a mapping. The
    message never quotes the text: it is full of secrets."""
    where = f"source {source!r}: {origin}"
    try:
        document = json.loads(text)
    except ValueError:
        raise ConfigError(
            f'{where} is not JSON; expected {{"<userId>": "<userSecret>", ...}}'
        ) from None
    if isinstance(document, list):
        pairs = []
        for index, entry in enumerate(document):
            if not isinstance(entry, dict) or not {"userId", "userSecret"} <= set(entry):
                raise ConfigError(f"{where}: entry #{index + 1} needs userId and userSecret")
            pairs.append((entry["userId"], entry["userSecret"]))
    elif isinstance(document, dict):
        pairs = list(document.items())
    else:
        raise ConfigError(f"{where}: expected a JSON object of userId -> userSecret")
    users: dict[str, str] = {}
    for user, secret in pairs:
        if not isinstance(user, str) or not user or not isinstance(secret, str) or not secret:
            raise ConfigError(f"{where}: user ids and secrets must be non-empty strings")
        users[user] = secret
    if not users:
        raise ConfigError(f"{where}: no users given")
    return users


SourceConfig = Annotated[
    AlpacaSource | AlpacaBrokerSource | SnapTradeSource | TradrSource, Field(discriminator="kind")
]
KINDS = ("alpaca", "alpaca_broker", "snaptrade", "tradr")
_SOURCES = TypeAdapter(list[SourceConfig])


def parse_sources(raw: Sequence[Mapping[str, Any]], *, origin: str) -> list[SourceConfig]:
    """Validate source mappings; the error names `origin`, the source and the field."""
    try:
        sources = _SOURCES.validate_python(list(raw))
    except ValidationError as exc:
        raise ConfigError(_describe(exc, raw, origin)) from None
    names = [source.name for source in sources]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise ConfigError(f"{origin}: source names must be unique; repeated: {duplicates}")
    return sources


def load_sources(path: Path | str, environ: Mapping[str, str] | None = None) -> list[SourceConfig]:
    """Read sources.yaml, resolving `{env: NAME}` secrets from the environment."""
    path = Path(path)
    environ = os.environ if environ is None else environ
    try:
        document = yaml.safe_load(path.read_text())
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(document, dict) or not isinstance(document.get("sources"), list):
        raise ConfigError(f"{path}: expected a mapping with a 'sources' list")
    raw = [_resolve_env(entry, environ, path, i) for i, entry in enumerate(document["sources"])]
    return parse_sources(raw, origin=str(path))


def _resolve_env(entry: Any, environ: Mapping[str, str], path: Path, index: int) -> Any:
    if not isinstance(entry, dict):
        raise ConfigError(f"{path}: source #{index + 1}: expected a mapping, got {entry!r}")
    name = entry.get("name", f"#{index + 1}")
    resolved = {}
    for field, value in entry.items():
        if isinstance(value, dict) and set(value) == {"env"}:
            variable = str(value["env"])
            if variable not in environ:
                raise ConfigError(
                    f"{path}: source {name!r}: field {field!r}: environment variable "
                    f"{variable} is not set"
                )
            value = environ[variable]
        resolved[field] = value
    return resolved


def _describe(exc: ValidationError, raw: Sequence[Mapping[str, Any]], origin: str) -> str:
    lines = []
    for error in exc.errors():
        loc = list(error["loc"])
        index = loc.pop(0) if loc and isinstance(loc[0], int) else None
        source = "?"
        if index is not None and index < len(raw) and isinstance(raw[index], Mapping):
            source = str(raw[index].get("name", f"#{index + 1}"))
        if loc and loc[0] in KINDS:
            loc.pop(0)  # the union's tag, not a field
        message = error["msg"]
        if error["type"] in {"union_tag_invalid", "union_tag_not_found"}:
            message = f"must be one of {', '.join(KINDS)}"
        if not loc and error["type"] == "value_error":  # a rule over several fields
            lines.append(f"{origin}: source {source!r}: {message.removeprefix('Value error, ')}")
            continue
        field = ".".join(str(part) for part in loc) or "kind"
        lines.append(f"{origin}: source {source!r}: field {field!r}: {message}")
    return "\n".join(lines)


def source_names(path: Path | str) -> list[str]:
    """The names a sources file declares, read without touching secrets (for partitions)."""
    return list(source_kinds(path))


def source_kinds(path: Path | str) -> dict[str, str]:
    """{name: kind} as a sources file declares them, read without touching secrets (the
    asset graph is built from these: one set of assets per source, pooled per broker API)."""
    path = Path(path)
    try:
        document = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: cannot be read: {exc}") from None
    entries = document.get("sources") if isinstance(document, dict) else None
    if not isinstance(entries, list):
        raise ConfigError(f"{path}: expected a mapping with a 'sources' list")
    return {
        str(entry.get("name")): str(entry.get("kind"))
        for entry in entries
        if isinstance(entry, dict)
    }


def sandbox_sources(manifest: Mapping[str, Any]) -> list[SourceConfig]:
    """The built-in sources over a running sandbox, from the manifest it publishes. Each
    paces itself at the limit that sandbox enforces (none when it enforces none)."""
    apis = manifest.get("apis", {})
    raw: list[dict[str, Any]] = []

    def add(api: Mapping[str, Any], name: str, kind: str, **fields: Any) -> None:
        raw.append(
            {
                "name": name,
                "kind": kind,
                "sandbox": True,
                "timeout_seconds": SANDBOX_TIMEOUT_SECONDS,
                "rate_limit": api.get("rate_limit") or False,
                "base_url": api["base_url"],
                **fields,
            }
        )

    alpaca = apis.get("alpaca")
    if alpaca:
        for number, account in enumerate(alpaca["accounts"], start=1):
            add(
                alpaca,
                f"sandbox-alpaca-{number}",
                "alpaca",
                key_id=account["key_id"],
                secret_key=account["secret_key"],
            )
    snaptrade = apis.get("snaptrade")
    if snaptrade:
        secrets = {user["user_id"]: user["user_secret"] for user in snaptrade["users"]}
        add(
            snaptrade,
            "sandbox-snaptrade",
            "snaptrade",
            client_id=snaptrade["client_id"],
            consumer_key=snaptrade["consumer_key"],
            user_secrets=json.dumps(secrets),
        )
    broker = apis.get("alpaca_broker")
    if broker:
        add(
            broker,
            "sandbox-alpaca-broker",
            "alpaca_broker",
            token_url=broker["base_url"] + broker["token_path"],
            client_id=broker["client_id"],
            client_secret=broker["client_secret"],
        )
    tradr = apis.get("tradr")
    if tradr:
        for label, key in sorted(tradr["keys"].items(), reverse=True):  # user key first
            add(
                tradr,
                f"sandbox-tradr-{label.removesuffix('_key')}",
                "tradr",
                api_key=key["api_key"],
            )
    return parse_sources(raw, origin="the sandbox manifest")
