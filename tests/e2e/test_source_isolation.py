"""A source whose credentials are rejected fails alone, says so in the user's terms, and
never prints the secret; the other sources land."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb

from sandbox import Sandbox
from tests.e2e.demo_runs import environment, steps

WRONG_SECRET = "wrong-secret-0123456789abcdefWXYZ"


def test_a_rejected_key_fails_only_its_source(tmp_path):
    with Sandbox() as sandbox:
        api = sandbox.manifest()["apis"]["alpaca"]
        good, bad = api["accounts"][0], api["accounts"][1]
        (tmp_path / "sources.yaml").write_text(
            f"""
sources:
  - name: good-key
    kind: alpaca
    base_url: {api["base_url"]}
    key_id: {{env: GOOD_KEY_ID}}
    secret_key: {{env: GOOD_SECRET}}
  - name: bad-key
    kind: alpaca
    base_url: {api["base_url"]}
    key_id: {{env: BAD_KEY_ID}}
    secret_key: {{env: BAD_SECRET}}
"""
        )
        env = environment()
        env.update(
            GOOD_KEY_ID=good["key_id"],
            GOOD_SECRET=good["secret_key"],
            BAD_KEY_ID=bad["key_id"],
            BAD_SECRET=WRONG_SECRET,
        )
        result = subprocess.run(
            [sys.executable, "-m", "pipelines.cli", "demo", "--home", str(tmp_path / "home")],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
    output = result.stdout + result.stderr
    assert result.returncode == 1, output[-3000:]
    assert "Sources from sources.yaml" in output
    assert steps(output, "good-key") == {"snapshots": "ok", "orders": "ok", "activities": "ok"}
    assert steps(output, "bad-key") == {"snapshots": "FAILED"}
    assert "source 'bad-key' (GET /v2/account): credentials were rejected (HTTP 401" in output
    assert WRONG_SECRET not in output
    assert good["secret_key"] not in output

    home = tmp_path / "home"
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        landed = con.execute("SELECT DISTINCT source FROM orders").fetchall()
        positions = con.execute("SELECT count(*) FROM positions").fetchone()
    assert landed == [("good-key",)]
    assert positions[0] > 0
    for path in Path(home).rglob("*"):
        if path.is_file() and path.suffix in {".parquet", ".duckdb", ".db", ".log", ".txt"}:
            data = path.read_bytes()
            assert WRONG_SECRET.encode() not in data, path
            assert good["secret_key"].encode() not in data, path
