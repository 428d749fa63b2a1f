"""The one table of mail providers (data/mail_providers.toml): who receives a domain's mail,
told by its MX host suffixes (email.mx names the provider, the accounts inventory asks for
the account), and which DKIM selectors a provider signs with (email.dkim probes those of the
providers a domain names first). Pure: the table and the matching, no DNS."""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass
from pathlib import Path

from auditor.standards import DATA_DIR
from auditor.standards.email.dkim_record import valid_selector

PROVIDERS_FILE = DATA_DIR / "mail_providers.toml"

_KEYS = {"key", "name", "mx_suffixes", "senders", "dkim"}
_DKIM_KEYS = {"selectors", "source", "note"}


@dataclass(frozen=True)
class DkimSelectors:
    """How a provider signs: the selectors it publishes keys under (empty when they are random
    or the customer's choice, then ``note`` says so) and the provider's own setup guide."""

    selectors: tuple[str, ...]
    source: str
    note: str = ""


@dataclass(frozen=True)
class MailProvider:
    key: str  # a key of the accounts service table, for the providers that receive mail
    name: str
    mx_suffixes: tuple[str, ...] = ()  # MX hosts that say it receives the domain's mail
    senders: tuple[str, ...] = ()  # further hosts (SPF include/redirect targets) it sends from
    dkim: DkimSelectors | None = None  # None: the audit knows nothing of its DKIM selectors

    @property
    def sending_suffixes(self) -> tuple[str, ...]:
        """Every host suffix that shows a domain sends or receives mail through it."""
        return self.mx_suffixes + self.senders


def load_mail_providers(path: Path = PROVIDERS_FILE) -> list[MailProvider]:
    """The provider table; raises ValueError naming the entry and the problem if it is broken."""
    if path == PROVIDERS_FILE:
        # The bundled table does not change while the tool runs: read once, with no stat
        # per domain either (that stat was 1% of a bulk audit's CPU).
        return list(_bundled_mail_providers())
    stat = path.stat()  # another table: parsed once per file version
    return list(_read_mail_providers(path, stat.st_mtime_ns, stat.st_size))


@functools.cache
def _bundled_mail_providers() -> tuple[MailProvider, ...]:
    return _read_mail_providers(PROVIDERS_FILE, 0, 0)


def dkim_providers(providers: list[MailProvider]) -> list[MailProvider]:
    """The providers whose DKIM selectors the table knows (an empty list counts), in order."""
    return [p for p in providers if p.dkim is not None]


def _suffixes(value: object, where: str, field: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(s, str) and s.strip(".") for s in value):
        raise ValueError(f"{where}: {field} must be a list of host names")
    return tuple(s.lower().strip(".") for s in value)


@functools.lru_cache(maxsize=8)
def _read_mail_providers(path: Path, _mtime_ns: int, _size: int) -> tuple[MailProvider, ...]:
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    providers: list[MailProvider] = []
    for index, entry in enumerate(data.get("provider", [])):
        where = f"{path.name}: provider #{index + 1}"
        key, name = entry.get("key"), entry.get("name")
        if not isinstance(name, str) or not name:
            raise ValueError(f"{where}: name must be text")
        where = f"{where} ({name})"
        if not isinstance(key, str) or not key:
            raise ValueError(f"{where}: key must be text")
        unknown = set(entry) - _KEYS
        if unknown:
            raise ValueError(f"{where}: unknown key {sorted(unknown)[0]!r}")
        mx_suffixes = _suffixes(entry.get("mx_suffixes", []), where, "mx_suffixes")
        senders = _suffixes(entry.get("senders", []), where, "senders")
        dkim = _read_dkim(entry["dkim"], where) if "dkim" in entry else None
        providers.append(MailProvider(key, name, mx_suffixes, senders, dkim))
    return tuple(providers)


def _read_dkim(table: object, where: str) -> DkimSelectors:
    if not isinstance(table, dict):
        raise ValueError(f"{where}: dkim must be a table")
    selectors, source, note = table.get("selectors"), table.get("source"), table.get("note", "")
    if not isinstance(selectors, list) or not all(
        isinstance(s, str) and valid_selector(s) for s in selectors
    ):
        raise ValueError(f"{where}: dkim selectors must be a list of selector names")
    if not isinstance(source, str) or not source.startswith("https://"):
        raise ValueError(f"{where}: dkim source must be an https:// link")
    if not isinstance(note, str):
        raise ValueError(f"{where}: dkim note must be text")
    unknown = set(table) - _DKIM_KEYS
    if unknown:
        raise ValueError(f"{where}: unknown dkim key {sorted(unknown)[0]!r}")
    return DkimSelectors(tuple(s.lower() for s in selectors), source, note)


def detect_provider(
    hosts: list[str] | tuple[str, ...], providers: list[MailProvider]
) -> MailProvider | None:
    """The provider that receives the mail: the one of the most preferred MX host that
    matches one (longest suffix wins)."""
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


def sending_providers(hosts: list[str], providers: list[MailProvider]) -> list[MailProvider]:
    """The providers any of ``hosts`` (MX hosts, SPF targets) names, in table order."""
    names = [h.lower().rstrip(".") for h in hosts if h]
    return [
        p
        for p in providers
        if any(n == s or n.endswith("." + s) for s in p.sending_suffixes for n in names)
    ]


def spf_targets(records: tuple[str, ...] | list[str]) -> list[str]:
    """The domains an SPF record's ``include:`` and ``redirect=`` terms name (macros left
    out: they cannot name a provider before they are expanded)."""
    targets: list[str] = []
    for record in records:
        for term in record.lower().split()[1:]:
            term = term.lstrip("+-~?")
            for prefix in ("include:", "redirect="):
                if term.startswith(prefix) and "%" not in term:
                    targets.append(term[len(prefix) :].rstrip("."))
    return targets
