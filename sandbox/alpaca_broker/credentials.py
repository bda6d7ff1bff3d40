"""The world's Broker API partner and its two kinds of credentials: an API key pair for
HTTP Basic, and an OAuth2 client (id and secret) for the client-credentials flow."""

from __future__ import annotations

from dataclasses import dataclass

from sandbox.world.randomness import ALNUM, UPPER_ALNUM, alnum, rng


@dataclass(frozen=True)
class PartnerCredentials:
    key_id: str
    secret_key: str
    client_id: str
    client_secret: str


def partner(seed: int) -> PartnerCredentials:
    r = rng(seed, "alpaca_broker", "partner")
    return PartnerCredentials(
        key_id="CK" + alnum(r, 18, UPPER_ALNUM),
        secret_key=alnum(r, 40, ALNUM),
        client_id="CC" + alnum(r, 22, UPPER_ALNUM),
        client_secret=alnum(r, 48, ALNUM),
    )
