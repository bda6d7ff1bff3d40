"""`POST /v1/oauth2/token`: the client-credentials grant, as Alpaca's authx server has it.

The body is a form (`application/x-www-form-urlencoded`) with `grant_type`,
`client_id` and `client_secret`; the secret is accepted in the body only, never in an
Authorization header (`client_secret_post`). Errors are `{"error": code, "fields": [...]}`.
"""

from __future__ import annotations

from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from sandbox.alpaca_broker.auth import same_secret
from sandbox.alpaca_broker.credentials import PartnerCredentials
from sandbox.tokens import TokenLedger

FORM = "application/x-www-form-urlencoded"


def _error(status: int, code: str, *fields: str) -> JSONResponse:
    return JSONResponse(
        {"error": code, "fields": [{"name": name} for name in fields]}, status_code=status
    )


async def issue_token(
    request: Request, partner: PartnerCredentials, tokens: TokenLedger, lifetime: float
) -> Response:
    if request.method != "POST":
        return _error(405, "invalid_request")
    if request.headers.get("authorization"):
        return _error(401, "invalid_client", "client_secret")  # client_secret_basic refused
    if request.headers.get("content-type", "").split(";")[0].strip() != FORM:
        return _error(400, "invalid_request")
    form = {k: v[0] for k, v in parse_qs((await request.body()).decode(errors="replace")).items()}
    if form.get("grant_type") != "client_credentials":
        return _error(400, "unsupported_grant_type", "grant_type")
    missing = [name for name in ("client_id", "client_secret") if not form.get(name)]
    if missing:
        return _error(400, "invalid_request", *missing)
    if not (
        same_secret(form["client_id"], partner.client_id)
        & same_secret(form["client_secret"], partner.client_secret)
    ):
        return _error(401, "invalid_client")
    token, seconds = tokens.issue(partner.client_id, lifetime)
    return JSONResponse(
        {"access_token": token, "expires_in": max(1, round(seconds)), "token_type": "Bearer"},
        headers={"cache-control": "no-store"},
    )
