"""Alpaca's JSON error bodies. alpaca-py parses every error body as JSON, so all are JSON."""

from __future__ import annotations

from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

INVALID_PARAMETER = 40010001
UNAUTHORIZED = 40110000
NOT_FOUND = 40410000
METHOD_NOT_ALLOWED = 40510000
LIMIT_OUT_OF_RANGE = 42210000
RATE_LIMITED = 42910000
INTERNAL = 50010000


class ApiError(Exception):
    """An error answer, raised anywhere in a handler and rendered as Alpaca's body."""

    def __init__(self, status: int, code: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message

    def response(self) -> JSONResponse:
        return error_response(self.status, self.code, self.message)


def error_response(status: int, code: int, message: str) -> JSONResponse:
    return JSONResponse({"code": code, "message": message}, status_code=status)


def invalid(message: str) -> ApiError:
    return ApiError(422, INVALID_PARAMETER, message)


def forbidden() -> JSONResponse:
    """The gateway's answer when a key header is missing (no code field, as observed)."""
    return JSONResponse({"message": "forbidden."}, status_code=403)


def unauthorized() -> JSONResponse:
    return error_response(401, UNAUTHORIZED, "request is not authorized")


def rate_limited() -> JSONResponse:
    return error_response(429, RATE_LIMITED, "rate limit exceeded")


async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return exc.response()


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 405:
        return error_response(405, METHOD_NOT_ALLOWED, "method not allowed")
    if exc.status_code == 404:
        return error_response(404, NOT_FOUND, "endpoint not found")
    return error_response(exc.status_code, exc.status_code * 100_000, str(exc.detail))


async def _server_error(request: Request, exc: Exception) -> Response:
    return error_response(500, INTERNAL, "internal server error")


# Starlette's exception handlers for an Alpaca API: every error as Alpaca's JSON body.
EXCEPTION_HANDLERS: dict[Any, Any] = {
    ApiError: _api_error,
    HTTPException: _http_error,
    500: _server_error,
}
