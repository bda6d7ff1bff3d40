"""No secret anywhere: a run over every kind of source, with faults injected (so errors and
retries are logged) and one source failing on a wrong secret, leaves no configured secret,
user secret or OAuth2 token in any file under the warehouse home or Dagster's home, or in
what the run printed."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from sandbox import FaultPlan, Sandbox, SandboxConfig
from tests.e2e.demo_runs import environment, steps
from tests.leaks import Needles

WRONG_SECRET = "wrong-secret-9876543210zyxwvuTSRQ"
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{43}")  # secrets.token_urlsafe(32)


def sources_yaml(manifest: dict) -> tuple[str, dict[str, str]]:
    apis = manifest["apis"]
    alpaca, snaptrade = apis["alpaca"], apis["snaptrade"]
    broker, tradr = apis["alpaca_broker"], apis["tradr"]
    env = {
        "ALPACA_KEY_ID": alpaca["accounts"][0]["key_id"],
        "ALPACA_SECRET": alpaca["accounts"][0]["secret_key"],
        "WRONG_KEY_ID": alpaca["accounts"][1]["key_id"],
        "WRONG_SECRET": WRONG_SECRET,
        "SNAP_CLIENT_ID": snaptrade["client_id"],
        "SNAP_CONSUMER_KEY": snaptrade["consumer_key"],
        "SNAP_USERS": json.dumps({u["user_id"]: u["user_secret"] for u in snaptrade["users"]}),
        "BROKER_CLIENT_ID": broker["client_id"],
        "BROKER_CLIENT_SECRET": broker["client_secret"],
        "TRADR_KEY": tradr["keys"]["user_key"]["api_key"],
    }
    text = f"""
sources:
  - {{name: alpaca, kind: alpaca, base_url: "{alpaca["base_url"]}",
     key_id: {{env: ALPACA_KEY_ID}}, secret_key: {{env: ALPACA_SECRET}}}}
  - {{name: rejected, kind: alpaca, base_url: "{alpaca["base_url"]}",
     key_id: {{env: WRONG_KEY_ID}}, secret_key: {{env: WRONG_SECRET}}}}
  - {{name: snaptrade, kind: snaptrade, base_url: "{snaptrade["base_url"]}",
     client_id: {{env: SNAP_CLIENT_ID}}, consumer_key: {{env: SNAP_CONSUMER_KEY}},
     user_secrets: {{env: SNAP_USERS}}}}
  - {{name: broker, kind: alpaca_broker, base_url: "{broker["base_url"]}",
     token_url: "{broker["base_url"]}{broker["token_path"]}",
     client_id: {{env: BROKER_CLIENT_ID}}, client_secret: {{env: BROKER_CLIENT_SECRET}}}}
  - {{name: tradr, kind: tradr, base_url: "{tradr["base_url"]}", api_key: {{env: TRADR_KEY}}}}
"""
    return text, env


def test_no_secret_or_token_is_in_any_file_or_in_the_output_even_of_a_failed_run(tmp_path):
    home, dagster_home = tmp_path / "home", tmp_path / "dagster"
    dagster_home.mkdir()
    config = SandboxConfig(faults=FaultPlan(rate=0.1, seed=5), token_lifetime_seconds=4.0)
    with Sandbox(config) as sandbox:
        text, secrets = sources_yaml(sandbox.manifest())
        (tmp_path / "sources.yaml").write_text(text)
        env = environment({**secrets, "DAGSTER_HOME": str(dagster_home)})
        result = subprocess.run(
            [sys.executable, "-m", "pipelines.cli", "demo", "--home", str(home)],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        output = result.stdout + result.stderr
        files = [p for root in (home, dagster_home) for p in root.rglob("*") if p.is_file()]
        tokens_found = [
            token
            for text in [output, *(p.read_bytes().decode(errors="replace") for p in files)]
            for token in TOKEN_SHAPE.findall(text)
            if sandbox.tokens.was_issued(token)
        ]
        issued = len(sandbox.tokens.issued)
        faults = sum(sum(kinds.values()) for kinds in sandbox.fault_counts.values())

    assert result.returncode == 1, output[-3000:]  # the rejected source, and only it
    assert steps(output, "rejected")["snapshots"] == "FAILED"
    for name in ("alpaca", "snaptrade", "broker", "tradr"):
        assert steps(output, name) == {"snapshots": "ok", "orders": "ok", "activities": "ok"}, name
    assert issued >= 1 and faults > 0
    assert any(p.suffix == ".parquet" for p in files)
    assert any(p.is_relative_to(dagster_home) for p in files)

    user_secrets = json.loads(secrets["SNAP_USERS"]).values()
    needles = Needles([v for k, v in secrets.items() if k != "SNAP_USERS"] + [*user_secrets])
    assert needles.in_text(output) is None
    for path in files:
        assert needles.in_file(path) is None, path
    assert tokens_found == []


def test_the_token_audit_finds_a_token_where_there_is_one(tmp_path):
    """The audit above is not blind: a token written to a file is found."""
    with Sandbox() as sandbox:
        token, _ = sandbox.tokens.issue("client", 60.0)
        leaked = Path(tmp_path / "leak.log")
        leaked.write_text(f"Authorization: Bearer {token}\n")
        found = [t for t in TOKEN_SHAPE.findall(leaked.read_text()) if sandbox.tokens.was_issued(t)]
    assert found == [token]
