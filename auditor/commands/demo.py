"""auditor demo: the fictional candidate's audit, fully offline (servers on loopback)."""

from __future__ import annotations

import argparse

from auditor.commands.common import add_report_options

HELP = "audit the built-in fictional candidate, offline (for briefings and trying it out)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--headless", action="store_true", help="print the report instead of opening the app"
    )
    add_report_options(parser)


def run(args: argparse.Namespace) -> int:
    if not args.headless:
        from auditor.tui.app import run_app

        return int(run_app(demo=True))
    from auditor.commands.scan import run_and_report
    from auditor.demo.world import DemoWorld

    world = DemoWorld.run_in_thread()
    try:
        return run_and_report(world.profile, world.audit_options(), args)
    finally:
        world.stop_thread()
