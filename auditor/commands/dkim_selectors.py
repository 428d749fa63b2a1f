"""auditor dkim-selectors: which DKIM keys signed a message (read on standard input).

DNS cannot list DKIM selectors; a message the campaign sent names them in its
DKIM-Signature headers (d= domain, s= selector). Prints one line per signature and, with
--check, looks up each key and says how strong it is. Exit codes: 0 fine; 1 the message is
unsigned, or (--check) a key is missing, unreadable, revoked or weak; 2 bad input.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from auditor.commands.common import add_network_options

if TYPE_CHECKING:
    from auditor.net.dns import DnsClient
    from auditor.standards.email.dkim_record import SignatureRef

HELP = "list the DKIM selectors that signed an email (raw message on stdin); --check looks them up"
MAX_INPUT_CHARS = 10 * 1024 * 1024
EPILOG = (
    "exit codes: 0 the message is signed (and, when its keys are looked up, every key was "
    "found and usable); 1 it is not signed, or a key is missing or broken; 2 bad input."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--check", action="store_true",
        help="look up each selector's key in DNS and report its type and strength",
    )  # fmt: skip
    add_network_options(parser, audit=False)


def run(args: argparse.Namespace) -> int:
    import asyncio

    from auditor.commands.common import UsageError, options_from_args, say
    from auditor.standards.email.dkim_record import EmailHeaderError, signatures_in_message

    options = options_from_args(args) if args.check else None
    text = _read_message()
    try:
        signatures = signatures_in_message(text)
    except EmailHeaderError as exc:
        raise UsageError(f"cannot read the message on standard input: {exc}") from None
    usable = [s for s in signatures if not s.problem]
    for skipped in (s for s in signatures if s.problem):
        say(f"skipped a DKIM-Signature header: {skipped.problem}")
    if not usable:
        say("no usable DKIM-Signature header in this message: it was not signed with DKIM")
        return 1
    unique = list(dict.fromkeys((s.domain, s.selector, s.algorithm) for s in usable))
    if options is None:
        for domain, selector, algorithm in unique:
            print(_line(domain, selector, algorithm))
        return 0

    from auditor.net.dns import DnsClient

    async def check_all() -> list[tuple[str, bool]]:
        refs = {(s.domain, s.selector, s.algorithm): s for s in usable}
        with DnsClient(
            options.nameservers or None,
            timeout=options.dns_timeout,
            attempts=options.dns_attempts,
        ) as client:
            return list(await asyncio.gather(*(_check_key(client, refs[key]) for key in unique)))

    results = asyncio.run(check_all())
    healthy = True
    for (domain, selector, algorithm), (verdict, ok) in zip(unique, results, strict=True):
        print(f"{_line(domain, selector, algorithm)}  {verdict}")
        healthy = healthy and ok
    return 0 if healthy else 1


def _line(domain: str, selector: str, algorithm: str) -> str:
    return f"d={domain}  s={selector}" + (f"  a={algorithm}" if algorithm else "")


def _read_message() -> str:
    from auditor.commands.common import UsageError, say

    stream = sys.stdin
    if stream is None:
        raise UsageError(
            "no standard input: pipe a raw message in (auditor dkim-selectors < x.eml)"
        )
    if stream.isatty():
        say("paste the raw message (with its headers), then press Ctrl-D")
    buffer = getattr(stream, "buffer", None)
    text: str
    try:
        if buffer is not None:
            data: bytes = buffer.read(MAX_INPUT_CHARS + 1)
            # Headers are ASCII; an 8-bit body must not stop us reading them.
            text = data.decode("utf-8", errors="replace")
        else:
            text = stream.read(MAX_INPUT_CHARS + 1)
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read standard input: {exc}") from None
    if len(text) > MAX_INPUT_CHARS:
        # Only the header section matters: keep it if it ended inside the limit.
        end = min((i for i in (text.find("\n\n"), text.find("\r\n\r\n")) if i >= 0), default=-1)
        if end < 0:
            raise UsageError(
                f"the message headers are larger than {MAX_INPUT_CHARS // 1048576} MiB"
            )
        text = text[:end]
    return text


async def _check_key(client: DnsClient, ref: SignatureRef) -> tuple[str, bool]:
    """One line saying what the key is, and whether it is healthy."""
    from auditor.standards.email.dkim_record import (
        DkimSyntaxError,
        key_strength,
        looks_like_dkim_key,
        parse_dkim_key,
    )

    answer = await client.txt(ref.key_name)
    if answer.could_not_check:
        return f"could not check: {answer.describe()}", False
    records = [r for r in answer.records if looks_like_dkim_key(r)]
    if not records:
        return f"no key published at {ref.key_name}", False
    if len(records) > 1:
        return f"{len(records)} key records at {ref.key_name} (there must be one)", False
    try:
        key = parse_dkim_key(records[0])
        if key.revoked:
            return "key revoked (p= is empty)", False
        strength = key_strength(key)
    except DkimSyntaxError as exc:
        return f"unreadable key: {exc}", False
    testing = " (test mode t=y)" if key.testing else ""
    if strength.verdict == "weak":
        return f"{strength.describe()}: weak, replace it now{testing}", False
    if strength.verdict == "short":
        return f"{strength.describe()}: short, 2048 bits advised{testing}", False
    return f"{strength.describe()}: ok{testing}", True
