"""A Plaid source's access tokens are configuration: a JSON list from the environment,
checked when the file is loaded, named by their place in messages, never by value, and
redacted like every secret."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from brokers.config import ConfigError, load_sources

SOURCE = """
sources:
  - name: investments
    kind: plaid
    client_id: {env: PLAID_CLIENT_ID}
    secret: {env: PLAID_SECRET}
    access_tokens: {env: PLAID_TOKENS}
"""
TOKENS = ["access-production-11111111-aaaa", "access-production-22222222-bbbb"]
ENV = {"PLAID_CLIENT_ID": "client-0001", "PLAID_SECRET": "secret-0002"}


def test_the_tokens_come_from_the_environment_and_are_secrets(tmp_path):
    path = tmp_path / "sources.yaml"
    path.write_text(SOURCE)
    [source] = load_sources(path, environ={**ENV, "PLAID_TOKENS": json.dumps(TOKENS)})
    assert source.tokens() == TOKENS
    assert source.base_url == "https://production.plaid.com"
    assert set(source.secrets()) >= {*TOKENS, "secret-0002", "client-0001"}
    assert not any(token in repr(source) for token in TOKENS)


@pytest.mark.parametrize(
    ("tokens", "problem"),
    [
        ("access-production-1111", "is not JSON"),
        ("[]", "expected a non-empty JSON list"),
        (json.dumps([TOKENS[0], TOKENS[0]]), "listed twice"),
        (json.dumps([TOKENS[0], ""]), "non-empty string"),
    ],
)
def test_a_bad_token_list_is_refused_without_quoting_it(tmp_path, tokens, problem):
    path = tmp_path / "sources.yaml"
    path.write_text(SOURCE)
    with pytest.raises(ConfigError) as refused:
        load_sources(path, environ={**ENV, "PLAID_TOKENS": tokens})
    [line] = refused.value.problems
    assert line.startswith(f"{path}: source 'investments': access_tokens")
    assert problem in line
    assert TOKENS[0] not in line and "1111" not in line


def test_the_examples_plaid_source_is_valid_once_uncommented(tmp_path):
    example = (Path(__file__).parents[2] / "sources.example.yaml").read_text()
    start = example.index("  # - name: investments")
    block = [line.replace("  # ", "  ", 1) for line in example[start:].splitlines()]
    path = tmp_path / "sources.yaml"
    path.write_text("sources:\n" + "\n".join(block) + "\n")
    [source] = load_sources(path, environ={**ENV, "PLAID_ACCESS_TOKENS": json.dumps(TOKENS)})
    assert (source.kind, source.name, source.tokens()) == ("plaid", "investments", TOKENS)
