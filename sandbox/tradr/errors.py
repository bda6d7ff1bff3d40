"""TradrAPI's error bodies. The real format is not published; the SDK's DTO names suggest
a NestJS service, so errors take NestJS's shape: `{statusCode, message, error}`."""

from __future__ import annotations

from http import HTTPStatus

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response


class ApiError(Exception):
    """An error answer, raised anywhere in a handler."""

    def __init__(self, status: int, message: str | list[str]) -> None:
        super().__init__(str(message))
        self.status = status
        self.message = message

    def response(self) -> JSONResponse:
        return error_response(self.status, self.message)


def error_response(status: int, message: str | list[str]) -> JSONResponse:
    body = {"statusCode": status, "message": message, "error": HTTPStatus(status).phrase}
    return JSONResponse(body, status_code=status)


def bad_request(message: str) -> ApiError:
    """A failed DTO validation: NestJS lists the messages."""
    return ApiError(400, [message])


def not_covered(account_id: int) -> ApiError:
    return ApiError(403, f"This API key does not have access to account {account_id}")


async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return exc.response()


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return error_response(exc.status_code, str(exc.detail))


EXCEPTION_HANDLERS = {ApiError: _api_error, HTTPException: _http_error}
