"""auditor spf: evaluate a domain's SPF policy for one sending address (RFC 7208).

Without --sender the policy of DOMAIN is evaluated for MAIL FROM postmaster@DOMAIN. With
--sender the identity is the receiver's: the MAIL FROM's domain, or postmaster@<HELO> for a
null sender ("" or "<>", RFC 7208 2.4). Like a receiver, a malformed or address-literal
domain there is not refused: check_host() returns "none" for it (4.3). DOMAIN itself is what
the person typed to audit, so a bad DOMAIN is bad input (exit 2)."""

from __future__ import annotations

import argparse

from auditor.commands.common import add_network_options

HELP = "evaluate a domain's SPF policy for a sending IP address and explain the result"
EXIT_RESULT = 0  # pass, fail, softfail, neutral or none: a definite answer
EXIT_PERMERROR = 1  # the published policy is broken: every receiver gets permerror
EXIT_BAD_INPUT = 2
EXIT_TEMPERROR = 3  # a DNS failure stopped the evaluation: try again later
EPILOG = (
    "exit codes: 0 a result was reached (pass, fail, softfail, neutral, none); "
    "1 permerror (the SPF policy is broken); 2 bad input; "
    "3 temperror (a DNS failure stopped the evaluation; try again later)"
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.epilog = EPILOG
    parser.add_argument("domain", metavar="DOMAIN", help="the domain whose SPF policy to check")
    parser.add_argument("--ip", required=True, metavar="IP", help="the sending server's address")
    parser.add_argument(
        "--sender",
        metavar="ADDR",
        help="the MAIL FROM address; its domain is evaluated as a receiver would ('' or '<>' "
        "for a null sender: postmaster@HELO) (default: postmaster@DOMAIN)",
    )
    parser.add_argument("--helo", metavar="NAME", help="the HELO/EHLO name (default: DOMAIN)")
    parser.add_argument("--format", choices=["text", "json"], default="text")
    add_network_options(parser, audit=False)


def run(args: argparse.Namespace) -> int:
    import asyncio
    import ipaddress
    import json

    from auditor.commands.common import UsageError, options_from_args
    from auditor.net.dns import DnsClient
    from auditor.net.domains import DomainError, normalise_domain
    from auditor.standards.email.spf_eval import (
        SpfResult,
        SpfVerdict,
        check_host,
        check_mail_from,
    )

    try:
        domain = normalise_domain(args.domain)
    except DomainError as exc:
        raise UsageError(str(exc)) from None
    try:
        ip = str(ipaddress.ip_address(args.ip.strip()))
    except ValueError:
        raise UsageError(f"--ip {args.ip!r} is not an IPv4 or IPv6 address") from None
    helo = args.helo.strip() if args.helo is not None else domain
    options = options_from_args(args)

    async def evaluate() -> SpfVerdict:
        with DnsClient(
            options.nameservers or None,
            timeout=options.dns_timeout,
            attempts=options.dns_attempts,
        ) as client:
            if args.sender is None:
                return await check_host(client, ip, domain, f"postmaster@{domain}", helo)
            mail_from = args.sender.strip()
            return await check_mail_from(client, ip, "" if mail_from == "<>" else mail_from, helo)

    verdict = asyncio.run(evaluate())
    data = verdict.to_dict()
    code = {
        SpfResult.PERMERROR: EXIT_PERMERROR,
        SpfResult.TEMPERROR: EXIT_TEMPERROR,
    }.get(verdict.result, EXIT_RESULT)
    if args.format == "json":
        print(json.dumps(data, indent=2))
        return code
    # Records and explanations are the domain owner's text: no escape sequences on the terminal.
    from reports.view import clean

    print(clean(f"{verdict.domain or '(empty)'}: {data['result']}"))
    print(clean(f"  why: {data['reason']}"))
    if verdict.domain != domain:
        source = "--sender" if args.sender and args.sender.strip() not in ("", "<>") else "--helo"
        print(clean(f"  evaluated {verdict.domain!r} from {source}, as a receiver would"))
    print(clean(f"  ip: {ip}  sender: {data['sender']}  helo: {helo}"))
    if data["explanation"]:
        print(clean(f"  explanation: {data['explanation']}"))
    print(f"  DNS lookups: {data['lookups']}/10, void lookups: {data['void_lookups']}/2")
    if data["trace"]:
        print("  trace:")
        for line in data["trace"]:
            print(clean(f"    {line}"))
    return code
