"""Committing while other writers commit too. delta-rs retries by itself a commit that
another writer's commit does not touch (another source's partition); one that it does
touch (the same source's rows, replaced or merged at once by two runs) fails with
`CommitFailedError`, and the whole operation is run again on the table as it now is:
the last run to commit wins, and neither loses or doubles a row."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import TypeVar

from deltalake import CommitProperties, Transaction
from deltalake.exceptions import CommitFailedError

T = TypeVar("T")

ATTEMPTS = 30
COMMIT_RETRIES = 50  # delta-rs's own retries past commits that touch other partitions


class LakeConflict(RuntimeError):
    """Other writers kept committing to the same rows: the operation gave up."""


class Overtaken(RuntimeError):
    """Another writer got there first (created the table meanwhile): run again."""


def retrying(operation: Callable[[], T], what: str) -> T:
    """Run `operation` (which opens the table afresh each time) until it commits."""
    for attempt in range(ATTEMPTS):
        try:
            return operation()
        except (CommitFailedError, Overtaken) as exc:
            if attempt == ATTEMPTS - 1:
                raise LakeConflict(
                    f"{what}: gave up after {ATTEMPTS} attempts, each overtaken by another "
                    f"writer's commit to the same rows ({exc}); run it again"
                ) from exc
            time.sleep(random.uniform(0.02, 0.1) * min(attempt + 1, 10))
    raise AssertionError("unreachable")  # pragma: no cover


def writer_app_id(table_name: str, source: str) -> str:
    """Carried by every commit of a run to a keyed table's source: a run whose commit
    another run's overtook fails to commit (delta-rs's concurrent-transaction check),
    rather than appending rows that may now be there."""
    return f"brokerlake/{table_name}/{source}"


def mark_app_id(table_name: str, source: str) -> str:
    """The change feed's mark of a source, as the version of this application
    transaction (microseconds since the epoch), committed with the rows read up to it."""
    return f"brokerlake/{table_name}/{source}/mark"


def properties(
    transactions: dict[str, int] | None = None, metadata: dict[str, str] | None = None
) -> CommitProperties:
    """A commit's properties: application transactions (app id -> version) and metadata."""
    return CommitProperties(
        custom_metadata=metadata,
        max_commit_retries=COMMIT_RETRIES,
        app_transactions=[
            Transaction(app, version) for app, version in (transactions or {}).items()
        ],
    )
