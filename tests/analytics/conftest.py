"""One warehouse of the sandbox world over a week, shared by the analytics tests."""

from __future__ import annotations

import pytest

from sandbox import Sandbox, SandboxConfig
from tests.analytics.world_lake import LAST, WorldLake, build


@pytest.fixture(scope="session")
def world_sandbox():
    with Sandbox(SandboxConfig(seed=0, clock=LAST)) as sandbox:
        yield sandbox


@pytest.fixture(scope="session")
def world_lake(world_sandbox, tmp_path_factory) -> WorldLake:
    return build(world_sandbox, tmp_path_factory.mktemp("analytics"))
