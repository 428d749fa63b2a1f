"""auditor totp-lint: audit an otpauth:// URI (an authenticator QR code's text) unstored."""

from __future__ import annotations

import argparse

HELP = "check an otpauth:// URI from an authenticator QR code (read from stdin; never stored)"
EPILOG = "exit codes: 0 the otpauth address is fine (warnings allowed); 1 it fails; 2 bad input."

MAX_INPUT = 8192


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "uri",
        nargs="?",
        help="the otpauth:// URI; better pasted on standard input, which keeps the secret "
        "out of your shell history",
    )


def run(args: argparse.Namespace) -> int:
    import sys

    from auditor.commands.common import UsageError
    from auditor.standards.accounts.otpauth import OtpauthError, lint_uri, worst

    if args.uri is not None:
        text = args.uri
    else:
        if sys.stdin.isatty():
            print("Paste the otpauth:// URI and press Enter:", file=sys.stderr, flush=True)
            text = sys.stdin.readline(MAX_INPUT + 1)
        else:
            text = sys.stdin.read(MAX_INPUT + 1)
    if len(text) > MAX_INPUT:
        raise UsageError(f"the input is longer than {MAX_INPUT} characters")
    try:
        items = lint_uri(text)
    except OtpauthError as exc:
        raise UsageError(str(exc)) from None
    del text
    for item in items:
        print(f"{item.status.upper():<5} {item.field:<10} {item.message}")
    overall = worst(items)
    summary = {
        "pass": "This key URI looks right.",
        "warn": "This key URI works, but see the warnings above.",
        "fail": "This key URI has problems: an app may refuse it or show wrong codes.",
    }[overall]
    print(summary)
    return 1 if overall == "fail" else 0
