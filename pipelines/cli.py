"""The `brokerlake` command line."""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path

from pipelines.settings import Settings, parse_clock

INVALID = 2  # the sources cannot be loaded (as argparse's usage errors)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="brokerlake", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    demo = commands.add_parser(
        "demo",
        help="every asset of every source -> the warehouse, then what landed (the built-in "
        "sandbox unless a sources file is given)",
    )
    _run_arguments(demo)
    demo.add_argument(
        "--day",
        type=_day,
        help="the day to snapshot (default: the sandbox clock's, else today UTC); a broker "
        "must date its answers that day",
    )

    backfill = commands.add_parser(
        "backfill",
        help="the daily snapshots of a range of days (past days replay from the sandbox)",
    )
    backfill.add_argument("--from", dest="first", type=_day, required=True, help="first day")
    backfill.add_argument("--to", dest="last", type=_day, required=True, help="last day")
    _run_arguments(backfill)

    check = commands.add_parser(
        "check",
        help="validate the sources file, then make one authenticated request per source and "
        "say what its credentials reach (exit 0 ready, 1 a source fails, 2 invalid "
        "sources, 3 warnings)",
    )
    _environment_arguments(check)

    sandbox = commands.add_parser("sandbox", help="the simulated broker APIs")
    sandbox_commands = sandbox.add_subparsers(dest="sandbox_command", required=True)
    serve = sandbox_commands.add_parser(
        "serve", help="serve every simulated API on loopback; first line of output: the manifest"
    )
    serve.add_argument("--port", type=int, default=0, help="port (default: a free one)")
    serve.add_argument("--seed", type=int, default=0)
    serve.add_argument(
        "--clock", type=parse_clock, help="world clock, ISO (default: start of today UTC)"
    )
    serve.add_argument(
        "--faults",
        metavar="RATE",
        type=_fault_rate,
        default="",
        help="fail this share of requests with transient faults (as demo --sandbox-faults)",
    )
    serve.add_argument(
        "--drift",
        metavar="PROFILE",
        type=_drift_profile,
        default="",
        help="serve schema drift in a few rows (as demo --sandbox-drift)",
    )
    serve.add_argument(
        "--rate-limits",
        action="store_true",
        help="enforce each API's rate limit (429 past it)",
    )
    serve.add_argument(
        "--broker-accounts",
        metavar="N",
        type=_positive,
        help="the Alpaca Broker API partner's customer accounts (default 24): a partner's "
        "book at scale",
    )

    report = commands.add_parser(
        "report",
        help="one HTML page of the portfolio (value, allocation, performance, income, "
        "sources), that opens offline",
    )
    _home_argument(report)
    report.add_argument(
        "--out", type=Path, help="the HTML file to write (default: <home>/report.html)"
    )
    lake = commands.add_parser("lake", help="the lake of Delta tables: migrate, maintain, as of")
    lake_commands = lake.add_subparsers(dest="lake_command", required=True)
    migrate = lake_commands.add_parser(
        "migrate", help="convert a lake in the earlier Parquet layout to Delta tables"
    )
    _home_argument(migrate)
    maintain = lake_commands.add_parser(
        "maintain",
        help="compact every table (OPTIMIZE) and remove files past the retention (VACUUM)",
    )
    _home_argument(maintain)
    maintain.add_argument(
        "--retention-days",
        type=_positive,
        help="how long old versions stay readable (default 30, or BROKERLAKE_RETENTION_DAYS)",
    )
    as_of = lake_commands.add_parser(
        "as-of", help="a catalog of the tables as they were at an instant or version"
    )
    _home_argument(as_of)
    as_of.add_argument(
        "when", type=_as_of, help="an ISO instant (naive means UTC) or a table version"
    )
    as_of.add_argument(
        "--out", type=Path, required=True, help="the DuckDB file to write (a new file)"
    )
    return parser


def _home_argument(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--home",
        help="where the lake and catalog are: a folder (default ./data) or s3://bucket/prefix",
    )


def _environment_arguments(command: argparse.ArgumentParser) -> None:
    """Where the sources come from: a sources file, or the built-in sandbox."""
    which = command.add_mutually_exclusive_group()
    which.add_argument(
        "--sources",
        type=Path,
        help="a sources file (default: BROKERLAKE_SOURCES, else ./sources.yaml if present)",
    )
    which.add_argument(
        "--sandbox",
        action="store_true",
        default=None,
        help="read the built-in sandbox's simulated brokers (as BROKERLAKE_SANDBOX=1)",
    )
    command.add_argument("--seed", type=int, help="sandbox world seed (default 0)")
    command.add_argument(
        "--sandbox-clock", type=parse_clock, help="sandbox clock, ISO (default: start of today UTC)"
    )


def _run_arguments(command: argparse.ArgumentParser) -> None:
    """What `demo` and `backfill` share: where data goes, where it comes from, how much
    they say."""
    _home_argument(command)
    _environment_arguments(command)
    command.add_argument(
        "--verbose", action="store_true", help="Dagster's log of every event, and tracebacks"
    )
    command.add_argument(
        "--sandbox-faults",
        metavar="RATE",
        type=_fault_rate,
        help="fail this share of sandbox requests with transient faults: 0.1, or per API: "
        "alpaca=0.2,tradr=0.05 (default: none)",
    )

    command.add_argument(
        "--sandbox-drift",
        metavar="PROFILE",
        type=_drift_profile,
        help="serve schema drift in a few rows: all, or some of extra_fields, unknown_enums, "
        "missing_optional, wrong_types (default: none)",
    )
    command.add_argument(
        "--sandbox-broker-accounts",
        metavar="N",
        type=_positive,
        help="the sandbox's Alpaca Broker API partner holds N customer accounts (default 24)",
    )


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"not a positive whole number: {text!r}")
    return value


def _as_of(text: str) -> int | datetime:
    if text.isdigit():
        return int(text)
    try:
        return parse_clock(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO instant or a version: {text!r}") from None


def _settings(args: argparse.Namespace, *, sandbox_by_default: bool = False) -> Settings:
    """The environment's settings, flags first: `--sources` or `--sandbox` settles where
    the sources come from; `sandbox_by_default` (the demo) asks for the sandbox when no
    sources file is given anywhere."""
    settings = Settings.from_env()
    if args.sources is not None:
        settings = replace(settings, sources_file=args.sources, sandbox=False, conflict=None)
    elif args.sandbox:
        settings = replace(settings, sources_file=None, sandbox=True, conflict=None)
    elif sandbox_by_default and settings.sources_file is None:
        settings = replace(settings, sandbox=True)
    return replace(
        settings,
        home=getattr(args, "home", None) or settings.home,
        sandbox_seed=settings.sandbox_seed if args.seed is None else args.seed,
        sandbox_clock=args.sandbox_clock or settings.sandbox_clock,
        sandbox_faults=getattr(args, "sandbox_faults", None) or settings.sandbox_faults,
        sandbox_drift=getattr(args, "sandbox_drift", None) or settings.sandbox_drift,
        sandbox_broker_accounts=getattr(args, "sandbox_broker_accounts", None)
        or settings.sandbox_broker_accounts,
    )


def _lake_command(args: argparse.Namespace) -> int:
    """`brokerlake lake ...`: the home from --home, else BROKERLAKE_HOME, else ./data."""
    from warehouse import Catalog, Lake
    from warehouse.location import is_remote
    from warehouse.maintenance import DEFAULT_RETENTION, maintain
    from warehouse.migrate import migrate

    home = args.home or Settings.from_env().home
    if args.lake_command == "migrate":
        if is_remote(home):
            print(f"{home}: a lake on object storage is always in Delta tables")
            return 0
        migrate(Path(home))
        Catalog(home).refresh()
        return 0
    if args.lake_command == "maintain":
        days = args.retention_days or int(
            os.environ.get("BROKERLAKE_RETENTION_DAYS", DEFAULT_RETENTION.days)
        )
        print(f"Maintaining {Lake(home).root} (old versions kept {days} days):")
        maintain(Lake(home), timedelta(days=days))
        Catalog(home).refresh()
        return 0
    Catalog(home).build(args.out, as_of=args.when)
    print(f"{args.out}: the catalog as of {args.when}")
    return 0


def _report(args: argparse.Namespace) -> int:
    """`brokerlake report`: the page for the home from --home, else BROKERLAKE_HOME, else
    ./data."""
    from pipelines.portfolio_report import write_report
    from warehouse.location import is_remote

    home = args.home or Settings.from_env().home
    out = args.out or (Path("report.html") if is_remote(home) else Path(home) / "report.html")
    try:
        top = write_report(home, out)
    except FileNotFoundError as exc:
        print(f"brokerlake report: {exc}", file=sys.stderr)
        return INVALID
    print(
        f"{out}: snapshots to {top.as_of}, {top.accounts} accounts, total equity "
        f"{top.total_equity:,.2f} {top.base_currency}"
    )
    return 0


def _fault_rate(text: str) -> str:
    """Checked here, so a typo is a usage error rather than a failed run."""
    from sandbox import FaultPlan

    try:
        FaultPlan.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text


def _drift_profile(text: str) -> str:
    from sandbox import DriftProfile

    try:
        DriftProfile.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "sandbox":
        return _serve(args)
    if args.command == "lake":
        return _lake_command(args)
    if args.command == "report":
        return _report(args)
    if args.command == "backfill" and args.last < args.first:
        _parser().error(f"--to {args.last} is before --from {args.first}")
    from assets.environment import EnvironmentMismatch
    from brokers.errors import ConfigError

    try:
        return _run(args)
    except (ConfigError, EnvironmentMismatch) as exc:
        print(f"brokerlake {args.command}: {exc}", file=sys.stderr)
        return INVALID


def _run(args: argparse.Namespace) -> int:
    """demo, backfill or check; a ConfigError or EnvironmentMismatch when the sources
    cannot be loaded or the home holds the other kind of data."""
    if args.command == "check":
        from pipelines.check import run_check
        from pipelines.definitions import sources_for

        settings = _settings(args)
        file = settings.sources_file
        origin = "the sandbox" if settings.uses_sandbox or file is None else str(file.resolve())
        resource, _ = sources_for(settings, check_home=False)
        return run_check(resource, origin)
    from pipelines.demo import run_backfill, run_demo

    if args.command == "demo":
        settings = replace(_settings(args, sandbox_by_default=True), snapshot_day=args.day)
        return 1 if run_demo(settings, verbose=args.verbose) else 0
    failed = run_backfill(_settings(args), args.first, args.last, verbose=args.verbose)
    return 1 if failed else 0


def _serve(args: argparse.Namespace) -> int:
    if args.sandbox_command == "serve":
        from sandbox import DriftProfile, FaultPlan, SandboxConfig, WorldSizes, serve

        sizes = WorldSizes()
        if args.broker_accounts:
            sizes = replace(sizes, broker_accounts=args.broker_accounts)
        config = SandboxConfig(
            seed=args.seed,
            clock=args.clock,
            sizes=sizes,
            port=args.port,
            faults=FaultPlan.parse(args.faults, seed=args.seed),
            drift=DriftProfile.parse(args.drift),
            enforce_rate_limits=args.rate_limits,
        )
        serve(config)
        return 0
    return 2  # pragma: no cover


if __name__ == "__main__":
    sys.exit(main())
