"""Where a run's settings come from: command-line flags first, then the environment.

Environments are explicit: real sources come from a sources file (`--sources FILE`,
`BROKERLAKE_SOURCES`, or `./sources.yaml`), the sandbox only when asked for (`--sandbox`,
`BROKERLAKE_SANDBOX=1`, or `brokerlake demo` with no sources file). With neither, nothing
runs, and the message names both.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from brokers.errors import ConfigError
from warehouse.location import resolve_home

DEFAULT_SOURCES_FILE = "sources.yaml"
DEFAULT_FIRST_DAY = date(2026, 1, 1)  # the first daily partition
YES = frozenset({"1", "true", "yes", "on"})

NO_ENVIRONMENT = (
    "no sources to read: give a sources file for real broker APIs (./sources.yaml, "
    "--sources FILE, or BROKERLAKE_SOURCES=/path/to/sources.yaml; see "
    "sources.example.yaml), or set BROKERLAKE_SANDBOX=1 (--sandbox) to read the built-in "
    "sandbox's simulated brokers"
)


@dataclass(frozen=True)
class Settings:
    home: Path | str  # a folder, or object storage: s3://bucket/prefix (gs://, az://)
    sources_file: Path | None  # real sources; None: the sandbox, if asked for
    sandbox_seed: int
    sandbox_clock: datetime | None  # None: the start of the current UTC day
    sandbox_faults: str = ""  # a share of requests the sandbox fails: "0.1", "alpaca=0.2"
    sandbox_drift: str = ""  # schema drift the sandbox serves: "all", "wrong_types", ...
    sandbox_broker_accounts: int | None = None  # the Broker API partner's accounts
    first_day_setting: date = DEFAULT_FIRST_DAY
    snapshot_day: date | None = None  # the day `demo` snapshots; None: see `day`
    sandbox: bool = False  # the built-in sandbox was asked for
    # Why these settings cannot run (two environments asked for at once), if they cannot.
    conflict: str | None = None

    @property
    def home_uri(self) -> str:
        """The home as the lake names it: an absolute folder, or the storage URI."""
        return resolve_home(self.home)

    @property
    def first_day(self) -> date:
        """The first daily partition: the setting, or the sandbox clock's day if earlier."""
        return min(self.first_day_setting, self.day)

    @property
    def day(self) -> date:
        """The day a run snapshots: the sandbox clock's (a sources file may point at a
        sandbox served at that clock), else today (UTC)."""
        if self.snapshot_day is not None:
            return self.snapshot_day
        if self.sandbox_clock is not None:
            return self.sandbox_clock.date()
        return datetime.now(UTC).date()

    @property
    def uses_sandbox(self) -> bool:
        """True for the sandbox, False for a sources file; a ConfigError naming both ways
        when neither was given (or both were)."""
        if self.conflict is not None:
            raise ConfigError(self.conflict)
        if self.sources_file is not None:
            return False
        if self.sandbox:
            return True
        raise ConfigError(NO_ENVIRONMENT)

    @classmethod
    def from_env(cls) -> Settings:
        explicit = os.environ.get("BROKERLAKE_SOURCES")
        sandbox = os.environ.get("BROKERLAKE_SANDBOX", "").strip().lower() in YES
        conflict = None
        sources_file: Path | None = None
        if explicit:
            sources_file = Path(explicit)
            if sandbox:
                conflict = (
                    f"BROKERLAKE_SOURCES ({explicit}) and BROKERLAKE_SANDBOX=1 are both set: "
                    "a lake holds real or sandbox data, never both; unset one"
                )
        elif not sandbox and Path(DEFAULT_SOURCES_FILE).exists():
            sources_file = Path(DEFAULT_SOURCES_FILE)
        clock = os.environ.get("BROKERLAKE_SANDBOX_CLOCK")
        return cls(
            home=os.environ.get("BROKERLAKE_HOME", "data"),
            sources_file=sources_file,
            sandbox=sandbox,
            conflict=conflict,
            sandbox_seed=int(os.environ.get("BROKERLAKE_SANDBOX_SEED", "0")),
            sandbox_clock=parse_clock(clock) if clock else None,
            sandbox_faults=os.environ.get("BROKERLAKE_SANDBOX_FAULTS", ""),
            sandbox_drift=os.environ.get("BROKERLAKE_SANDBOX_DRIFT", ""),
            sandbox_broker_accounts=_count(os.environ.get("BROKERLAKE_SANDBOX_BROKER_ACCOUNTS")),
            first_day_setting=date.fromisoformat(
                os.environ.get("BROKERLAKE_FIRST_DAY", DEFAULT_FIRST_DAY.isoformat())
            ),
        )


def _count(text: str | None) -> int | None:
    return int(text) if text else None


def parse_clock(text: str) -> datetime:
    """An ISO timestamp or date for the sandbox clock, as UTC (naive means UTC)."""
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"--sandbox-clock: not an ISO date or timestamp: {text!r}") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
