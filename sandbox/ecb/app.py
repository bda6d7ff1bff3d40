"""The ECB's three XML files over HTTP, at the ECB's own paths under the sandbox's
`/ecb` prefix: the latest day's rates, the last 90 days' and the whole history since
1999, each newest day first, in the gesmes envelope the ECB publishes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sandbox.ecb.rates import CURRENCIES, published_days, rate_on
from sandbox.serving import ServingState
from sandbox.world import World

PREFIX = "/ecb"
PATHS = {
    "/stats/eurofxref/eurofxref-daily.xml": 1,  # days kept: the latest
    "/stats/eurofxref/eurofxref-hist-90d.xml": 90,  # calendar days back from the latest
    "/stats/eurofxref/eurofxref-hist.xml": None,  # everything
}
HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<gesmes:Envelope xmlns:gesmes="http://www.gesmes.org/xml/2002-08-01" '
    'xmlns="http://www.ecb.int/vocabulary/2002-08-01/eurofxref">\n'
    "\t<gesmes:subject>Reference rates</gesmes:subject>\n"
    "\t<gesmes:Sender>\n\t\t<gesmes:name>European Central Bank</gesmes:name>\n"
    "\t</gesmes:Sender>\n\t<Cube>\n"
)
TAIL = "\t</Cube>\n</gesmes:Envelope>\n"


@lru_cache(maxsize=65536)
def _day_cube(seed: int, day: date) -> str:
    rates = "".join(
        f"\t\t\t<Cube currency='{c}' rate='{rate_on(seed, c, day)}'/>\n" for c in CURRENCIES
    )
    return f"\t\t<Cube time='{day.isoformat()}'>\n{rates}\t\t</Cube>\n"


def render(world: World, days_back: int | None) -> bytes:
    """The file for the world's clock: the latest published day, or every published day
    within `days_back` calendar days of it, or (None) all of them."""
    days = published_days(world.clock)
    if days and days_back is not None:
        oldest = days[0] - timedelta(days=days_back - 1)
        days = [d for d in days if d >= oldest]
    return (HEAD + "".join(_day_cube(world.seed, d) for d in days) + TAIL).encode()


def build_app(state: ServingState) -> Starlette:
    def endpoint(days_back: int | None) -> Callable[[Request], Awaitable[Response]]:
        async def serve(request: Request) -> Response:
            body = render(state.world_of(request.scope), days_back)
            return Response(body, media_type="text/xml")

        return serve

    return Starlette(routes=[Route(path, endpoint(back)) for path, back in PATHS.items()])


def describe(world: World) -> dict[str, Any]:
    """Its manifest entry: the files it serves (base_url is added by the server)."""
    return {"files": list(PATHS)}
