from pathlib import Path

import pytest

from brokers.config import ConfigError, load_sources, source_names

GOOD = """
sources:
  - name: alpaca-paper
    kind: alpaca
    base_url: https://paper-api.alpaca.markets
    key_id: {env: TEST_KEY_ID}
    secret_key: {env: TEST_SECRET}
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sources.yaml"
    path.write_text(text)
    return path


def test_secrets_come_from_the_environment(tmp_path):
    path = write(tmp_path, GOOD)
    [source] = load_sources(path, environ={"TEST_KEY_ID": "PKXYZ", "TEST_SECRET": "hunter22"})
    assert source.secret_key.get_secret_value() == "hunter22"
    assert "hunter22" not in repr(source)
    assert source_names(path) == ["alpaca-paper"]


def test_the_example_file_is_valid():
    path = Path(__file__).parents[2] / "sources.example.yaml"
    env = {"ALPACA_PAPER_KEY_ID": "k", "ALPACA_PAPER_SECRET_KEY": "s"}
    assert [s.name for s in load_sources(path, environ=env)] == ["alpaca-paper"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (GOOD.replace("kind: alpaca", "kind: alpacka"), "field 'kind': must be one of"),
        (GOOD.replace("https://paper", "ftp://paper"), "field 'base_url'"),
        (GOOD.replace("name: alpaca-paper", "name: Alpaca Paper"), "field 'name'"),
        (GOOD + "    colour: blue\n", "field 'colour': Extra inputs are not permitted"),
        (GOOD + GOOD.replace("sources:\n", ""), "source names must be unique"),
        ("sources: nope", "expected a mapping with a 'sources' list"),
        ("sources: [\n", "not valid YAML"),
    ],
)
def test_invalid_files_name_the_file_the_source_and_the_field(tmp_path, text, expected):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as error:
        load_sources(path, environ={"TEST_KEY_ID": "PKXYZ", "TEST_SECRET": "hunter22"})
    assert str(path) in str(error.value)
    assert expected in str(error.value)


def test_a_missing_variable_is_named(tmp_path):
    path = write(tmp_path, GOOD)
    with pytest.raises(ConfigError) as error:
        load_sources(path, environ={"TEST_KEY_ID": "PKXYZ"})
    assert str(error.value) == (
        f"{path}: source 'alpaca-paper': field 'secret_key': "
        "environment variable TEST_SECRET is not set"
    )
