"""The `brokerlake` command line."""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path

from pipelines.settings import Settings, parse_clock


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="brokerlake", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    demo = commands.add_parser(
        "demo", help="sandbox (or sources.yaml) -> all assets -> warehouse, then what landed"
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
    return parser


def _run_arguments(command: argparse.ArgumentParser) -> None:
    """What `demo` and `backfill` share: where data goes, where it comes from."""
    command.add_argument("--home", type=Path, help="where the lake and catalog go (default ./data)")
    command.add_argument(
        "--sources", type=Path, help="a sources.yaml (default ./sources.yaml if present)"
    )
    command.add_argument("--seed", type=int, help="sandbox world seed (default 0)")
    command.add_argument(
        "--sandbox-clock", type=parse_clock, help="sandbox clock, ISO (default: start of today UTC)"
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


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _settings(args: argparse.Namespace) -> Settings:
    settings = Settings.from_env()
    return replace(
        settings,
        home=args.home or settings.home,
        sources_file=args.sources or settings.sources_file,
        sandbox_seed=settings.sandbox_seed if args.seed is None else args.seed,
        sandbox_clock=args.sandbox_clock or settings.sandbox_clock,
        sandbox_faults=args.sandbox_faults or settings.sandbox_faults,
        sandbox_drift=args.sandbox_drift or settings.sandbox_drift,
    )


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
    if args.command == "demo":
        from pipelines.demo import run_demo

        return 1 if run_demo(replace(_settings(args), snapshot_day=args.day)) else 0
    if args.command == "backfill":
        from pipelines.demo import run_backfill

        if args.last < args.first:
            _parser().error(f"--to {args.last} is before --from {args.first}")
        return 1 if run_backfill(_settings(args), args.first, args.last) else 0
    if args.command == "sandbox" and args.sandbox_command == "serve":
        from sandbox import DriftProfile, FaultPlan, SandboxConfig, serve

        config = SandboxConfig(
            seed=args.seed,
            clock=args.clock,
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
