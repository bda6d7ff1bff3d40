"""A TradrAPI source in sources.yaml."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr

from brokers.source import SourceBase


class TradrSource(SourceBase):
    """TradrAPI: every account one API key covers. An account key covers one account; a
    user key all or some of its user's accounts. `account_ids` narrows the read to some of
    them (each must be covered by the key). A key with the read role only is enough."""

    kind: Literal["tradr"]
    base_url: str = Field(default="https://live.tradrapi.com", pattern=r"^https?://")
    api_key: SecretStr
    account_ids: tuple[int, ...] | None = Field(default=None, min_length=1)
