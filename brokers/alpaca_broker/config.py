"""An Alpaca Broker API source in sources.yaml."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr, model_validator

from brokers.source import SourceBase


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
