"""auditor checks: list the registered checks without importing them."""

from __future__ import annotations

import argparse
import json

HELP = "list the checks this installation can run"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=["text", "json"], default="text")
    parser.add_argument("--select", action="append", default=[], metavar="PREFIX")
    parser.add_argument("--ignore", action="append", default=[], metavar="PREFIX")


def run(args: argparse.Namespace) -> int:
    from auditor.commands.common import say, split_ids
    from auditor.registry import discover, select

    catalogue = discover()
    entries = select(catalogue, split_ids(args.select), split_ids(args.ignore))
    if args.format == "json":
        rows = [
            {
                "id": e.id,
                "title": e.meta.title,
                "category": e.meta.category,
                "target": e.meta.target,
                "severity": e.meta.severity.value,
                "guidance": e.meta.guidance,
                "requires": list(e.meta.requires),
                "services": list(e.meta.services),
                "interactive": e.meta.interactive,
            }
            for e in entries
        ]
        print(json.dumps(rows, indent=2))
    else:
        width = max((len(e.id) for e in entries), default=10)
        for e in entries:
            extra = " (interactive)" if e.meta.interactive else ""
            print(f"{e.id:<{width}}  {e.meta.category:<9} {e.meta.title}{extra}")
    for problem in catalogue.problems:
        say(f"auditor: {problem}")
    return 0
