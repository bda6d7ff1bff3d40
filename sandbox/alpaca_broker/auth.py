"""Who is calling the Broker API: HTTP Basic with the partner's key pair, or a Bearer
token from the client-credentials flow. Either way the caller is the partner; anything
else is 401 with Alpaca's error body. Secrets are compared in constant time."""

from __future__ import annotations

import base64
import binascii
import hmac

from starlette.responses import JSONResponse

from sandbox.alpaca_broker.credentials import PartnerCredentials
from sandbox.alpaca_trading.errors import UNAUTHORIZED, error_response
from sandbox.tokens import TokenLedger, TokenState


def same_secret(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode(), expected.encode())


def authenticate(
    authorization: str | None, partner: PartnerCredentials, tokens: TokenLedger
) -> JSONResponse | None:
    """None when the caller may proceed, else the 401 to send."""
    scheme, _, value = (authorization or "").partition(" ")
    if scheme.lower() == "basic":
        try:
            key_id, _, secret = base64.b64decode(value, validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return _unauthorized()
        if same_secret(key_id, partner.key_id) & same_secret(secret, partner.secret_key):
            return None
        return _unauthorized()
    if scheme.lower() == "bearer" and value:
        state, client = tokens.check(value.strip())
        if state is TokenState.VALID and client == partner.client_id:
            return None
        if state is TokenState.EXPIRED:
            return error_response(401, UNAUTHORIZED, "access token expired")
    return _unauthorized()


def _unauthorized() -> JSONResponse:
    return error_response(401, UNAUTHORIZED, "request is not authorized")
