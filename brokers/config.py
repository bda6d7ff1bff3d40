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

from brokers.config_messages import missing_variable, source_label, validation_problems, where
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
MODELS: tuple[type[SourceBase], ...] = (
    AlpacaSource,
    AlpacaBrokerSource,
    SnapTradeSource,
    TradrSource,
)
KINDS = ("alpaca", "alpaca_broker", "snaptrade", "tradr")
_SOURCE = TypeAdapter(SourceConfig)
FIELDS = {kind: tuple(model.model_fields) for kind, model in zip(KINDS, MODELS, strict=True)}
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
                fields_of=FIELDS,
                secret_fields=SECRET_FIELDS,
                skip_fields=skipped,
            )
            continue
        if isinstance(source, SnapTradeSource) and not {"user_secrets", "user_secrets_file"} & {
            *skipped
        }:
            try:
                source.users()
            except ConfigError as exc:
                problems += [f"{origin}: {line}" for line in exc.problems]
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
    if snaptrade and snaptrade["users"]:  # a world with no SnapTrade users has no source
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
