"""auditor password-check: has a password appeared in a known breach? (k-anonymity)

The password is read from a hidden prompt, or from standard input when it is not a
terminal — never from the command line, where shell history and ``ps`` would keep it. Only
the first five characters of its SHA-1 hash leave the machine, with padding requested.
"""

from __future__ import annotations

import argparse

from auditor.commands.common import add_network_options

HELP = "check whether a password appears in Pwned Passwords (sends 5 hash characters only)"
EPILOG = (
    "exit codes: 0 not found in any known breach, 1 found (do not use it), 2 could not check "
    "(bad input, or the service could not be reached). With --format json, standard output "
    'is JSON in every case: {"breached": true/false, "count": N}, or on error '
    '{"breached": null, "count": null, "error": "..."}.'
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--format", choices=["text", "json"], default="text", help="output format (text)"
    )
    add_network_options(parser, audit=False)


def run(args: argparse.Namespace) -> int:
    from auditor.commands.common import UsageError

    try:
        return _run(args)
    except UsageError as exc:
        if args.format == "json":  # a script reading stdout gets JSON whatever happened
            import json

            print(json.dumps({"breached": None, "count": None, "error": str(exc)}))
        raise


def _run(args: argparse.Namespace) -> int:
    import asyncio
    import getpass
    import json
    import sys

    from auditor.commands.common import UsageError, options_from_args, say
    from auditor.services import Services
    from auditor.standards.accounts.pwned import PwnedError, breach_count

    options = options_from_args(args)
    endpoint = options.endpoints["pwned_passwords"]
    if sys.stdin.isatty():
        password = getpass.getpass("Password to check (not shown, not stored): ")
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        raise UsageError("no password given (type it at the prompt, or pipe it on stdin)")

    async def check() -> int | PwnedError:
        async with Services(options) as services:
            return await breach_count(services.http, endpoint, password)

    try:
        result = asyncio.run(check())
    finally:
        password = ""  # drop our reference as soon as the answer is in
    if isinstance(result, PwnedError):
        raise UsageError(f"could not check the password: {result.message}")
    if args.format == "json":
        print(json.dumps({"breached": result > 0, "count": result}))
    elif result:
        print(f"This password has appeared {result:,} times in known data breaches. "
              "Do not use it anywhere; change it wherever you have.")  # fmt: skip
    else:
        print("This password does not appear in Pwned Passwords. Keep it unique to one account.")
    say("Checked with Pwned Passwords (haveibeenpwned.com) by k-anonymity: only the first 5 "
        "characters of the password's SHA-1 hash were sent.")  # fmt: skip
    return 1 if result else 0
