"""auditor init: write a commented profile template (mode 0600), never over a file."""

from __future__ import annotations

import argparse

HELP = "write a profile template to fill in (kept private: mode 0600)"
EPILOG = (
    "exit codes: 0 the form was written; 2 it could not be (the file exists, a missing folder)."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "path", nargs="?", default=None,
        help="where to write it (default: the app's profile, in your user config folder)",
    )  # fmt: skip


def run(args: argparse.Namespace) -> int:
    from auditor.commands.common import UsageError, say
    from auditor.files import default_profile_path
    from auditor.profile_template import write_template

    path = args.path if args.path is not None else str(default_profile_path())
    try:
        write_template(path)
    except (OSError, ValueError) as exc:
        raise UsageError(str(exc)) from None
    if args.path is None:
        say(f"Wrote {path}. Fill it in, then run: auditor (the app opens it), or "
            f"auditor scan --profile {path}")  # fmt: skip
    else:
        say(f"Wrote {path}. Fill it in, then run: auditor --profile {path} (the app), or "
            f"auditor scan --profile {path}")  # fmt: skip
    return 0
