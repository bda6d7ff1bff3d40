"""Key-pair authentication, as the Trading API gateway does it.

Both headers are required (a missing one is 403 `{"message": "forbidden."}`); an unknown
key or a wrong secret is 401. Secrets are compared in constant time, and an unknown key
costs the same comparison as a known one. A key sees only its own account.
"""

from __future__ import annotations

import hmac
import threading

from starlette.responses import JSONResponse

from sandbox.alpaca_trading.errors import forbidden, unauthorized
from sandbox.world import Account, ApiKey, World

KEY_HEADER = "apca-api-key-id"
SECRET_HEADER = "apca-api-secret-key"
_NO_SECRET = b"\0" * 40


class Keyring:
    """The world's key pairs by key id, rebuilt only when the served world changes."""

    def __init__(self) -> None:
        self._world: World | None = None
        self._keys: dict[str, ApiKey] = {}
        self._lock = threading.Lock()

    def keys(self, world: World) -> dict[str, ApiKey]:
        with self._lock:
            if world is not self._world:
                self._keys = {key.key_id: key for key in world.alpaca_keys()}
                self._world = world
            return self._keys

    def authenticate(
        self, world: World, key_id: str | None, secret: str | None
    ) -> Account | JSONResponse:
        """The key's account, or the error response to send."""
        if not key_id or not secret:
            return forbidden()
        key = self.keys(world).get(key_id)
        expected = key.secret_key.encode() if key else _NO_SECRET
        if not hmac.compare_digest(secret.encode(), expected) or key is None:
            return unauthorized()
        return world.account(key.account_id)
