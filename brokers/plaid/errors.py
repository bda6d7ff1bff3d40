"""Plaid's errors in the user's terms. Plaid answers most errors with HTTP 400 and says
what went wrong in `error_code`: rejected client keys are INVALID_API_KEYS (not a 401),
an Item whose user must log in again ITEM_LOGIN_REQUIRED."""

from __future__ import annotations

from brokers.errors import BrokerHTTPError, CredentialsRejected, SourceError

LOGIN_REQUIRED = "ITEM_LOGIN_REQUIRED"


class ItemUnreadable(SourceError):
    """One Item cannot be read now (its user must log in again, or its access token is not
    one Plaid knows); the other Items still can."""

    def __init__(self, source: str, item: int, code: str, endpoint: str | None) -> None:
        self.item = item  # the token's position in access_tokens, counted from 1
        self.code = code
        self.reason = _WHY.get(code, code)
        super().__init__(
            source, f"the Item of access token #{item}: {self.reason}", endpoint=endpoint
        )

    def warning(self) -> str:
        where = f"the Item of access token #{self.item}"
        return f"source {self.source}: {where} was skipped: {self.reason}"


_WHY = {
    LOGIN_REQUIRED: "ITEM_LOGIN_REQUIRED: its user must log in again (Plaid Link's update "
    "mode); none of its accounts, balances, holdings or transactions can be read until then",
    "INVALID_ACCESS_TOKEN": "INVALID_ACCESS_TOKEN: Plaid does not know this access token; "
    "remove it from access_tokens, or link the Item again",
}


def translated(exc: BrokerHTTPError, source: str, item: int) -> SourceError:
    """A Plaid error answer as what the user must act on."""
    code = (exc.detail or "").split(":", 1)[0]
    if code == "INVALID_API_KEYS":
        return CredentialsRejected(
            source,
            f"credentials were rejected (HTTP {exc.status}: {exc.detail}); check this "
            "source's client_id and secret in sources.yaml and the environment",
            endpoint=exc.endpoint,
            status=exc.status,
            detail=exc.detail,
        )
    if code in _WHY:
        return ItemUnreadable(source, item, code, exc.endpoint)
    return exc
