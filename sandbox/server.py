"""Serving the world: every simulated API on one uvicorn server on loopback.

`Sandbox` runs the server in a background thread (tests, the embedded demo); `serve`
runs it in the foreground and prints the manifest first, so another process can read
the URLs and credentials from the first line of output.
"""

from __future__ import annotations

import contextlib
import json
import signal
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from types import FrameType, TracebackType
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.types import ASGIApp

from sandbox import ecb
from sandbox.apis import served
from sandbox.asgi import Counted, WorldDate
from sandbox.cache import ResponseCache
from sandbox.drift import Drifting, DriftProfile
from sandbox.faults import FaultInjector, FaultPlan
from sandbox.limits import PERIOD_SECONDS
from sandbox.replay import TEMPLATE as REPLAY_TEMPLATE
from sandbox.replay import Replay, replay_prefix
from sandbox.serving import REPLAYED_WORLD, ServingState
from sandbox.tokens import DEFAULT_LIFETIME_SECONDS, TokenLedger
from sandbox.tradr.keys import KeyStore
from sandbox.world import World, WorldSizes

MANIFEST_PATH = "/_sandbox/manifest"
STARTUP_TIMEOUT_SECONDS = 10.0


@dataclass(frozen=True)
class SandboxConfig:
    seed: int = 0
    clock: datetime | None = None  # None: start of the current UTC day
    sizes: WorldSizes = WorldSizes()  # noqa: RUF009 (frozen, shared safely)
    enforce_rate_limits: bool = False
    rate_limit_period_seconds: float | None = None  # compress rate windows (tests)
    token_lifetime_seconds: float = DEFAULT_LIFETIME_SECONDS  # compress OAuth2 tokens (tests)
    faults: FaultPlan = FaultPlan()  # noqa: RUF009 (frozen) transient faults, per API
    drift: DriftProfile = DriftProfile()  # noqa: RUF009 (frozen) schema drift in a few rows
    host: str = "127.0.0.1"
    port: int = 0  # 0: a free port
    # Keep every answer and serve repeats from memory (benchmarks): the world's bytes are
    # then rendered once, however many clients read them. Off when faults, drift or rate
    # limits are on (each is decided per request).
    cache_responses: bool = False


class Sandbox:
    """Every simulated API, served by uvicorn on loopback in a background thread."""

    def __init__(self, config: SandboxConfig = SandboxConfig()) -> None:
        self.config = config
        world = World(config.seed, config.clock, config.sizes)
        self._state = ServingState(
            world=world,
            api_state={
                api.name: api.state(world) for api in served(world) if api.state is not None
            },
            enforce_rate_limits=config.enforce_rate_limits,
            rate_limit_period=config.rate_limit_period_seconds,
            token_lifetime=config.token_lifetime_seconds,
            faults=config.faults,
            drift=config.drift,
            cache_responses=config.cache_responses,
        )
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self.base_url = ""

    @property
    def world(self) -> World:
        """The world being served."""
        return self._state.world

    @property
    def tokens(self) -> TokenLedger:
        """The OAuth2 tokens issued so far (and a way to revoke them all)."""
        return self._state.tokens

    def api_state(self, name: str) -> Any:
        """What the API `name` keeps while serving (its `MountedApi.state`)."""
        return self._state.api_state[name]

    @property
    def tradr_keys(self) -> KeyStore:
        """TradrAPI's key store: `create(...)` makes a key and returns it, once."""
        return self.api_state("tradr")  # type: ignore[no-any-return]

    @property
    def request_counts(self) -> dict[str, int]:
        """Requests served so far, per API name."""
        return self._state.request_counts

    @property
    def status_counts(self) -> dict[str, dict[int, int]]:
        """Answers so far, per API name and HTTP status (429s included)."""
        return self._state.status_counts

    @property
    def request_times(self) -> dict[str, deque[float]]:
        """When requests arrived (time.monotonic()), per API name: the latest 100,000."""
        return self._state.request_times

    @property
    def fault_counts(self) -> dict[str, dict[str, int]]:
        """Faults injected so far, per API name and kind."""
        return self._state.fault_counts

    def set_clock(self, clock: datetime) -> None:
        """Move the served world to another instant (requests in flight keep theirs)."""
        self._state.world = self._state.world.at(clock)

    def start(self) -> Sandbox:
        """Start serving; returns once the server accepts connections."""
        if self._server is not None:
            return self
        config = uvicorn.Config(
            _root_app(self._state, self.manifest),
            host=self.config.host,
            port=self.config.port,
            log_level="warning",
            date_header=False,
            server_header=False,
            lifespan="off",
        )
        server = uvicorn.Server(config)
        thread = threading.Thread(target=_run, args=(server,), name="sandbox-server", daemon=True)
        thread.start()
        deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                server.should_exit = True
                raise RuntimeError(
                    f"the sandbox server did not start on {self.config.host}:{self.config.port}"
                )
            time.sleep(0.01)
        self._server, self._thread = server, thread
        port = server.servers[0].sockets[0].getsockname()[1]
        host = f"[{self.config.host}]" if ":" in self.config.host else self.config.host
        self.base_url = f"http://{host}:{port}"
        return self

    def stop(self) -> None:
        if self._server is None or self._thread is None:
            return
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._server = self._thread = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def manifest(self, at: datetime | None = None) -> dict[str, Any]:
        """Where each API is and the credentials to use it (JSON-serialisable); `at`: as
        replayed at that instant (URLs under `/_at/<instant>`)."""
        world = self.world if at is None else self._state.world_at(at)
        base_url = self.base_url + ("" if at is None else replay_prefix(at))
        return {
            "seed": world.seed,
            "clock": _rfc3339(world.clock),
            "base_url": base_url,
            "replay": self.base_url + REPLAY_TEMPLATE,
            "faults": self._state.faults.describe(),
            "drift": self._state.drift.describe(),
            "apis": {
                api.name: {
                    "base_url": base_url + api.prefix,
                    "rate_limit": self._rate_limit(api.traits.requests_per_minute),
                    **api.describe(world),
                }
                for api in served(world)
            },
            # sources of reference data beside the brokers: the ECB's exchange rates
            "reference": {"ecb": {"base_url": base_url + ecb.PREFIX, **ecb.describe(world)}},
        }

    def _rate_limit(self, per_minute: int) -> dict[str, float] | None:
        """The limit a client must keep to, per key: None when none is enforced."""
        if not self._state.enforce_rate_limits:
            return None
        return {
            "requests": per_minute,
            "per_seconds": self._state.rate_limit_period or PERIOD_SECONDS,
        }


def _run(server: uvicorn.Server) -> None:
    with contextlib.suppress(SystemExit):  # uvicorn exits when it cannot bind; start() says so
        server.run()


def _rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().removesuffix("+00:00") + "Z"


def _root_app(state: ServingState, manifest: Any) -> ASGIApp:
    async def get_manifest(request: Request) -> Response:
        replayed = request.scope.get("state", {}).get(REPLAYED_WORLD)
        return JSONResponse(manifest(replayed.clock if replayed else None))

    async def not_found(request: Request, exc: Exception) -> Response:
        return JSONResponse({"message": "not found"}, status_code=404)

    routes: list[Route | Mount] = [Route(MANIFEST_PATH, get_manifest)]
    for api in served(state.world):
        app = api.build(state)
        if state.cache_responses and not (
            state.drift.active or state.faults.active or state.enforce_rate_limits
        ):
            app = ResponseCache(app, state)
        if state.drift.active:
            app = Drifting(app, api.drift, state.drift)
        if state.faults.active:
            app = FaultInjector(app, api.traits, state.faults, state)
        routes.append(Mount(api.prefix, app=Counted(app, api.name, state)))
    routes.append(Mount(ecb.PREFIX, app=ecb.build_app(state)))  # not a broker: not counted
    app = Starlette(routes=routes, exception_handlers={404: not_found})
    return Replay(WorldDate(app, state), state)


def serve(config: SandboxConfig, prepare: Callable[[World], object] | None = None) -> None:
    """Blocking: start, print the manifest as ONE JSON line to stdout first (flush), then
    serve until SIGINT/SIGTERM. `prepare(world)` runs first, on the world to be served
    (a benchmark draws what a large world's first requests would wait for)."""
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    sandbox = Sandbox(config)
    if prepare is not None:
        prepare(sandbox.world)
    sandbox.start()
    try:
        print(json.dumps(sandbox.manifest()), flush=True)
        while not stop.wait(0.2) and sandbox.running:
            pass
    finally:
        sandbox.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
