"""An Alpaca Trading API source in sources.yaml."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr

from brokers.source import SourceBase


class AlpacaSource(SourceBase):
    """Alpaca Trading API v2: one account per key pair (paper or live host)."""

    kind: Literal["alpaca"]
    base_url: str = Field(default="https://paper-api.alpaca.markets", pattern=r"^https?://")
    key_id: SecretStr
    secret_key: SecretStr
