"""A home on object storage: `brokerlake demo --home s3://bucket/prefix` against an
S3-compatible server on loopback (moto's server mode, started here), credentials from
the standard environment. The tables land as Delta tables in the bucket (commits by
conditional writes), the catalog beside them, and SQL through it answers what a local
home answers for the same sources."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import boto3
import httpx
import pytest

from benchmarks.sources import sandbox_sources_of, write_sources
from sandbox import Sandbox, SandboxConfig
from schemas import TABLES
from tests.e2e.demo_runs import CLOCK, cli, snapshot
from tests.lake_truth import assert_delta_equals_catalog
from tests.oracle import rows
from warehouse import Catalog, Lake

BUCKET = "brokerlake-test"
HOME = f"s3://{BUCKET}/prod/brokerlake"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def s3(monkeypatch) -> Iterator[dict[str, str]]:
    """moto's S3 server in a process of its own on loopback, and the environment that
    points clients at it."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            httpx.get(f"http://127.0.0.1:{port}/moto-api/", timeout=1)
            break
        except httpx.TransportError:
            assert time.monotonic() < deadline and server.poll() is None, "moto did not start"
            time.sleep(0.2)
    env = {
        "AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}",
        "AWS_ALLOW_HTTP": "true",  # the test server speaks plain HTTP
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": "us-east-1",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    boto3.client("s3").create_bucket(Bucket=BUCKET)
    try:
        yield env
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_a_demo_on_s3_lands_what_a_local_one_does(s3, tmp_path, first_run):
    """The TradrAPI sources of the demo's world (a sources file naming the sandbox's
    keys, as real sources are named), every table, against the local demo's rows of
    those sources (moto answers a request in milliseconds: the whole world would take
    many minutes)."""
    local, _ = first_run
    with Sandbox(SandboxConfig(seed=0, clock=CLOCK)) as sandbox:
        variables = write_sources(sandbox.manifest(), {"tradr"}, tmp_path / "sources.yaml")
        names = {source.name for source in sandbox_sources_of(sandbox.manifest(), {"tradr"})}
        result = cli(
            tmp_path, "demo", "--home", HOME, "--sources", str(tmp_path / "sources.yaml"),
            "--sandbox-clock", CLOCK.isoformat(), env={**s3, **variables}, timeout=900,
        )  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert f"Warehouse: {HOME}/warehouse.duckdb" in result.stdout

    keys = boto3.client("s3").list_objects_v2(Bucket=BUCKET, Prefix="prod/brokerlake/")
    names_in_bucket = {item["Key"] for item in keys.get("Contents", [])}
    assert "prod/brokerlake/warehouse.duckdb" in names_in_bucket
    assert "prod/brokerlake/lake/orders/_delta_log/00000000000000000000.json" in names_in_bucket

    lake = Lake(HOME)
    with Catalog(HOME).connect() as con:
        remote = {
            name: rows(con.sql(f"SELECT * FROM {name}").pl().to_dicts(), spec.key)
            for name, spec in TABLES.items()
        }
        assert_delta_equals_catalog(lake, con)
    expected = {
        name: [row for row in landed if row["source"] in names]
        for name, landed in snapshot(local / "warehouse.duckdb").items()
    }
    assert remote == expected
    assert remote["orders"] and remote["activities"]

    maintained = cli(tmp_path, "lake", "maintain", "--home", HOME, env=s3)
    assert maintained.returncode == 0, maintained.stderr[-3000:]
    with Catalog(HOME).connect() as con:
        assert con.execute("SELECT count(*) FROM orders").fetchone() == (
            sum(1 for _ in remote["orders"]),
        )
