"""A SnapTrade user whose secret is rejected is named in the run's output and skipped; every
other user lands, and the skipped user's connections and accounts from the last good run
stay in the warehouse rather than vanish. No secret is printed or stored."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import duckdb

from sandbox import Sandbox
from tests.e2e.demo_runs import environment, steps

WRONG_SECRET = "wrong-user-secret-0123456789abcdef"
SOURCES = """
sources:
  - name: snaptrade
    kind: snaptrade
    base_url: {base_url}
    client_id: {{env: ST_CLIENT_ID}}
    consumer_key: {{env: ST_CONSUMER_KEY}}
    user_secrets: {{env: ST_USER_SECRETS}}
"""


def demo(workdir: Path, api: dict, secrets: dict[str, str]) -> subprocess.CompletedProcess:
    env = environment()
    env.update(
        ST_CLIENT_ID=api["client_id"],
        ST_CONSUMER_KEY=api["consumer_key"],
        ST_USER_SECRETS=json.dumps(secrets),
    )
    return subprocess.run(
        [sys.executable, "-m", "pipelines.cli", "demo", "--home", str(workdir / "home")],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def accounts_by_user(home: Path) -> dict[str, set[tuple[str, str]]]:
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        found = con.execute("SELECT user_id, account_id, run_id FROM accounts").fetchall()
    result: dict[str, set[tuple[str, str]]] = {}
    for user, account, run in found:
        result.setdefault(user, set()).add((account, run))
    return result


def test_a_rejected_user_is_reported_and_the_others_land(tmp_path):
    with Sandbox() as sandbox:
        api = sandbox.manifest()["apis"]["snaptrade"]
        (tmp_path / "sources.yaml").write_text(SOURCES.format(base_url=api["base_url"]))
        secrets = {u["user_id"]: u["user_secret"] for u in api["users"]}
        victim = api["users"][0]["user_id"]

        good = demo(tmp_path, api, secrets)
        assert good.returncode == 0, good.stdout[-3000:] + good.stderr[-3000:]
        before = accounts_by_user(tmp_path / "home")
        assert victim in before and len(before) == len(secrets)

        result = demo(tmp_path, api, {**secrets, victim: WRONG_SECRET})
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    assert steps(result.stdout, "snaptrade") == {
        "snapshots": "ok",
        "orders": "ok",
        "activities": "ok",
    }
    assert f"warning: source snaptrade: user {victim!r} was skipped" in result.stdout
    assert WRONG_SECRET not in output
    assert all(secret not in output for secret in secrets.values())

    after = accounts_by_user(tmp_path / "home")
    assert after[victim] == before[victim]  # kept as last landed, with that run's run_id
    for user in set(secrets) - {victim}:
        assert {a for a, _ in after[user]} == {a for a, _ in before[user]}
        assert {r for _, r in after[user]}.isdisjoint({r for _, r in before[user]})  # re-read
    for path in (tmp_path / "home").rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert WRONG_SECRET.encode() not in data, path
            assert all(secret.encode() not in data for secret in secrets.values()), path
