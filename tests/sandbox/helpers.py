"""Shared by the sandbox tests: the fixed clock and an Alpaca key pair as headers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

CLOCK = datetime(2026, 11, 23, tzinfo=UTC)


@dataclass(frozen=True)
class AlpacaKey:
    account_id: str
    key_id: str
    secret_key: str

    @property
    def headers(self) -> dict[str, str]:
        return {"APCA-API-KEY-ID": self.key_id, "APCA-API-SECRET-KEY": self.secret_key}
