"""SnapTrade's error answers: DRF-style `{"detail", "status_code", "code"}` bodies.

Codes the public notes record are used as SnapTrade sends them (1076 signature, 1083 user
credentials, 1011 not found); where none is known the generic "0000" is used.
"""

from __future__ import annotations

from sandbox.snaptrade.wire import SnapTradeJSON


class SnapTradeError(Exception):
    def __init__(self, status: int, detail: str, code: str = "0000") -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.code = code

    def response(self, headers: dict[str, str] | None = None) -> SnapTradeJSON:
        body = {"detail": self.detail, "status_code": self.status, "code": self.code}
        return SnapTradeJSON(body, status_code=self.status, headers=headers)


def not_found() -> SnapTradeError:
    return SnapTradeError(404, "The requested resource does not exist.", "1011")


def bad_request(detail: str) -> SnapTradeError:
    return SnapTradeError(400, detail, "1012")
