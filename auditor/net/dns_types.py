"""The DNS vocabulary the audit speaks: what a lookup found (``DnsAnswer`` with an honest
``DnsOutcome``) and where it asks (``Nameserver``). Plain values, no network."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import dns.exception
import dns.rdata

DEFAULT_PORT = 53


class DnsOutcome(StrEnum):
    OK = "ok"  # NOERROR with at least one record of the type asked for
    NODATA = "nodata"  # NOERROR, the name exists, no record of that type
    NXDOMAIN = "nxdomain"  # the name does not exist
    SERVFAIL = "servfail"
    REFUSED = "refused"
    TIMEOUT = "timeout"
    ERROR = "error"  # malformed answer, CNAME loop, other rcode, network error

    @property
    def could_not_check(self) -> bool:
        return self in (
            DnsOutcome.SERVFAIL,
            DnsOutcome.REFUSED,
            DnsOutcome.TIMEOUT,
            DnsOutcome.ERROR,
        )


@dataclass(frozen=True)
class DnsAnswer:
    name: str  # as asked, lower-case, no trailing dot
    rdtype: str  # "TXT", "MX", ...
    outcome: DnsOutcome
    records: tuple[str, ...] = ()  # presentation text of each record (TXT: strings joined)
    # The records as dnspython objects, without duplicates, for the fields inside them (an MX
    # exchange, a PTR target, a TXT record's separate strings).
    rdata: tuple[dns.rdata.Rdata, ...] = ()
    cname_chain: tuple[str, ...] = ()  # the names followed, if any
    authenticated: bool = False  # the AD flag (only meaningful from a validating resolver)
    error: str = ""  # a human reason when outcome could not check
    server: str = ""  # which nameserver answered (host:port)

    @property
    def ok(self) -> bool:
        return self.outcome is DnsOutcome.OK

    @property
    def exists(self) -> bool:
        """The name exists (records of this type or not)."""
        return self.outcome in (DnsOutcome.OK, DnsOutcome.NODATA)

    @property
    def absent(self) -> bool:
        """Definitely no record of this type: NXDOMAIN or NODATA, never a failure."""
        return self.outcome in (DnsOutcome.NXDOMAIN, DnsOutcome.NODATA)

    @property
    def could_not_check(self) -> bool:
        return self.outcome.could_not_check

    def describe(self) -> str:
        """One line for a finding's message or evidence."""
        where = f"{self.name} {self.rdtype}"
        if self.outcome is DnsOutcome.OK:
            return f"{where}: {len(self.records)} record(s)"
        if self.outcome is DnsOutcome.NODATA:
            return f"{where}: the name exists but has no {self.rdtype} record"
        if self.outcome is DnsOutcome.NXDOMAIN:
            return f"{where}: the name does not exist (NXDOMAIN)"
        reason = f" ({self.error})" if self.error else ""
        return f"{where}: could not check, {self.outcome.value}{reason}"


@dataclass(frozen=True)
class Nameserver:
    host: str
    port: int = DEFAULT_PORT

    def __str__(self) -> str:
        return f"{self.host}:{self.port}" if ":" not in self.host else f"[{self.host}]:{self.port}"

    @classmethod
    def parse(cls, text: str) -> Nameserver:
        """``HOST``, ``HOST:PORT``, ``[V6]:PORT`` or a bare IPv6 address."""
        text = text.strip()
        if text.startswith("["):
            host, _, rest = text[1:].partition("]")
            port = rest.removeprefix(":") or str(DEFAULT_PORT)
        elif text.count(":") == 1:
            host, port = text.split(":")
        else:
            host, port = text, str(DEFAULT_PORT)
        if (
            not host
            or not (port.isascii() and port.isdigit())  # not "²" or Arabic-Indic digits
            or not 0 < int(port) < 65536
            or (":" in host and not _is_ipv6(host))
        ):
            raise ValueError(f"nameserver {text!r} is not HOST[:PORT] or [IPv6]:PORT")
        return cls(host, int(port))


def _is_ipv6(text: str) -> bool:
    import ipaddress

    try:
        ipaddress.IPv6Address(text)
    except ValueError:
        return False
    return True


def system_nameservers() -> list[Nameserver]:
    """The machine's configured recursive resolvers (resolv.conf or the OS equivalent)."""
    import dns.resolver

    try:
        resolver = dns.resolver.Resolver(configure=True)
    except dns.exception.DNSException:
        return []
    return [Nameserver(str(ns)) for ns in resolver.nameservers]


def normalise_name(name: str) -> str:
    """Lower case, no trailing dot; an international name in its IDNA 2008 ASCII form (as
    every name the audit itself normalises: dnspython alone would encode it as IDNA 2003,
    asking about "strasse" for "straße"). A name IDNA 2008 refuses is left for dnspython
    to accept or refuse."""
    name = name.strip().rstrip(".").lower()
    if name.isascii():
        return name
    from auditor.net.domains import idna_ascii  # tldextract is loaded only when needed

    try:
        return idna_ascii(name)
    except (UnicodeError, ValueError):
        return name
