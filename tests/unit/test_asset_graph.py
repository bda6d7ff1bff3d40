"""The asset graph as reviewed: per source, which step lands each table, its
dependencies, partitions, pool and checks. An accidental change to the graph shows up
here; a deliberate one updates the snapshot below."""

from __future__ import annotations

from datetime import date

import dagster as dg

from assets import SourcesResource, WarehouseResource, build_table_assets

FIRST_DAY = date(2026, 11, 1)
CHECKS = {"contract (blocking)", "reconciliation"}
# table -> (step, upstream tables, daily partitions, checks)
SNAPSHOT = {
    "users": ("snapshots", set(), True, CHECKS),
    "connections": ("snapshots", set(), True, CHECKS),
    "accounts": ("snapshots", set(), True, CHECKS),
    "balances": ("snapshots", {"accounts"}, True, CHECKS | {"equity (on positions too)"}),
    "positions": ("snapshots", {"accounts"}, True, CHECKS),
    "orders": ("orders", {"accounts"}, False, CHECKS),
    "activities": (
        "activities",
        {"accounts", "orders"},
        False,
        CHECKS | {"ledger (on balances, positions too)", "order_link (on orders too)"},
    ),
}


def describe_check(spec: dg.AssetCheckSpec) -> str:
    if spec.blocking:
        return f"{spec.name} (blocking)"
    if spec.additional_deps:
        return (
            f"{spec.name} (on {', '.join(d.asset_key.path[1] for d in spec.additional_deps)} too)"
        )
    return spec.name


def test_the_graph():
    steps = build_table_assets({"b-source": "tradr", "a-source": "alpaca"}, FIRST_DAY)
    definitions = dg.Definitions(
        assets=steps,
        resources={"sources": SourcesResource(), "warehouse": WarehouseResource()},
    )
    graph = definitions.get_repository_def().asset_graph
    assert sorted(step.node_def.name for step in steps) == [
        "a_source__activities",
        "a_source__orders",
        "a_source__snapshots",
        "b_source__activities",
        "b_source__orders",
        "b_source__snapshots",
    ]
    for source, group in (("a-source", "a_source"), ("b-source", "b_source")):
        landed = {}
        for step in steps:
            if not step.node_def.name.startswith(group + "__"):
                continue
            for key in step.keys:
                node = graph.get(key)
                checks = {
                    describe_check(spec) for spec in step.check_specs if spec.asset_key == key
                }
                landed[key.path[1]] = (
                    step.node_def.name.removeprefix(group + "__"),
                    {parent.path[1] for parent in node.parent_keys},
                    node.partitions_def is not None,
                    checks,
                )
                assert key.path[0] == source
                assert node.group_name == group
                assert node.pools == {f"source_{group}"}
                assert node.description
                if node.partitions_def is not None:
                    keys = node.partitions_def.get_partition_keys()
                    assert keys[0] == "2026-11-01" and len(keys) >= 23
        assert landed == SNAPSHOT
