"""What a simulated API is to the server: where it is mounted, how it is built, what it
publishes in the manifest, what faults and drift need to know of it, and any state it
keeps while the server runs. Each API's package exports one `MountedApi` as `API`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from starlette.types import ASGIApp

from sandbox.drift import RecordShape
from sandbox.faults import ApiTraits
from sandbox.world import World

if TYPE_CHECKING:
    from sandbox.serving import ServingState


@dataclass(frozen=True)
class MountedApi:
    prefix: str  # where it is mounted: a client's base URL is server URL + prefix
    build: Callable[[ServingState], ASGIApp]
    describe: Callable[[World], dict[str, Any]]  # manifest entry (base_url is added)
    traits: ApiTraits  # its name (in the manifest and request_counts), limit, headers
    drift: tuple[RecordShape, ...] = ()  # its drift-prone records
    # What it keeps while serving (TradrAPI's key store), made from the first world.
    state: Callable[[World], object] | None = None
    # Whether a world has any of it: None, always. A preview API (Plaid's) is served only
    # by a world that has some of it, so a sandbox without it is the one it was before.
    present: Callable[[World], bool] | None = None

    @property
    def name(self) -> str:
        return self.traits.name

    def served_by(self, world: World) -> bool:
        return self.present is None or self.present(world)
