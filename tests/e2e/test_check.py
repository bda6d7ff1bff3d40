"""`brokerlake check` as a user runs it, against the sandbox over HTTP: the file is
validated first (every problem at once), then each source makes one authenticated
request and says what its key reaches; each problem is one line, with its exit code
(0 ready, 1 a source fails, 2 invalid sources, 3 warnings only)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from sandbox import Sandbox
from tests.e2e.demo_runs import cli

READY, SOURCE_FAILS, INVALID, WARNINGS = 0, 1, 2, 3


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox() as running:
        yield running


def check(tmp_path: Path, text: str, env: dict[str, str]) -> tuple[int, list[str]]:
    (tmp_path / "sources.yaml").write_text(text)
    result = cli(tmp_path, "check", "--sources", "sources.yaml", env=env, timeout=120)
    assert result.returncode != 0 or result.stderr == "", result.stderr
    return result.returncode, (result.stdout + result.stderr).splitlines()


def alpaca(sandbox: Sandbox, name: str = "paper") -> tuple[str, dict[str, str]]:
    api = sandbox.manifest()["apis"]["alpaca"]
    account = api["accounts"][0]
    prefix = name.upper()
    text = f"""
  - name: {name}
    kind: alpaca
    base_url: {api["base_url"]}
    key_id: {{env: {prefix}_KEY_ID}}
    secret_key: {{env: {prefix}_SECRET}}"""
    return text, {f"{prefix}_KEY_ID": account["key_id"], f"{prefix}_SECRET": account["secret_key"]}


def tradr(sandbox: Sandbox, name: str, key: str) -> tuple[str, dict[str, str]]:
    variable = f"{name.upper()}_KEY"
    text = f"""
  - name: {name}
    kind: tradr
    base_url: {sandbox.manifest()["apis"]["tradr"]["base_url"]}
    api_key: {{env: {variable}}}"""
    return text, {variable: key}


def test_ready_sources_say_what_their_keys_reach(sandbox, tmp_path):
    paper, paper_env = alpaca(sandbox)
    user_key = sandbox.manifest()["apis"]["tradr"]["keys"]["user_key"]["api_key"]
    fx, fx_env = tradr(sandbox, "fx", user_key)
    code, lines = check(tmp_path, "sources:" + paper + fx, {**paper_env, **fx_env})
    assert code == READY, lines
    assert lines[0] == f"{tmp_path / 'sources.yaml'}: 2 sources, valid."
    [paper_line] = [line for line in lines if " paper " in line]
    assert paper_line.lstrip().startswith("ok")
    assert "alpaca: one paper account, ****" in paper_line
    assert "rate limit: 200 announced by the API; paced at 180 requests a minute" in paper_line
    [fx_line] = [line for line in lines if " fx " in line]
    assert "a user key over accounts 100030000, 100030001, 100030002 of user 5001" in fx_line
    assert "roles: read; IP allow-list: 127.0.0.1, ::1" in fx_line
    assert paper_env["PAPER_SECRET"] not in "\n".join(lines)
    assert user_key not in "\n".join(lines)


def test_a_bad_kind_is_one_line_and_nothing_is_contacted(sandbox, tmp_path):
    paper, env = alpaca(sandbox)
    served = sum(sandbox.request_counts.values())
    code, lines = check(tmp_path, "sources:" + paper.replace("kind: alpaca", "kind: alpacca"), env)
    assert code == INVALID
    assert lines == [
        f"brokerlake check: {tmp_path / 'sources.yaml'}: source 'paper': field 'kind': "
        "'alpacca' is not a source kind; use one of alpaca, alpaca_broker, snaptrade, tradr "
        "(did you mean 'alpaca'?)"
    ]
    assert sum(sandbox.request_counts.values()) == served


def test_a_missing_environment_variable_is_one_line(sandbox, tmp_path):
    paper, env = alpaca(sandbox)
    del env["PAPER_SECRET"]
    code, lines = check(tmp_path, "sources:" + paper, env)
    assert code == INVALID
    assert lines == [
        f"brokerlake check: {tmp_path / 'sources.yaml'}: source 'paper': field 'secret_key': "
        "environment variable PAPER_SECRET is not set; export it, or name the variable that "
        "holds it in {env: ...}"
    ]


def test_a_wrong_secret_is_one_line_naming_the_source(sandbox, tmp_path):
    paper, env = alpaca(sandbox)
    good, good_env = alpaca(sandbox, "good")
    wrong = "wrong-secret-0123456789abcdef"
    code, lines = check(
        tmp_path, "sources:" + paper + good, {**good_env, **env, "PAPER_SECRET": wrong}
    )
    assert code == SOURCE_FAILS
    [failed] = [line for line in lines if "FAILED" in line]
    assert "source 'paper' (GET /v2/account): credentials were rejected (HTTP 401" in failed
    assert wrong not in "\n".join(lines)
    assert any(line.lstrip().startswith("ok") and " good " in line for line in lines)


def test_a_tradr_key_that_may_write_is_a_one_line_least_privilege_warning(sandbox, tmp_path):
    writer = sandbox.tradr_keys.create(user_id=5001, roles=["read", "write"])
    fx, env = tradr(sandbox, "writer", writer)
    code, lines = check(tmp_path, "sources:" + fx, env)
    assert code == WARNINGS, lines
    [warning] = [line for line in lines if line.lstrip().startswith("warning")]
    assert "its TradrAPI key" in warning and "holds the write role as well as read" in warning
    assert "a key with the read role only would do" in warning
    assert "roles: read, write" in "\n".join(lines)


def test_a_tradr_key_fenced_to_another_address_fails_saying_so(sandbox, tmp_path):
    fenced = sandbox.tradr_keys.create(user_id=5001, ips=["192.0.2.10"])
    fx, env = tradr(sandbox, "fenced", fenced)
    code, lines = check(tmp_path, "sources:" + fx, env)
    assert code == SOURCE_FAILS
    [failed] = [line for line in lines if "FAILED" in line]
    assert "the key's IP allow-list does not include this machine" in failed


def test_the_built_in_sandbox_sources_are_checked_when_asked_for(tmp_path):
    result = cli(tmp_path, "check", "--sandbox", timeout=120)
    assert result.returncode == READY, result.stdout + result.stderr
    assert result.stdout.startswith("the sandbox: 7 sources, valid.")
    assert result.stdout.count("\n  ok ") == 7


def test_with_no_sources_at_all_check_names_both_ways(tmp_path):
    result = cli(tmp_path, "check", timeout=120)
    assert result.returncode == INVALID
    assert "BROKERLAKE_SOURCES" in result.stderr and "BROKERLAKE_SANDBOX=1" in result.stderr
