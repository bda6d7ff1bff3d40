from pathlib import Path

import pytest

from brokers.config import ConfigError, load_sources

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
        (
            GOOD.replace("kind: alpaca", "kind: alpacca"),
            "source 'alpaca-paper': field 'kind': 'alpacca' is not a source kind; use one of "
            "alpaca, alpaca_broker, snaptrade, tradr (did you mean 'alpaca'?)",
        ),
        (
            GOOD.replace("https://paper", "ftp://paper"),
            "field 'base_url': 'ftp://paper-api.alpaca.markets' is not a URL: it must start "
            "with https:// (or http://)",
        ),
        (GOOD.replace("name: alpaca-paper", "name: Alpaca Paper"), "field 'name': 'Alpaca Paper'"),
        (
            GOOD + "    secret: blue\n",
            "field 'secret': not a field of kind alpaca; remove it (did you mean 'secret_key'?)",
        ),
        (
            GOOD.replace("    secret_key: {env: TEST_SECRET}\n", ""),
            "field 'secret_key': missing; kind alpaca needs it (a secret: write it as "
            "{env: VARIABLE})",
        ),
        (
            GOOD + GOOD.replace("sources:\n", ""),
            "source 'alpaca-paper': the name appears 2 times; names must be unique",
        ),
        ("sources: nope", "expected a mapping with a 'sources' list (see sources.example.yaml)"),
        ("sources: [\n", "not valid YAML at line 2"),
    ],
)
def test_invalid_files_name_the_file_the_source_and_the_field(tmp_path, text, expected):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as error:
        load_sources(path, environ={"TEST_KEY_ID": "PKXYZ", "TEST_SECRET": "hunter22"})
    [problem] = error.value.problems  # one line, naming the file first
    assert problem.startswith(f"{path}: ")
    assert expected in problem
    assert "hunter22" not in str(error.value)


def test_a_missing_variable_is_named_with_what_to_do(tmp_path):
    path = write(tmp_path, GOOD)
    with pytest.raises(ConfigError) as error:
        load_sources(path, environ={"TEST_KEY_ID": "PKXYZ"})
    assert str(error.value) == (
        f"{path}: source 'alpaca-paper': field 'secret_key': environment variable "
        "TEST_SECRET is not set; export it, or name the variable that holds it in {env: ...}"
    )


def test_every_problem_of_a_file_is_reported_at_once_one_line_each(tmp_path):
    path = write(
        tmp_path,
        """
sources:
  - {name: paper, kind: alpacca, key_id: {env: K}, secret_key: {env: S}}
  - {name: fx, kind: tradr, api_key: {env: TRADR_UNSET}, account_ids: []}
  - {name: partner, kind: alpaca_broker, client_id: {env: K}}
  - {name: paper, kind: alpaca, key_id: {env: K}, secret_key: {env: S}, colour: blue}
  - just text
""",
    )
    with pytest.raises(ConfigError) as error:
        load_sources(path, environ={"K": "k-value", "S": "s-value"})
    assert error.value.problems == [
        f"{path}: source 'paper': field 'kind': 'alpacca' is not a source kind; use one of "
        "alpaca, alpaca_broker, snaptrade, tradr (did you mean 'alpaca'?)",
        f"{path}: source 'fx': field 'api_key': environment variable TRADR_UNSET is not set; "
        "export it, or name the variable that holds it in {env: ...}",
        f"{path}: source 'fx': field 'account_ids': lists no account; list at least one, or "
        "remove account_ids to read all",
        f"{path}: source 'partner': give key_id with secret_key (HTTP Basic), or client_id "
        "with client_secret (OAuth2), each pair complete",
        f"{path}: source 'paper': field 'colour': not a field of kind alpaca; remove it",
        f"{path}: source #5: expected a mapping of fields (name: ..., kind: ...), got str",
        f"{path}: source 'paper': the name appears 2 times; names must be unique (each is "
        "the `source` column of its rows): rename all but one",
    ]
    assert "k-value" not in str(error.value) and "s-value" not in str(error.value)


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
def test_bad_user_secrets_are_refused_as_the_file_loads_without_quoting_them(
    tmp_path, users, expected
):
    path = write(tmp_path, SNAPTRADE + "    user_secrets: {env: ST_USERS}\n")
    with pytest.raises(ConfigError) as error:
        load_sources(path, environ={**SNAPTRADE_ENV, "ST_USERS": users})
    assert f"{path}: source 'snaptrade'" in str(error.value)
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
