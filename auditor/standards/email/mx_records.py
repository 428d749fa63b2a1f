"""A domain's MX records, read once: the parser (RFC 5321 presentation text), the null MX of
RFC 7505, and the provider they name (from the one provider table, providers.py). email.mx
publishes an ``MxFacts`` as its ``mx`` fact; the checks that need the mail servers
(STARTTLS, DANE, MTA-STS, DKIM's provider-first discovery, the accounts inventory) require
email.mx and read it."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from auditor.net.dns_types import DnsAnswer
from auditor.standards.digits import is_ascii_digits
from auditor.standards.email.providers import MailProvider, detect_provider, load_mail_providers


@dataclass(frozen=True)
class MxRecord:
    preference: int
    host: str  # lower-case, no trailing dot; "" for the null MX's "."


@dataclass(frozen=True)
class MxFacts:
    """What email.mx read: the answer (for evidence and "could not check") and its records."""

    domain: str
    answer: DnsAnswer
    records: tuple[MxRecord, ...] = ()
    provider: MailProvider | None = None

    @property
    def could_not_check(self) -> bool:
        return self.answer.could_not_check

    @property
    def null_mx(self) -> bool:
        return is_null_mx(list(self.records))

    @property
    def hosts(self) -> tuple[str, ...]:
        """The mail servers by preference, each once (the null MX's "." left out)."""
        return tuple(dict.fromkeys(r.host for r in self.records if r.host))

    @property
    def accepts_mail(self) -> bool | None:
        """None: could not check; False: null MX, no MX or no domain (mail falls back to A/AAAA
        without an MX, but nobody runs a mail server there on purpose)."""
        if self.could_not_check:
            return None
        return bool(self.hosts) and not self.null_mx


def read_mx(domain: str, answer: DnsAnswer) -> MxFacts:
    records = tuple(parse_mx(answer.records)) if answer.ok else ()
    hosts = list(dict.fromkeys(r.host for r in records if r.host))
    return MxFacts(domain, answer, records, detect_provider(hosts, load_mail_providers()))


def parse_mx(records: tuple[str, ...] | list[str]) -> list[MxRecord]:
    """MX presentation text ("10 aspmx.l.google.com.") -> records sorted by preference."""
    parsed: list[MxRecord] = []
    for record in list(records)[:100]:
        parts = record.split()
        if len(parts) != 2 or not is_ascii_digits(parts[0]) or len(parts[0]) > 5:
            continue
        host = parts[1].lower()
        parsed.append(MxRecord(int(parts[0]), "" if host == "." else host.rstrip(".")))
    return sorted(parsed, key=lambda r: (r.preference, r.host))


def is_null_mx(records: list[MxRecord]) -> bool:
    """RFC 7505: exactly one MX, preference 0, host "."."""
    return len(records) == 1 and records[0].preference == 0 and records[0].host == ""


def is_ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True
