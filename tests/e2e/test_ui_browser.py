"""The UI as a user meets it: `dagster dev -w workspace.yaml` on loopback, opened in
headless Chromium (Debian's `chromium`, driven by Playwright). From the asset graph the
test materializes every asset for today's partition, waits for the runs to succeed (one,
or one per partitioning, as Dagster chooses), and saves a screenshot of the
graph; every asset landed, every check ran, and each source took three steps (its
snapshot, its orders, its activities), each in a process of its own.

Needs /usr/bin/chromium (`apt-get install chromium`; `.ci/run` installs it). Without it
the test is skipped, unless BROKERLAKE_REQUIRE_BROWSER is set (CI), where it fails.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import httpx
import pytest

from assets import SourcesResource
from pipelines.definitions import build_definitions
from sandbox import Sandbox
from tests.e2e.demo_runs import environment

ROOT = Path(__file__).parents[2]
CHROMIUM = "/usr/bin/chromium"
# Without the background-networking flags Chromium keeps calling out, and this machine's
# closed network refuses it.
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TABLES = ("users", "connections", "accounts", "balances", "positions", "orders", "activities")
KINDS = {"paper": "alpaca", "cfd": "tradr"}
SOURCES = tuple(KINDS)


def finished_runs(dagster_home: Path, assets: set[dg.AssetKey]) -> list[dg.DagsterRun]:
    """Every run the launch made, once their selections cover every asset and all have
    finished (failing a stuck one). Dagster may launch one run for the whole selection
    or one per partitioning (the day's tables, the unpartitioned models): waiting for
    the assets rather than a number of runs holds for both."""
    deadline = time.monotonic() + RUN_SECONDS
    with dg.DagsterInstance.from_config(str(dagster_home)) as instance:
        while True:
            runs = instance.get_runs()
            selected = set().union(*(run.asset_selection or () for run in runs))
            if assets <= selected and all(run.is_finished for run in runs):
                return runs
            if time.monotonic() > deadline:
                raise AssertionError(f"runs not finished in {RUN_SECONDS} s: {runs}")
            time.sleep(1)


def graph() -> tuple[set[dg.AssetKey], int]:
    """The assets and the number of checks of these sources' code location: their
    tables', the reported history of the Alpaca one, the reference rates and the
    analytics models."""
    definitions = build_definitions(SourcesResource(), KINDS, "unused", datetime.now(UTC).date())
    asset_graph = definitions.get_repository_def().asset_graph
    return set(asset_graph.get_all_asset_keys()), len(asset_graph.asset_check_keys)


STARTUP_SECONDS = 120
RUN_SECONDS = 300

if not Path(CHROMIUM).exists():
    if os.environ.get("BROKERLAKE_REQUIRE_BROWSER"):
        raise RuntimeError(f"{CHROMIUM} is missing: apt-get install chromium")
    pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)", allow_module_level=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def ui(tmp_path) -> Iterator[str]:
    """`dagster dev` over two sources of a sandbox (an Alpaca key, a TradrAPI key), with
    the instance `make ui` starts; yields its URL."""
    with Sandbox() as sandbox:
        apis = sandbox.manifest()["apis"]
        account = apis["alpaca"]["accounts"][0]
        (tmp_path / "sources.yaml").write_text(
            f"""
sources:
  - name: paper
    kind: alpaca
    base_url: {apis["alpaca"]["base_url"]}
    key_id: {{env: PAPER_KEY_ID}}
    secret_key: {{env: PAPER_SECRET_KEY}}
  - name: cfd
    kind: tradr
    base_url: {apis["tradr"]["base_url"]}
    api_key: {{env: CFD_API_KEY}}
"""
        )
        dagster_home = tmp_path / "dagster"
        dagster_home.mkdir()
        shutil.copy(ROOT / "dagster.yaml", dagster_home / "dagster.yaml")
        env = environment(
            {
                "DAGSTER_HOME": str(dagster_home),
                "BROKERLAKE_HOME": str(tmp_path / "home"),
                "BROKERLAKE_SOURCES": str(tmp_path / "sources.yaml"),
                "PAPER_KEY_ID": account["key_id"],
                "PAPER_SECRET_KEY": account["secret_key"],
                "CFD_API_KEY": apis["tradr"]["keys"]["account_key"]["api_key"],
                # the ECB's rates from the sandbox's copy, as from a mirror
                "BROKERLAKE_ECB_URL": sandbox.manifest()["reference"]["ecb"]["base_url"],
            }
        )
        port = free_port()
        dagster = Path(sys.executable).parent / "dagster"
        command = [str(dagster), "dev", "-w", str(ROOT / "workspace.yaml")]
        command += ["-h", "127.0.0.1", "-p", str(port)]
        with open(tmp_path / "dagster-dev.log", "w") as log:
            server = subprocess.Popen(
                command,
                cwd=tmp_path,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its webserver, daemon and code server go with it
            )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + STARTUP_SECONDS
            while True:
                try:
                    if httpx.get(url + "/server_info", timeout=2).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if server.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(
                        "dagster dev did not start:\n"
                        + (tmp_path / "dagster-dev.log").read_text()[-3000:]
                    )
                time.sleep(0.5)
            yield url
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)


def test_materialize_every_asset_from_the_asset_graph(ui, tmp_path):
    from playwright.sync_api import TimeoutError as NoPrompt
    from playwright.sync_api import expect, sync_playwright

    today = datetime.now(UTC).date().isoformat()
    screenshot = tmp_path / "asset-graph.png"
    asset_keys, checks = graph()
    assets = len(asset_keys)
    assert assets > len(SOURCES) * len(TABLES)  # the analytics models among them
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1600, "height": 1000})

        page.goto(ui + "/asset-groups")
        materialize = page.get_by_role("button", name="Materialize all…")
        materialize.wait_for(timeout=STARTUP_SECONDS * 1000)
        skip = page.get_by_role("button", name="Skip")  # a new instance's community prompt
        try:
            skip.wait_for(timeout=3000)
            skip.click()
        except NoPrompt:
            pass  # none this time
        for source in SOURCES:
            expect(page.get_by_text(source, exact=True).first).to_be_visible()

        materialize.click()
        dialog = page.get_by_role("dialog")
        expect(dialog).to_contain_text(f"materialize {assets} assets")
        dialog.get_by_role("button", name="Latest", exact=True).click()
        expect(dialog).to_contain_text(today)
        dialog.get_by_role("button", name="Launch 1 run").click()
        expect(dialog).to_be_hidden()

        # The selection holds the day's tables and the unpartitioned models; each run
        # Dagster launches for it is shown on the runs page.
        runs = finished_runs(tmp_path / "dagster", asset_keys)
        page.goto(ui + "/runs")
        success = page.get_by_text("Success", exact=True)
        expect(success).to_have_count(len(runs), timeout=60_000)
        expect(page.get_by_text(f"partition: {today}").first).to_be_visible()
        for status in ("Failure", "Canceled"):
            expect(page.get_by_text(status, exact=True)).to_have_count(0)

        page.screenshot(path=str(tmp_path / "runs.png"))

        # The graph after the run: every group opened, the whole graph in view (the
        # lineage page fits it), each group named in its tree.
        page.set_viewport_size({"width": 1600, "height": 1800})
        page.goto(ui + "/asset-groups")
        materialize.wait_for()
        graph_settings = page.get_by_role("button").filter(
            has=page.get_by_role("img", name="settings")
        )
        graph_settings.last.click()
        page.get_by_role("menuitem", name="Expand all groups").click()
        page.keyboard.press("Escape")
        for folder in (*SOURCES, "analytics", "reference"):
            expect(page.get_by_text(folder, exact=True).first).to_be_visible()
        page.wait_for_timeout(1000)  # the layout animates
        page.screenshot(path=str(screenshot))
        browser.close()

    assert screenshot.stat().st_size > 20_000
    with dg.DagsterInstance.from_config(str(tmp_path / "dagster")) as instance:
        runs = instance.get_runs()
        assert {run.status for run in runs} == {dg.DagsterRunStatus.SUCCESS}
        statuses = {
            step.step_key: step.status.value
            for run in runs
            for step in instance.get_run_step_stats(run.run_id)
        }
        landed = {
            key
            for key in instance.get_asset_keys()
            if instance.get_latest_materialization_event(key) is not None
        }
        evaluated = {
            record.event_log_entry.dagster_event.asset_check_evaluation_data.asset_check_key
            for run in runs
            for record in instance.get_records_for_run(
                run.run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION
            ).records
        }
    assert len(landed) == assets, sorted(k.to_user_string() for k in landed)
    assert len(evaluated) == checks, sorted(str(key) for key in evaluated)
    assert set(statuses.values()) == {"SUCCESS"}, statuses
    assert {
        f"{source}__{step}" for source in SOURCES for step in ("snapshots", "orders", "activities")
    } <= set(statuses)
    keep = os.environ.get("BROKERLAKE_SCREENSHOTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        for shot in (screenshot, tmp_path / "runs.png"):
            shutil.copy(shot, Path(keep) / shot.name)
