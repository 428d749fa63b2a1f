"""A domain's MX records, read once: the parser (RFC 5321 presentation text), the null MX of
RFC 7505, and the one table of mail providers (data/mail_providers.toml) told by MX host
suffixes. email.mx publishes an ``MxFacts`` as its ``mx`` fact; the checks that need the mail
servers (STARTTLS, DANE, MTA-STS, the accounts inventory) require email.mx and read it."""

from __future__ import annotations

import functools
import ipaddress
import tomllib
from dataclasses import dataclass
from pathlib import Path

from auditor.net.dns_types import DnsAnswer
from auditor.standards import DATA_DIR
from auditor.standards.digits import is_ascii_digits

PROVIDERS_FILE = DATA_DIR / "mail_providers.toml"


@dataclass(frozen=True)
class MxRecord:
    preference: int
    host: str  # lower-case, no trailing dot; "" for the null MX's "."


@dataclass(frozen=True)
class MailProvider:
    key: str  # a key of the accounts service table
    name: str
    mx_suffixes: tuple[str, ...]


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


def load_mail_providers(path: Path = PROVIDERS_FILE) -> list[MailProvider]:
    stat = path.stat()  # parsed once per file version, not once per domain (bulk audits)
    return list(_read_mail_providers(path, stat.st_mtime_ns, stat.st_size))


@functools.lru_cache(maxsize=8)
def _read_mail_providers(path: Path, _mtime_ns: int, _size: int) -> tuple[MailProvider, ...]:
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    providers: list[MailProvider] = []
    for index, entry in enumerate(data.get("provider", [])):
        key, name, suffixes = entry.get("key"), entry.get("name"), entry.get("mx_suffixes")
        if not (isinstance(key, str) and isinstance(name, str) and isinstance(suffixes, list)):
            raise ValueError(f"{path.name}: provider #{index + 1} needs key, name, mx_suffixes")
        providers.append(MailProvider(key, name, tuple(s.lower().rstrip(".") for s in suffixes)))
    return tuple(providers)


def detect_provider(
    hosts: list[str] | tuple[str, ...], providers: list[MailProvider]
) -> MailProvider | None:
    """The provider of the most preferred host that matches one (longest suffix wins)."""
    found = provider_host(hosts, providers)
    return found[0] if found else None


def provider_host(
    hosts: list[str] | tuple[str, ...], providers: list[MailProvider]
) -> tuple[MailProvider, str] | None:
    """The provider and the MX host that told us, for the most preferred host that matches."""
    for host in hosts:
        name = host.lower().rstrip(".")
        best: MailProvider | None = None
        best_len = -1
        for provider in providers:
            for suffix in provider.mx_suffixes:
                if (name == suffix or name.endswith("." + suffix)) and len(suffix) > best_len:
                    best, best_len = provider, len(suffix)
        if best is not None:
            return best, name
    return None
