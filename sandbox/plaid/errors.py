"""Plaid's error bodies: every error is JSON with `error_type`, `error_code`,
`error_message`, `display_message` and the `request_id`, under the HTTP status Plaid
gives that type (400 for bad input and Item errors, 429 over a rate limit)."""

from __future__ import annotations

from starlette.responses import JSONResponse

DOCS = "https://plaid.com/docs/errors/"


class PlaidError(Exception):
    """An error answer, raised anywhere in a handler and rendered as Plaid's body."""

    def __init__(self, status: int, error_type: str, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.error_type = error_type
        self.code = code
        self.message = message

    def body(self, request_id: str) -> dict[str, object]:
        return {
            "error_type": self.error_type,
            "error_code": self.code,
            "error_code_reason": None,
            "error_message": self.message,
            "display_message": None,
            "request_id": request_id,
            "causes": [],
            "status": self.status,
            "documentation_url": DOCS,
            "suggested_action": None,
        }

    def response(self, request_id: str) -> JSONResponse:
        return JSONResponse(self.body(request_id), status_code=self.status)


def invalid_request(code: str, message: str) -> PlaidError:
    return PlaidError(400, "INVALID_REQUEST", code, message)


def invalid_input(code: str, message: str) -> PlaidError:
    return PlaidError(400, "INVALID_INPUT", code, message)


def login_required() -> PlaidError:
    return PlaidError(
        400,
        "ITEM_ERROR",
        "ITEM_LOGIN_REQUIRED",
        "the login details of this item have changed (credentials, MFA, or required user "
        "action) and a user login is required to update this information. use Link's "
        "update mode to restore the item to a good state",
    )


def rate_limited(code: str) -> PlaidError:
    return PlaidError(
        429,
        "RATE_LIMIT_EXCEEDED",
        code,
        "rate limit exceeded for attempts to access this item. please try again later",
    )
