"""auditor spf: evaluate a domain's SPF policy for one sending address (RFC 7208)."""

from __future__ import annotations

import argparse

from auditor.commands.common import add_network_options

HELP = "evaluate a domain's SPF policy for a sending IP address and explain the result"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("domain", metavar="DOMAIN", help="the domain whose SPF policy to check")
    parser.add_argument("--ip", required=True, metavar="IP", help="the sending server's address")
    parser.add_argument(
        "--sender", metavar="ADDR", help="the MAIL FROM address (default: postmaster@DOMAIN)"
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
    from auditor.standards.email.spf_eval import SpfVerdict, check_host

    try:
        domain = normalise_domain(args.domain)
    except DomainError as exc:
        raise UsageError(str(exc)) from None
    try:
        ip = str(ipaddress.ip_address(args.ip.strip()))
    except ValueError:
        raise UsageError(f"--ip {args.ip!r} is not an IPv4 or IPv6 address") from None
    sender = args.sender or f"postmaster@{domain}"
    if "@" not in sender or not sender.rpartition("@")[2]:
        raise UsageError(f"--sender {sender!r} is not an address like name@{domain}")
    helo = args.helo or domain
    options = options_from_args(args)

    async def evaluate() -> SpfVerdict:
        with DnsClient(
            options.nameservers or None,
            timeout=options.dns_timeout,
            attempts=options.dns_attempts,
        ) as client:
            return await check_host(client, ip, domain, sender, helo)

    verdict = asyncio.run(evaluate())
    data = verdict.to_dict()
    if args.format == "json":
        print(json.dumps(data, indent=2))
        return 0
    # Records and explanations are the domain owner's text: no escape sequences on the terminal.
    from reports.view import clean

    print(clean(f"{domain}: {data['result']}"))
    print(clean(f"  why: {data['reason']}"))
    print(clean(f"  ip: {ip}  sender: {data['sender']}  helo: {helo}"))
    if data["explanation"]:
        print(clean(f"  explanation: {data['explanation']}"))
    print(f"  DNS lookups: {data['lookups']}/10, void lookups: {data['void_lookups']}/2")
    if data["trace"]:
        print("  trace:")
        for line in data["trace"]:
            print(clean(f"    {line}"))
    return 0
