"""Where a connection really goes: ``--connect-to`` rules, DNS through our resolver, and
the guard that keeps a public crawl out of private networks.

Every TCP connection the audit makes (HTTP and SMTP) goes through ``Connector.resolve`` so
that ``--nameserver`` and ``--connect-to`` mean the same for all of them, and so that the
address guard sees the address actually dialled.
"""

from __future__ import annotations

import contextvars
import ipaddress
from dataclasses import dataclass

from auditor.net.dns import DnsClient
from auditor.net.failures import NO_ADDRESS

# May a connection go to private, loopback or link-local addresses? For connections that
# do not say so themselves (the SMTP probe); HTTP decides per fetch and keeps one pool per
# decision (auditor.net.http).
allow_private_addresses: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "allow_private_addresses", default=True
)


class BlockedAddress(OSError):
    """A connection refused by the guard: a fetch whose origin is public (a start URL, an
    audited domain, a search provider) led to a private address. Its message names the host
    and address; the caller, who knows the origin, says where it was reached from."""

    address: str = ""  # the address refused


class ResolutionFailed(OSError):
    """The host name did not resolve (NXDOMAIN, no address, or DNS could not answer)."""


@dataclass(frozen=True)
class ConnectRule:
    """curl's ``--connect-to HOST1:PORT1:HOST2:PORT2``; an empty HOST1 or PORT1 matches any."""

    host: str
    port: int | None
    to_host: str
    to_port: int | None

    @classmethod
    def parse(cls, text: str) -> ConnectRule:
        parts = _split_connect_to(text)
        if len(parts) != 4:
            raise ValueError(f"--connect-to {text!r} is not HOST1:PORT1:HOST2:PORT2")
        host, port, to_host, to_port = parts
        for label, value in (("PORT1", port), ("PORT2", to_port)):
            # ASCII only: "²".isdigit() is true (and int() then raises), as is "٨٠".isdigit().
            if value and not (value.isascii() and value.isdigit() and 0 < int(value) < 65536):
                raise ValueError(f"--connect-to {text!r}: {label} {value!r} is not a port")
        return cls(
            host.lower().rstrip("."),
            int(port) if port else None,
            to_host.lower().rstrip("."),
            int(to_port) if to_port else None,
        )

    def applies(self, host: str, port: int) -> bool:
        return (not self.host or self.host == host) and (self.port is None or self.port == port)


def _split_connect_to(text: str) -> list[str]:
    """Split on ':' but keep bracketed IPv6 addresses whole."""
    parts: list[str] = []
    current = ""
    depth = 0
    for char in text.strip():
        if char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
        elif char == ":" and depth == 0:
            parts.append(current)
            current = ""
            continue
        current += char
    parts.append(current)
    return [p.strip("[]") for p in parts]


# IPv6 forms that carry an IPv4 address inside: the embedded address is what is reached.
_NAT64 = ipaddress.ip_network("64:ff9b::/96")  # RFC 6052 well-known prefix
_NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")  # RFC 8215: local use, never public
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")  # deprecated (RFC 4291 §2.5.5.1)
_SITE_LOCAL = ipaddress.ip_network("fec0::/10")  # deprecated (RFC 3879), still routed inside


def is_private_address(address: str) -> bool:
    """Not the public internet: loopback, private, link-local, CGNAT, unspecified,
    multicast, reserved, and the IPv6 forms that reach those (IPv4-mapped and -compatible,
    NAT64 and 6to4 with a private IPv4 inside, local-use NAT64, site-local).

    Anything that cannot be parsed is private too: the guard refuses what it cannot judge."""
    try:
        ip = ipaddress.ip_address(address.split("%")[0])
    except ValueError:
        return True
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(ip)
        if embedded is not None:
            return _private_v4(embedded)
        if ip in _NAT64_LOCAL or ip in _SITE_LOCAL or ip in _IPV4_COMPATIBLE:
            return True
    return not ip.is_global or ip.is_multicast


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:  # 2002:AABB:CCDD::/48 reaches AA.BB.CC.DD
        return ip.sixtofour
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def _private_v4(ip: ipaddress.IPv4Address) -> bool:
    return not ip.is_global or ip.is_multicast


def is_ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class Destination:
    host: str  # the name asked for (TLS server name)
    port: int
    address: str  # what the name resolved to (what the guard judged)
    connect_host: str  # where the socket really goes (after --connect-to)
    connect_port: int


class Connector:
    def __init__(self, dns: DnsClient, rules: tuple[ConnectRule, ...] = ()) -> None:
        self.dns = dns
        self.rules = rules

    async def host_addresses(self, host: str) -> list[str]:
        """Addresses of ``host`` via the audit's resolver; raises ResolutionFailed."""
        host = host.strip("[]").rstrip(".").lower()
        if is_ip_literal(host):
            return [host]
        if host == "localhost":
            return ["127.0.0.1"]
        addresses, answers = await self.dns.addresses(host)
        if addresses:
            return addresses
        failures = [a for a in answers if a.could_not_check]
        if failures:
            raise ResolutionFailed(f"could not resolve {host}: {failures[0].describe()}")
        raise ResolutionFailed(f"{host} {NO_ADDRESS} (no A or AAAA record)")

    async def is_private_host(self, host: str) -> bool:
        """True when every address of ``host`` is private; unresolvable counts as public."""
        return (await self.judge_origin(host))[0]

    async def judge_origin(self, host: str) -> tuple[bool, str]:
        """(may a fetch that starts from ``host`` reach private addresses, and if not
        because ``host`` could not be resolved, why). Unresolvable counts as public."""
        try:
            addresses = await self.host_addresses(host)
        except ResolutionFailed as exc:
            return False, f"{exc}, so it counts as public"
        return all(is_ip_literal(a) and is_private_address(a) for a in addresses), ""

    async def resolve(
        self, host: str, port: int, *, allow_private: bool | None = None
    ) -> Destination:
        """Where to connect for ``host``; raises BlockedAddress when the guard refuses it.

        ``allow_private`` decides the guard for this connection (HTTP passes it with every
        connection, per pool); None falls back to the ``allow_private_addresses`` context."""
        if allow_private is None:
            allow_private = allow_private_addresses.get()
        host = host.strip("[]").rstrip(".").lower()
        addresses = await self.host_addresses(host)
        # Prefer IPv4: loopback test worlds and many networks lack working IPv6.
        addresses.sort(key=lambda a: ":" in a)
        address = addresses[0]
        if not allow_private and is_private_address(address):
            blocked = BlockedAddress(
                f"refused to connect to {host} ({address}): a private or loopback address"
            )
            blocked.address = address
            raise blocked
        connect_host, connect_port = address, port
        for rule in self.rules:
            if rule.applies(host, port):
                connect_host = rule.to_host or address
                connect_port = rule.to_port or port
                break
        return Destination(host, port, address, connect_host, connect_port)
