"""Which kind of data a lake home holds: simulated (the built-in sandbox) or real (broker
APIs). The first write claims the home; from then on it refuses the other kind, so a
daemon started with the wrong settings cannot write simulated trades into a real lake.

The claim is a small file beside the lake, independent of the lake's own format. Homes
on object storage (`s3://...`) are not marked yet."""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path

from warehouse import Lake

MARKER = "brokerlake-environment.json"
SANDBOX, REAL = "sandbox", "real"
WORDS = {SANDBOX: "sandbox data (the built-in simulated brokers)", REAL: "data from real sources"}


class EnvironmentMismatch(RuntimeError):
    """The home holds the other kind of data."""


def kind_of(sandbox: bool) -> str:
    return SANDBOX if sandbox else REAL


def remote(home: Path | str) -> bool:
    return "://" in str(home)


def held(home: Path | str) -> str | None:
    """The kind of data the home holds, None when nothing has claimed it yet (or the home
    is on object storage, where no claim is kept)."""
    if remote(home):
        return None
    try:
        document = json.loads((Path(home) / MARKER).read_text())
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise EnvironmentMismatch(
            f"{Path(home) / MARKER} cannot be read ({exc}); it says whether {home} holds "
            f'sandbox or real data: restore it, or write {{"data": "sandbox"}} or '
            f'{{"data": "real"}}'
        ) from None
    return str(document.get("data"))


def check(home: Path | str, sandbox: bool) -> None:
    """Refuse a home that holds the other kind of data (it is not claimed here)."""
    wanted, holding = kind_of(sandbox), held(home)
    if holding is not None and holding != wanted:
        raise EnvironmentMismatch(
            f"{home} holds {WORDS.get(holding, holding)}, and these sources are "
            f"{WORDS[wanted].removeprefix('data from ')}: a lake never mixes the two. "
            "Use another home for them (--home DIR, or BROKERLAKE_HOME), or delete "
            f"{home} to start over."
        )


def claim(home: Path | str, sandbox: bool) -> None:
    """Mark the home as holding this kind of data, or refuse if it holds the other."""
    check(home, sandbox)
    path = Path(home) / MARKER
    if remote(home):
        return
    if path.exists():  # claimed, maybe since the check above: it must agree
        check(home, sandbox)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    written = path.with_name(f".{MARKER}.{os.getpid()}.{uuid.uuid4().hex}")
    written.write_text(json.dumps({"data": kind_of(sandbox)}) + "\n")
    try:
        os.link(written, path)  # whole or not at all, and never over another's claim
    except FileExistsError:  # claimed at the same moment by another step
        check(home, sandbox)
    finally:
        written.unlink()


def claim_lake(lake: Lake, sandbox: bool) -> None:
    """`claim` for the home of a lake (the folder that holds its `lake` folder)."""
    root = str(lake.root)
    claim(root if remote(root) else Path(root).parent, sandbox)
