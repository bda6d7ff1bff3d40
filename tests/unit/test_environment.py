"""A lake home remembers which kind of data it holds, from its first write, and refuses
the other kind; the settings refuse to guess where the sources come from."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import pytest

from assets.environment import MARKER, EnvironmentMismatch, check, claim, held
from brokers.errors import ConfigError
from pipelines.settings import NO_ENVIRONMENT, Settings


def test_the_first_write_claims_the_home_and_the_other_kind_is_refused(tmp_path):
    home = tmp_path / "home"
    check(home, sandbox=True)  # nothing claimed yet: either kind may come
    assert held(home) is None
    claim(home, sandbox=True)
    assert json.loads((home / MARKER).read_text()) == {"data": "sandbox"}
    claim(home, sandbox=True)  # the same kind again: fine
    with pytest.raises(EnvironmentMismatch) as refused:
        claim(home, sandbox=False)
    message = str(refused.value)
    assert f"{home} holds sandbox data (the built-in simulated brokers)" in message
    assert "a lake never mixes the two" in message and "--home DIR" in message
    assert held(home) == "sandbox"


def test_steps_claiming_at_once_agree_on_one_kind(tmp_path):
    home = tmp_path / "home"

    def attempt(sandbox: bool) -> str:
        try:
            claim(home, sandbox)
        except EnvironmentMismatch:
            return "refused"
        return "sandbox" if sandbox else "real"

    with ThreadPoolExecutor(8) as pool:
        outcomes = list(pool.map(attempt, [True, False] * 8))
    winner = held(home)
    assert winner in ("sandbox", "real")
    assert set(outcomes) == {winner, "refused"}
    assert [p.name for p in home.iterdir()] == [MARKER]  # no claim left half-written


def test_settings_with_neither_sources_nor_the_sandbox_name_both(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name in ("BROKERLAKE_SOURCES", "BROKERLAKE_SANDBOX"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ConfigError) as neither:
        _ = Settings.from_env().uses_sandbox
    assert str(neither.value) == NO_ENVIRONMENT

    monkeypatch.setenv("BROKERLAKE_SANDBOX", "1")
    assert Settings.from_env().uses_sandbox
    (tmp_path / "sources.yaml").write_text("sources: []\n")
    assert Settings.from_env().uses_sandbox  # asked for, over a file merely present

    monkeypatch.setenv("BROKERLAKE_SOURCES", str(tmp_path / "sources.yaml"))
    with pytest.raises(ConfigError, match=r"BROKERLAKE_SOURCES .* and BROKERLAKE_SANDBOX=1"):
        _ = Settings.from_env().uses_sandbox
    monkeypatch.delenv("BROKERLAKE_SANDBOX")
    assert not Settings.from_env().uses_sandbox
