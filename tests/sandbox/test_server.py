"""The server: manifest, moving the clock, request counts, the blocking `serve`."""

from __future__ import annotations

import ast
import json
import signal
import subprocess
import sys
from datetime import timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path

import httpx
import pytest

from sandbox import Sandbox, SandboxConfig, WorldSizes
from tests.sandbox.helpers import CLOCK

ROOT = Path(__file__).resolve().parents[2]
PROJECT_PACKAGES = {"schemas", "brokers", "warehouse", "assets", "pipelines", "tests"}


def test_manifest(sandbox: Sandbox) -> None:
    manifest = sandbox.manifest()
    assert json.loads(json.dumps(manifest)) == manifest
    assert manifest["seed"] == 0
    assert manifest["clock"] == "2026-11-23T00:00:00Z"
    assert manifest["base_url"] == sandbox.base_url
    assert sandbox.base_url.startswith("http://127.0.0.1:")
    alpaca = manifest["apis"]["alpaca"]
    assert alpaca["base_url"] == sandbox.base_url + "/alpaca"
    assert [a["account_id"] for a in alpaca["accounts"]] == [
        a.account_id for a in sandbox.world.accounts("alpaca")
    ]
    assert {a["is_paper"] for a in alpaca["accounts"]} == {True, False}
    served = httpx.get(sandbox.base_url + "/_sandbox/manifest").json()
    assert served == manifest


def test_set_clock_moves_the_served_world() -> None:
    with Sandbox(SandboxConfig(clock=CLOCK, sizes=WorldSizes(alpaca_accounts=1))) as sandbox:
        alpaca = sandbox.manifest()["apis"]["alpaca"]
        account = alpaca["accounts"][0]
        headers = {
            "APCA-API-KEY-ID": account["key_id"],
            "APCA-API-SECRET-KEY": account["secret_key"],
        }
        params = {"status": "all", "limit": 500}
        url = alpaca["base_url"] + "/v2/orders"
        before = httpx.get(url, headers=headers, params=params)
        sandbox.set_clock(CLOCK + timedelta(days=2))
        after = httpx.get(url, headers=headers, params=params)
        assert parsedate_to_datetime(before.headers["date"]) == CLOCK
        assert parsedate_to_datetime(after.headers["date"]) == CLOCK + timedelta(days=2)
        assert {o["id"] for o in before.json()} < {o["id"] for o in after.json()}
        assert sandbox.manifest()["clock"] == "2026-11-25T00:00:00Z"
        assert sandbox.world.since == CLOCK - timedelta(days=30)
        assert sandbox.request_counts == {
            "alpaca": 2,
            "snaptrade": 0,
            "alpaca_broker": 0,
            "tradr": 0,
        }


def test_a_busy_port_fails_to_start(sandbox: Sandbox) -> None:
    port = int(sandbox.base_url.rsplit(":", 1)[1])
    with pytest.raises(RuntimeError):
        Sandbox(SandboxConfig(clock=CLOCK, port=port)).start()


def test_serve_prints_the_manifest_first_and_stops_on_sigterm() -> None:
    code = (
        "import datetime as d; from sandbox import SandboxConfig, serve;"
        "serve(SandboxConfig(seed=5, clock=d.datetime(2026, 11, 23, tzinfo=d.UTC)))"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        manifest = json.loads(process.stdout.readline())
        assert manifest["seed"] == 5 and manifest["clock"] == "2026-11-23T00:00:00Z"
        account = manifest["apis"]["alpaca"]["accounts"][0]
        response = httpx.get(
            manifest["apis"]["alpaca"]["base_url"] + "/v2/account",
            headers={
                "APCA-API-KEY-ID": account["key_id"],
                "APCA-API-SECRET-KEY": account["secret_key"],
            },
        )
        assert response.json()["id"] == account["account_id"]
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
    finally:
        process.kill()
        process.wait()


def test_sandbox_imports_nothing_of_the_project() -> None:
    for path in (ROOT / "sandbox").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            assert not {name.split(".")[0] for name in names} & PROJECT_PACKAGES, path
