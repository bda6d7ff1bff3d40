"""The asset graph as reviewed: keys, dependencies and partitions. An accidental change
to the graph shows up here."""

from __future__ import annotations

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


def test_the_graph():
    definitions = dg.Definitions(
        assets=build_table_assets(["b-source", "a-source"]),
        resources={"sources": SourcesResource(), "warehouse": WarehouseResource()},
    )
    graph = definitions.get_repository_def().asset_graph
    deps = {
        key.to_user_string(): {parent.to_user_string() for parent in graph.get(key).parent_keys}
        for key in graph.get_all_asset_keys()
    }
    assert deps == EXPECTED_DEPS
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        assert node.partitions_def.get_partition_keys() == ["a-source", "b-source"]
        assert node.group_name == "brokerage"
        assert node.description
