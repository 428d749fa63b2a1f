"""The ``auditor`` command line.

Each subcommand is a module in auditor/commands/ with ``HELP``, ``add_arguments(parser)``
and ``run(args) -> int``; modules import their heavy dependencies inside ``run`` so that
``auditor --version`` and ``auditor checks`` start fast, and the headless commands never
import Textual. Exit codes: 0 clean, 1 findings at or above --fail-on, 2 could not run,
130 interrupted.
"""

from __future__ import annotations

import argparse
import errno
import importlib
import sys
import warnings
from collections.abc import Sequence
from types import ModuleType

from auditor import __version__

# name on the command line -> module in auditor.commands
COMMANDS = {
    "scan": "scan",
    "demo": "demo",
    "checks": "checks",
    "init": "init",
    "report": "report",
    "diff": "diff",
    "bulk": "bulk",
    "spf": "spf",
    "dkim-selectors": "dkim_selectors",
    "totp-test": "totp_test",
    "totp-lint": "totp_lint",
    "password-check": "password_check",
    "directory": "directory",
    "enrolment": "enrolment",
}

EXIT_INTERRUPTED = 130


def _command_modules() -> dict[str, ModuleType]:
    # Every command ships with the package: a missing one is a broken install, said loudly.
    return {
        name: importlib.import_module(f"auditor.commands.{module}")
        for name, module in COMMANDS.items()
    }


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="auditor",
        description="Check what a candidate's public footprint gives away, and how well "
        "their accounts and campaign domain are protected. Runs the guided app when "
        "given no command.",
        epilog="exit codes: 0 nothing at or above --fail-on; 1 problems found; 2 could not run "
        "(bad input) or nothing could be checked; 130 interrupted. 'auditor COMMAND --help' "
        "gives each command's own (spf, password-check and enrolment differ).",
    )
    parser.add_argument("--version", action="version", version=f"auditor {__version__}")
    parser.add_argument(
        "--profile", dest="app_profile", metavar="FILE",
        help="open the guided app on this profile (TOML, as written by 'auditor init'); "
        "default: the profile in your user config folder",
    )  # fmt: skip
    from auditor.commands.common import add_app_options

    add_app_options(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, module in _command_modules().items():
        command = sub.add_parser(
            name, help=module.HELP, description=module.HELP, epilog=getattr(module, "EPILOG", None)
        )
        module.add_arguments(command)
        command.set_defaults(run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list in (["--version"], ["-V"]):  # the fast path: no parser, no imports
        print(f"auditor {__version__}")
        return 0
    # A library's own deprecation notices (pypdf 4.0 with a newer cryptography warns about
    # ARC4 when it is imported) mean nothing to a candidate and break scripts that read
    # stderr: they are the maintainers' business, not the audit's.
    warnings.filterwarnings("ignore", module=r"pypdf(\.|$)")
    if args_list in ([], ["demo"]):  # the app's fast path: its first screen waits for no parser
        return _run_app_at_once(demo=bool(args_list))
    from auditor.commands.common import UsageError

    parser = build_parser()
    try:
        args = parser.parse_args(args_list)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    try:
        if getattr(args, "run", None) is None:
            return _run_app(args)
        if args.app_profile is not None:
            raise UsageError(
                f"--profile before a command opens the app; for {args.command}, put it after "
                f"the command: auditor {args.command} --profile {args.app_profile}"
            )
        from auditor.commands.common import app_options_given

        misplaced = app_options_given(args)
        if misplaced:
            raise UsageError(
                f"{', '.join(misplaced)} before a command {'is' if len(misplaced) == 1 else 'are'}"
                f" the app's; for {args.command}, put {'it' if len(misplaced) == 1 else 'them'}"
                f" after the command: auditor {args.command} {misplaced[0]} …"
            )
        code = int(args.run(args))
        sys.stdout.flush()  # a full disk is said here, not by Python after main() returned
        return code
    except UsageError as exc:
        print(f"auditor: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("auditor: interrupted; nothing was written", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return 0
    except (OSError, UnicodeEncodeError) as exc:
        if isinstance(exc, OSError) and exc.errno not in _WRITE_FAILURES:
            raise  # not a failed write: a bug, shown in full
        return _write_failed(exc)


# Failures of a write the commands do not catch themselves (a listing printed to a full disk,
# a terminal whose encoding cannot show a character): one line, exit 2, never a traceback.
_WRITE_FAILURES = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO, errno.EROFS}


def _write_failed(exc: OSError | UnicodeEncodeError) -> int:
    from auditor.commands.common import discard_standard_output
    from auditor.files import write_error_in_words

    where = getattr(exc, "filename", None) or "to standard output"
    discard_standard_output()
    print(f"auditor: cannot write {where}: {write_error_in_words(exc)}", file=sys.stderr)
    return 2


def _run_app_at_once(*, demo: bool) -> int:
    """``auditor`` or ``auditor demo`` with nothing else on the command line: what the parser
    would run (no profile file, no app options, so the app's default AuditOptions), without
    building it first: building it imports every command module."""
    from auditor.tui.app import run_app

    try:
        return int(run_app(demo=demo))
    except KeyboardInterrupt:
        print("auditor: interrupted; nothing was written", file=sys.stderr)
        return EXIT_INTERRUPTED


def _run_app(args: argparse.Namespace) -> int:
    """The guided app, on ``--profile`` (else the app's own profile), with the network,
    search-provider and key options given before any command (as ``auditor scan`` takes
    them); a bad option is one line and exit 2 before the screen is taken."""
    from auditor.commands.common import UsageError, app_options_from_args, app_options_given
    from auditor.tui.app import run_app

    notes: list[str] = []  # said on the app's screen (stderr would be hidden behind it)
    # None when no app option was given: the app then makes its default AuditOptions when
    # its first audit starts, so the services (httpx, dnspython) do not load before its
    # first screen (tests/core/test_cli_experience.py holds the two equal)
    options = app_options_from_args(args, notes) if app_options_given(args) else None
    profile_path: str | None = args.app_profile
    if profile_path is not None:
        from pathlib import Path

        path = Path(profile_path).expanduser()
        if path.is_dir():
            raise UsageError(f"--profile {profile_path}: is a folder, not a profile file")
        if not path.exists() and not path.parent.is_dir():
            raise UsageError(
                f"--profile {profile_path}: the folder {path.parent} does not exist; "
                "create the profile with: auditor init FILE"
            )
        return int(run_app(profile_path=path, options=options, notes=notes))
    return int(run_app(options=options, notes=notes))
