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
    env = {
        "ALPACA_PAPER_KEY_ID": "k",
        "ALPACA_PAPER_SECRET_KEY": "s",
        "SNAPTRADE_CLIENT_ID": "c",
        "SNAPTRADE_CONSUMER_KEY": "k",
        "SNAPTRADE_USER_SECRETS": '{"u": "s"}',
        "ALPACA_BROKER_CLIENT_ID": "CC",
        "ALPACA_BROKER_CLIENT_SECRET": "cs",
        "TRADR_API_KEY": "tdr_key",
    }
    sources = load_sources(path, environ=env)
    assert [s.name for s in sources] == ["alpaca-paper", "alpaca-partner", "snaptrade", "tradr"]


def test_a_tradr_source_may_narrow_its_accounts_but_not_to_none(tmp_path):
    head = "sources:\n  - name: fx\n    kind: tradr\n    api_key: tdr_s3cret\n"
    path = tmp_path / "sources.yaml"
    path.write_text(head + "    account_ids: [100039504, 100039505]\n")
    [source] = load_sources(path, environ={})
    assert source.account_ids == (100039504, 100039505)
    assert source.base_url == "https://live.tradrapi.com"
    assert "tdr_s3cret" not in repr(source)
    path.write_text(head + "    account_ids: []\n")
    with pytest.raises(ConfigError, match="source 'fx': field 'account_ids'") as raised:
        load_sources(path, environ={})
    assert "tdr_s3cret" not in str(raised.value)


def test_an_alpaca_broker_source_takes_one_complete_kind_of_credentials(tmp_path):
    head = "sources:\n  - name: partner\n    kind: alpaca_broker\n"
    path = tmp_path / "sources.yaml"
    path.write_text(head + "    client_id: CC1\n    key_id: CK1\n    secret_key: s3cret\n")
    with pytest.raises(ConfigError) as raised:
        load_sources(path, environ={})
    assert str(raised.value) == (
        f"{path}: source 'partner': give key_id with secret_key (HTTP Basic), or client_id "
        "with client_secret (OAuth2), each pair complete"
    )
    assert "s3cret" not in str(raised.value)
    path.write_text(head + "    key_id: CK1\n    secret_key: s3cret\n")
    [source] = load_sources(path, environ={})
    assert not source.uses_oauth and source.base_url == "https://broker-api.alpaca.markets"


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


SNAPTRADE = """
sources:
  - name: snaptrade
    kind: snaptrade
    client_id: {env: ST_CLIENT_ID}
    consumer_key: {env: ST_CONSUMER_KEY}
"""
SNAPTRADE_ENV = {"ST_CLIENT_ID": "PARTNER-1", "ST_CONSUMER_KEY": "consumer-key-1"}


def test_snaptrade_user_secrets_from_an_environment_variable_holding_json(tmp_path):
    path = write(tmp_path, SNAPTRADE + "    user_secrets: {env: ST_USERS}\n")
    env = {**SNAPTRADE_ENV, "ST_USERS": '{"alice": "secret-alice", "bob": "secret-bob"}'}
    [source] = load_sources(path, environ=env)
    assert source.users() == {"alice": "secret-alice", "bob": "secret-bob"}
    assert {"secret-alice", "secret-bob", "consumer-key-1"} <= set(source.secrets())
    assert "secret-alice" not in repr(source)


def test_snaptrade_user_secrets_from_a_file_the_configuration_names(tmp_path):
    secrets = tmp_path / "users.json"
    secrets.write_text('[{"userId": "alice", "userSecret": "secret-alice"}]')
    path = write(tmp_path, SNAPTRADE + "    user_secrets_file: {env: ST_USERS_FILE}\n")
    [source] = load_sources(path, environ={**SNAPTRADE_ENV, "ST_USERS_FILE": str(secrets)})
    assert source.users() == {"alice": "secret-alice"}


@pytest.mark.parametrize(
    ("users", "expected"),
    [
        ('{"alice": "secret-alice"', "user_secrets is not JSON"),
        ('["secret-alice"]', "entry #1 needs userId and userSecret"),
        ('{"alice": ""}', "must be non-empty strings"),
        ("{}", "no users given"),
    ],
)
def test_bad_user_secrets_are_named_without_quoting_them(tmp_path, users, expected):
    path = write(tmp_path, SNAPTRADE + "    user_secrets: {env: ST_USERS}\n")
    [source] = load_sources(path, environ={**SNAPTRADE_ENV, "ST_USERS": users})
    with pytest.raises(ConfigError) as error:
        source.users()
    assert "source 'snaptrade'" in str(error.value)
    assert expected in str(error.value)
    assert "secret-alice" not in str(error.value)


def test_snaptrade_needs_exactly_one_origin_of_user_secrets(tmp_path):
    path = write(tmp_path, SNAPTRADE)
    with pytest.raises(ConfigError) as error:
        load_sources(path, environ=SNAPTRADE_ENV)
    assert "give exactly one of user_secrets or user_secrets_file" in str(error.value)
    assert str(path) in str(error.value)


def test_a_source_paces_at_the_brokers_limit_unless_told_otherwise(tmp_path):
    from brokers.alpaca.client import RATE_LIMIT
    from brokers.http import settings_for
    from brokers.ratelimit import RateLimit

    env = {"TEST_KEY_ID": "PKXYZ", "TEST_SECRET": "hunter22"}
    [default] = load_sources(write(tmp_path, GOOD), environ=env)
    assert settings_for(default, RATE_LIMIT).rate_limit == RateLimit(200, 60.0)
    assert settings_for(default, RATE_LIMIT).timeout == 30.0

    tuned = GOOD + "    rate_limit: {requests: 1000}\n    timeout_seconds: 5\n"
    [source] = load_sources(write(tmp_path, tuned), environ=env)
    assert settings_for(source, RATE_LIMIT).rate_limit == RateLimit(1000, 60.0)
    assert settings_for(source, RATE_LIMIT).timeout == 5.0

    [unlimited] = load_sources(write(tmp_path, GOOD + "    rate_limit: false\n"), environ=env)
    assert settings_for(unlimited, RATE_LIMIT).rate_limit is None

    with pytest.raises(ConfigError, match=r"field 'rate_limit.*requests'"):
        load_sources(write(tmp_path, GOOD + "    rate_limit: {requests: 0}\n"), environ=env)
