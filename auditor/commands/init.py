"""auditor init: write a commented profile template (mode 0600)."""

from __future__ import annotations

import argparse

HELP = "write a profile template to fill in (kept private: mode 0600)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", nargs="?", default="profile.toml", help="where to write it")


def run(args: argparse.Namespace) -> int:
    from auditor.commands.common import UsageError, say
    from auditor.profile_template import write_template

    try:
        write_template(args.path)
    except (OSError, ValueError) as exc:
        raise UsageError(str(exc)) from None
    say(f"Wrote {args.path}. Fill it in, then run: auditor scan --profile {args.path}")
    return 0
