"""auditor demo: the fictional candidate's audit, fully offline (servers on loopback).

``--serve`` keeps the candidate's world up for a live briefing: it prints the options that
point any other command at it (``auditor spf``, ``auditor scan``, ``auditor totp-test``)
and runs until Ctrl-C.
"""

from __future__ import annotations

import argparse
import shlex
import signal
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

from auditor.commands.common import add_report_options

if TYPE_CHECKING:
    from auditor.demo.world import DemoWorld

HELP = "audit the built-in fictional candidate, offline (for briefings and trying it out)"
READY_LINE = "The demo world is up."
EPILOG = (
    "exit codes (with --headless): as auditor scan: 0 no problem at or above --fail-on; 1 "
    "problems found; 2 could not run; 130 interrupted."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument(
        "--headless", action="store_true", help="print the report instead of opening the app"
    )
    mode.add_argument(
        "--serve", action="store_true",
        help="keep the demo world running on loopback and print the options that point other "
        "commands at it (Ctrl-C stops it)",
    )  # fmt: skip
    add_report_options(parser)


def run(args: argparse.Namespace) -> int:
    if args.serve:
        return serve()
    if not args.headless:
        from auditor.tui.app import run_app

        return int(run_app(demo=True))
    from auditor.commands.common import check_selection, resolve_output
    from auditor.commands.scan import run_and_report

    check_selection(args)  # before the demo world starts
    resolve_output(args)
    world = started_world()
    try:
        return run_and_report(world.profile, world.audit_options(), args)
    finally:
        world.stop_thread()


def started_world() -> DemoWorld:
    """The demo world in its thread, or one line and exit 2 when it cannot run here."""
    from auditor.commands.common import UsageError
    from auditor.demo.world import DemoUnavailable, DemoWorld

    try:
        return DemoWorld.run_in_thread()
    except DemoUnavailable as exc:
        raise UsageError(f"the demo could not start: {exc}") from None


@dataclass(frozen=True)
class ServedFiles:
    """What the other commands need on disk: the demo CA, its DNSSEC anchor and profile."""

    ca_file: Path
    trust_anchor: Path
    profile: Path


def network_options(world: DemoWorld, files: ServedFiles) -> list[str]:
    """The command-line options that point a command at the running world, as typed."""
    options = [f"--nameserver {world.audit_options().nameservers[0]}"]
    for rule in world.connect_rules():
        options.append(f"--connect-to {rule.host}:{rule.port}:{rule.to_host}:{rule.to_port}")
    options.append(f"--ca-file {shlex.quote(str(files.ca_file))}")
    from auditor.demo.content import apis

    options += [f"--endpoint {name}={url}" for name, url in apis.ENDPOINTS.items()]
    return options


def instructions(world: DemoWorld, files: ServedFiles) -> str:
    """What ``--serve`` prints: the options, then the story's commands ready to paste."""
    from auditor.demo import candidate

    options = " ".join(network_options(world, files))
    audit = f"--trust-anchor {shlex.quote(str(files.trust_anchor))} --no-save"
    profile = shlex.quote(str(files.profile))
    return f"""{READY_LINE} It serves {candidate.DOMAIN} and the rest of Alex Marlowe's world on
loopback only; Ctrl-C stops it.

Options that point any command at it:
  {options}
Audits also take: {audit}

The story, in order (each line runs as it is):
1. What a stalker would find: the home address on the site, in a PDF and a photo's location.
  auditor scan --profile {profile} {options} {audit} --format html -o alex-marlowe-report.html
2. The domain anyone can send email as.
  auditor spf {candidate.DOMAIN} --ip 192.0.2.1 {options}
  auditor scan --domain {candidate.DOMAIN} {options} {audit}
3. The account without two-step sign-in (in the report above), and the authenticator self-test.
  auditor totp-test
The report's one-page summary, for a projector: --format briefing -o alex-marlowe-briefing.html
"""


def _write_files(world: DemoWorld, folder: Path) -> ServedFiles:
    from auditor.demo import candidate

    files = ServedFiles(
        folder / "demo-ca.pem", folder / "demo-trust-anchor.txt", folder / "demo-profile.toml"
    )
    for path, text in ((files.ca_file, world.ca_pem), (files.trust_anchor, world.trust_anchor),
                       (files.profile, candidate.DEMO_PROFILE_TOML)):  # fmt: skip
        path.touch(mode=0o600)
        path.write_text(text, encoding="utf-8")
    return files


def serve(stop: threading.Event | None = None) -> int:
    """Run the world until Ctrl-C (SIGINT), SIGTERM or ``stop``; remove its files after."""
    import shutil

    from auditor.commands.common import say

    stop = stop or threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        world = started_world()
    except BaseException:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        raise
    folder = Path(tempfile.mkdtemp(prefix="auditor-demo-"))  # mode 0700, removed after
    try:
        files = _write_files(world, folder)
        sys.stdout.write(instructions(world, files))
        sys.stdout.flush()
        while not stop.wait(0.5):
            pass
    finally:
        world.stop_thread()
        shutil.rmtree(folder, ignore_errors=True)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    say("the demo world has stopped")
    return 0
