"""The asset graph as reviewed: keys, dependencies and partitions. An accidental change
to the graph shows up here."""

from __future__ import annotations

from datetime import date

import dagster as dg

from assets import SourcesResource, WarehouseResource, build_table_assets

EXPECTED_DEPS = {
    "users": set(),
    "connections": set(),
    "accounts": set(),
    "balances": {"accounts"},
    "positions": {"accounts"},
    "orders": {"accounts"},
}
FIRST_DAY = date(2026, 11, 1)


def test_the_graph():
    built = build_table_assets({"b-source": "tradr", "a-source": "alpaca"}, FIRST_DAY)
    definitions = dg.Definitions(
        assets=built.assets,
        asset_checks=built.checks,
        resources={"sources": SourcesResource(), "warehouse": WarehouseResource()},
    )
    graph = definitions.get_repository_def().asset_graph
    for source in ("a-source", "b-source"):
        deps = {
            key.path[1]: {parent.path[1] for parent in graph.get(key).parent_keys}
            for key in graph.get_all_asset_keys()
            if key.path[0] == source
        }
        assert deps == EXPECTED_DEPS
        for key in graph.get_all_asset_keys():
            node = graph.get(key)
            assert node.group_name == key.path[0].replace("-", "_")
            assert node.description
            if key.path[1] == "orders":
                assert node.partitions_def is None
            else:
                keys = node.partitions_def.get_partition_keys()
                assert keys[0] == "2026-11-01" and len(keys) >= 23
