"""Lake maintenance as a Dagster job: every table compacted (OPTIMIZE) and the files no
version within the retention period refers to removed (VACUUM), then the catalog
refreshed; scheduled weekly, and `brokerlake lake maintain` from the command line."""

from datetime import timedelta

import dagster as dg

from assets.resources import WarehouseResource
from warehouse.maintenance import maintain

MAINTENANCE_JOB = "lake_maintenance"
MAINTENANCE_SCHEDULE = "lake_maintenance_schedule"
MAINTENANCE_CRON = "0 3 * * 0"  # Sundays 03:00 UTC, between the daily snapshots


@dg.op(description="Compact every Delta table, then vacuum files past the retention period.")
def maintain_lake(context: dg.OpExecutionContext, warehouse: WarehouseResource) -> None:
    lines: list[str] = []
    done = maintain(warehouse.lake, timedelta(days=warehouse.retention_days), lines.append)
    for line in lines:
        context.log.info(line)
    warehouse.catalog.refresh()
    context.add_output_metadata(
        {
            "tables": len(done),
            "files_compacted": sum(m.files_compacted for m in done),
            "files_removed": sum(m.files_removed for m in done),
            "retention_days": warehouse.retention_days,
        }
    )


@dg.job(name=MAINTENANCE_JOB, description="Compaction and vacuum of the lake's Delta tables.")
def lake_maintenance() -> None:
    maintain_lake()


maintenance_schedule = dg.ScheduleDefinition(
    name=MAINTENANCE_SCHEDULE,
    job=lake_maintenance,
    cron_schedule=MAINTENANCE_CRON,
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Lake compaction and vacuum, weekly.",
)
