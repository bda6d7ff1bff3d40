"""A run's progress in a few plain lines: one per finished step (its source, what landed,
or why it failed), instead of Dagster's log of every event, which stays in the run's log
(the UI shows it).

It is a Dagster logger: the run hands it every event as it happens."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import dagster as dg

from assets.tables_common import group

if TYPE_CHECKING:
    from dagster_shared.error import SerializableErrorInfo

PROGRESS_LOGGER = "progress"


@dataclass
class StepOutcome:
    source: str
    step: str  # "snapshots", "orders" or "activities"
    rows: dict[str, int] = field(default_factory=dict)  # table -> rows written
    warnings: list[str] = field(default_factory=list)
    failed_checks: list[str] = field(default_factory=list)  # "positions contract: ..."
    error: SerializableErrorInfo | None = None
    done: bool = False


class Progress(logging.Handler):
    """Collects each step's outcome from the run's events and says it when the step ends.
    `verbose` adds the failure's traceback."""

    def __init__(self, out: Callable[[str], None], *, verbose: bool = False) -> None:
        super().__init__(level=logging.DEBUG)
        self.out = out
        self.verbose = verbose
        self.sources: list[str] = []
        self.without_orders: dict[str, str] = {}  # source -> its kind, whose API has none
        self.steps: dict[str, StepOutcome] = {}

    def follow(self, sources: list[str], without_orders: dict[str, str] | None = None) -> None:
        """The sources whose steps to follow (a run's steps are named after them), and
        those of a kind whose API has no orders (they have no orders step)."""
        self.sources = list(sources)
        self.without_orders = dict(without_orders or {})

    def say_without_orders(self) -> None:
        """A line for each source with no orders step: why there is none."""
        for source, kind in sorted(self.without_orders.items()):
            self.out(f"{self._head(source, 'orders')} none: the {kind} API has no orders")

    def emit(self, record: logging.LogRecord) -> None:
        event: dg.DagsterEvent | None = getattr(record, "dagster_event", None)
        if event is None or event.step_key is None:
            return
        outcome = self._outcome(event.step_key)
        if outcome is None:
            return
        match event.event_type:
            case dg.DagsterEventType.ASSET_MATERIALIZATION:
                materialization = event.step_materialization_data.materialization
                metadata = materialization.metadata
                table = materialization.asset_key.path[-1]
                outcome.rows[table] = int(_value(metadata.get("rows_written")) or 0)
                for line in str(_value(metadata.get("warnings")) or "").splitlines():
                    warning = line.removeprefix("- ").strip()
                    if warning and warning not in outcome.warnings:
                        outcome.warnings.append(warning)
            case dg.DagsterEventType.ASSET_CHECK_EVALUATION:
                evaluation = event.asset_check_evaluation_data
                if not evaluation.passed:
                    problems = _value(evaluation.metadata.get("problems"))
                    name = f"{evaluation.asset_key.path[-1]} {evaluation.check_name}"
                    outcome.failed_checks.append(f"{name}: {problems}" if problems else name)
            case dg.DagsterEventType.STEP_SUCCESS:
                outcome.done = True
                self._say(outcome)
            case dg.DagsterEventType.STEP_FAILURE:
                outcome.done = True
                outcome.error = event.step_failure_data.error
                self._say(outcome)

    def _outcome(self, step_key: str) -> StepOutcome | None:
        if step_key not in self.steps:
            matches = [s for s in self.sources if step_key.startswith(group(s) + "__")]
            if not matches:
                return None
            source = max(matches, key=len)
            self.steps[step_key] = StepOutcome(source, step_key.removeprefix(group(source) + "__"))
        return self.steps[step_key]

    def _head(self, source: str, step: str) -> str:
        width = max(len(name) for name in self.sources)
        return f"  {source:<{width}}  {step:<10}"

    def _say(self, outcome: StepOutcome) -> None:
        head = self._head(outcome.source, outcome.step)
        if outcome.error is None:
            landed = ", ".join(f"{rows} {table}" for table, rows in outcome.rows.items())
            self.out(f"{head} ok: {landed or 'nothing new'}")
        else:
            self.out(f"{head} FAILED: {plain(outcome.error)}")
        for check in outcome.failed_checks:  # a warning's check fails with its step ok
            self.out(f"{'':<{len(head)}} failed check: {check}")
        if outcome.error is not None and self.verbose:
            self.out(outcome.error.to_string())
        for warning in outcome.warnings:
            self.out(f"{'':<{len(head)}} warning: {warning}")

    def failed_sources(self) -> list[str]:
        """Sources with a failed step, or a step that never ran (its upstream failed)."""
        failed = {o.source for o in self.steps.values() if o.error is not None or not o.done}
        return sorted(failed)


def plain(error: SerializableErrorInfo) -> str:
    """The innermost cause of a step's failure, as its message says it (the user's error
    rather than Dagster's wrapping), on one line."""
    while error.cause is not None:
        error = error.cause
    message = error.message.strip()
    for prefix in (f"{error.cls_name}: ", "dagster._core.definitions.events.Failure: "):
        message = message.removeprefix(prefix)
    return " ".join(message.split())


def _value(entry: object) -> object:
    return getattr(entry, "value", entry)


def progress_logger(progress: Progress) -> dg.LoggerDefinition:
    """A Dagster logger handing the run's events to `progress`."""

    @dg.logger
    def _progress(_: dg.InitLoggerContext) -> logging.Logger:
        logger = logging.Logger("brokerlake.progress", level=logging.DEBUG)
        logger.addHandler(progress)
        return logger

    return _progress
