"""auditor totp-test: check an authenticator app with a throwaway QR code.

The secret is made fresh, shown only on this terminal (as a QR code, and as text with
--show-key), and forgotten when the command ends: it is never written or logged.
"""

from __future__ import annotations

import argparse

HELP = "check your authenticator app and phone clock with a throwaway QR code (nothing stored)"
EPILOG = (
    "exit codes: 0 the app and clock are right; 1 the codes did not match; 2 no code typed or"
    " bad input; 130 interrupted."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--show-key",
        action="store_true",
        help="also print the key as text, for apps that cannot scan the QR code",
    )
    parser.add_argument(
        "--light",
        action="store_true",
        default=None,
        help="draw the QR code for a light terminal background (found from COLORFGBG when "
        "the terminal sets it; dark is assumed otherwise)",
    )


def light_background(environ: dict[str, str]) -> bool:
    """Whether the terminal says its background is light: COLORFGBG is "fg;bg" (or
    "fg;default;bg") in the 16-colour palette, where 7 and 9-15 are the light colours."""
    last = environ.get("COLORFGBG", "").rsplit(";", 1)[-1].strip()
    if not (last.isascii() and last.isdigit()):
        return False
    return int(last) == 7 or 9 <= int(last) <= 15


def ask_code(prompt: str) -> str:
    """A six-digit code, asked again at once when what was typed is not one."""
    while True:
        code = "".join(input(prompt).split())
        if len(code) == 6 and code.isascii() and code.isdigit():
            return code
        print("   That is not a code: type the 6 digits the app shows, digits only.")


def run(args: argparse.Namespace) -> int:
    import os
    import sys
    import time

    from auditor.commands.common import UsageError
    from auditor.standards.accounts.totp import ISSUER, TotpError, new_selftest, qr_half_blocks

    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise UsageError(
            "totp-test needs a terminal: it shows a QR code and asks for codes; run it in a "
            "terminal window, not in a pipe"
        )
    selftest = new_selftest()
    print("Authenticator self-test. Nothing is stored; the key below is thrown away after.")
    print("1. In your authenticator app, add an account and scan this QR code:\n")
    light = args.light if args.light is not None else light_background(dict(os.environ))
    print(qr_half_blocks(selftest.uri(), light_on_dark=not light))
    if args.show_key:
        print(f"\n   Or type this key (time-based, 6 digits): {selftest.manual_key()}")
        print(f"   The same as an otpauth address: {selftest.uri()}")
    else:
        print("\n   Cannot scan it? Run 'auditor totp-test --show-key' to see the key as text.")
    if not light:
        print("   On a light terminal background the code reads with --light.")
    print(f'\n   The app will show "{ISSUER}".')
    try:
        first = ask_code("2. Type the code the app shows now: ")
        print("3. Wait until the app shows a new code (up to 30 seconds).")
        second = ask_code("   Type the new code: ")
    except EOFError:
        raise UsageError("no code was typed; the self-test stopped") from None
    try:
        result = selftest.verify_pair(first, second, time.time())
    except TotpError as exc:
        print(f"Self-test failed: {exc}")
        return 1
    finally:
        del selftest
    print(result.describe())
    print(f'You can now delete "{ISSUER}" from your authenticator app.')
    return 0
