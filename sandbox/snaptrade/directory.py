"""Who the partner's users are and their current secrets: the world's users, plus what
the API itself changed (users registered or deleted, secrets reset) while serving."""

from __future__ import annotations

import threading
import uuid

from sandbox.world import World


class UserDirectory:
    def __init__(self) -> None:
        self._secrets: dict[str, str] = {}  # reset or registered
        self._registered: set[str] = set()
        self._deleted: set[str] = set()
        self._lock = threading.Lock()

    def users(self, world: World) -> list[str]:
        known = {u.user_id for u in world.snaptrade_users()} | self._registered
        return sorted(known - self._deleted)

    def secret(self, world: World, user_id: str) -> str | None:
        if user_id in self._deleted:
            return None
        if user_id in self._secrets:
            return self._secrets[user_id]
        return next((u.user_secret for u in world.snaptrade_users() if u.user_id == user_id), None)

    def register(self, world: World, user_id: str) -> str | None:
        """A new user's secret, or None when the id is taken."""
        with self._lock:
            if user_id in self.users(world):
                return None
            self._deleted.discard(user_id)
            self._registered.add(user_id)
            self._secrets[user_id] = str(uuid.uuid4())
            return self._secrets[user_id]

    def reset(self, user_id: str) -> str:
        with self._lock:
            self._secrets[user_id] = str(uuid.uuid4())
            return self._secrets[user_id]

    def delete(self, user_id: str) -> None:
        with self._lock:
            self._deleted.add(user_id)
            self._registered.discard(user_id)
