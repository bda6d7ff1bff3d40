"""A broker kind is registered once: configuration, connectors, the sandbox, the contract,
the test oracles and the benchmarks all know exactly the kinds `brokers.kinds` lists."""

from __future__ import annotations

import asyncio

import pytest

from benchmarks.kinds import BY_KIND as BENCHMARKED
from brokers.config import KINDS, ConfigError, parse_sources, sandbox_sources
from brokers.kinds import SPECS
from brokers.registry import connector_for
from sandbox import Sandbox, SandboxConfig
from sandbox.apis import APIS
from schemas.tables import BROKERS
from tests.kinds import ORACLES


def test_every_kind_is_registered_once_everywhere():
    kinds = [spec.kind for spec in SPECS]
    assert len(set(kinds)) == len(kinds)
    assert list(KINDS) == kinds
    assert set(ORACLES) == set(kinds)
    assert set(BENCHMARKED) <= set(kinds)
    assert {spec.api for spec in SPECS} == {api.name for api in APIS}
    assert {spec.api for spec in SPECS if spec.preview} == {
        api.name for api in APIS if api.present is not None
    }
    assert {spec.broker for spec in SPECS} <= set(BROKERS)
    assert len({api.prefix for api in APIS}) == len(APIS)


def test_an_unknown_kind_is_refused_naming_every_kind_out_of_preview():
    with pytest.raises(ConfigError) as refused:
        parse_sources([{"name": "x", "kind": "etrade"}], origin="sources.yaml")
    message = str(refused.value)
    assert [spec.kind for spec in SPECS if spec.kind in message] == [
        spec.kind for spec in SPECS if not spec.preview
    ]


@pytest.mark.parametrize(
    "spec", [spec for spec in SPECS if spec.preview], ids=lambda spec: spec.kind
)
def test_a_misspelt_preview_kind_is_still_guessed(spec):
    with pytest.raises(ConfigError) as refused:
        parse_sources([{"name": "x", "kind": spec.kind + "s"}], origin="sources.yaml")
    assert str(refused.value).endswith(f"(did you mean {spec.kind!r}?)")


@pytest.fixture(scope="module")
def manifest():
    with Sandbox(SandboxConfig(seed=0)) as sandbox:
        yield sandbox.manifest()


def test_the_sandbox_offers_sources_of_every_kind_it_holds_and_each_has_its_connector(manifest):
    sources = sandbox_sources(manifest)
    by_kind = {spec.kind: spec for spec in SPECS}
    for source in sources:
        spec = by_kind[source.kind]
        assert isinstance(source, spec.config)
        connector = connector_for(source)
        assert connector.broker == spec.broker
        asyncio.run(connector.aclose())
    offered = {source.kind for source in sources}
    assert offered >= {"alpaca", "alpaca_broker", "snaptrade", "tradr"}
