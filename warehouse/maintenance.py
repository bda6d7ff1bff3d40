"""Lake maintenance: compaction (OPTIMIZE: a partition's small files rewritten as a few
large ones, in one commit that changes no row) and removal of the files no version
within the retention period refers to (VACUUM). Old versions stay readable (time
travel, and catalogs opened before) for the retention period, 30 days by default."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from deltalake import DeltaTable

from schemas import TABLES
from warehouse.commits import properties, retrying
from warehouse.lake import STATISTICS, WRITER, Lake

DEFAULT_RETENTION = timedelta(days=30)


@dataclass(frozen=True)
class Maintained:
    table: str  # its path under lake/
    files_compacted: int  # files rewritten into larger ones
    files_added: int
    files_removed: int  # unreferenced files older than the retention, deleted


def maintain(
    lake: Lake, retention: timedelta = DEFAULT_RETENTION, log: Callable[[str], None] = print
) -> list[Maintained]:
    """Compact every table of the lake, then delete what no version within `retention`
    refers to (and log entries past it)."""
    done = []
    for name, uri in lake.uris().items():
        if lake.open(uri) is None:
            continue
        cluster_by = _cluster_by(name)
        _keep_statistics(DeltaTable(uri))
        compacted = retrying(
            lambda uri=uri, cluster_by=cluster_by: _optimize(DeltaTable(uri), cluster_by),
            f"compacting {uri}",
        )
        delta = DeltaTable(uri)
        removed = delta.vacuum(
            retention_hours=int(retention.total_seconds() // 3600),
            dry_run=False,
            enforce_retention_duration=False,
            commit_properties=properties(),
        )
        delta.cleanup_metadata()
        result = Maintained(
            name,
            int(compacted.get("numFilesRemoved", 0)),
            int(compacted.get("numFilesAdded", 0)),
            len(removed),
        )
        log(
            f"  {name}: {result.files_compacted} files compacted into {result.files_added}, "
            f"{result.files_removed} unreferenced files removed"
        )
        done.append(result)
    return done


def _cluster_by(name: str) -> tuple[str, ...]:
    """A canonical keyed table's clustering columns (its files re-ordered by them)."""
    return TABLES[name].cluster_by if name in TABLES else ()


def _keep_statistics(delta: DeltaTable) -> None:
    """A table an earlier brokerlake created keeps statistics on every column from now
    on; compaction then rewrites its files with them."""
    configured = delta.metadata().configuration
    if any(configured.get(k) != v for k, v in STATISTICS.items()):
        delta.alter.set_table_properties(STATISTICS, commit_properties=properties())


def _optimize(delta: DeltaTable, cluster_by: tuple[str, ...]) -> dict:
    """Compaction; for a keyed table, its files rewritten in the order of its clustering
    columns, which merges since have mixed."""
    if cluster_by:
        return delta.optimize.z_order(
            list(cluster_by), writer_properties=WRITER, commit_properties=properties()
        )
    return delta.optimize.compact(writer_properties=WRITER, commit_properties=properties())
