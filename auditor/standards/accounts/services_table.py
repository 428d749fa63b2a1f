"""The service table: which second factors each service offers, and where the setting lives.

Our own table (auditor/standards/data/services.toml) is the source of truth. The public 2FA
Directory (https://2fa.directory, MIT licence, by the 2factorauth project), once downloaded with
``auditor directory update``, adds the services we do not list; on any conflict our entry
wins. Parsing is pure and bounded: it raises only ``ServiceTableError``.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Strongest first. The rank is how the accounts checks grade an attested method.
METHODS = ("passkey", "security-key", "totp", "push", "hardware-token", "sms", "voice", "email")
METHOD_RANK: Mapping[str, int] = {
    "passkey": 5,
    "security-key": 5,
    "totp": 4,
    "push": 4,
    "hardware-token": 3,
    "sms": 2,
    "voice": 2,
    "email": 1,
    "none": 0,
}
METHOD_NAMES: Mapping[str, str] = {
    "passkey": "a passkey",
    "security-key": "a security key",
    "totp": "an authenticator app",
    "push": "the service's own app (a sign-in prompt)",
    "hardware-token": "a code device or card reader",
    "sms": "text-message codes",
    "voice": "phone-call codes",
    "email": "email codes",
    "none": "no second step",
    "unknown": "an unknown method",
}
CATEGORIES = (
    "email", "social", "messaging", "registrar", "website", "crm", "donations",
    "password-manager", "government", "bank", "directory",
)  # fmt: skip

DIRECTORY_NAME = "2FA Directory"
DIRECTORY_CREDIT = (
    "2FA Directory (https://2fa.directory), MIT licence, © the 2factorauth contributors"
)
DIRECTORY_FILE = "2fa-directory.json"
MAX_DIRECTORY_BYTES = 16 * 1024 * 1024
MAX_DIRECTORY_ENTRIES = 50_000
MAX_TABLE_BYTES = 1024 * 1024

# 2FA Directory "tfa" values -> our method names.
_DIRECTORY_METHODS = {
    "sms": "sms",
    "call": "voice",
    "email": "email",
    "totp": "totp",
    "u2f": "security-key",
    "custom-software": "push",
    "custom-hardware": "hardware-token",
}
_BUILTIN = Path(__file__).resolve().parent.parent / "data" / "services.toml"
_DOMAIN = re.compile(r"^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9-]{1,63})+$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


class ServiceTableError(ValueError):
    """The table or the downloaded directory cannot be used (one line, says why)."""


@dataclass(frozen=True)
class Service:
    key: str
    name: str
    category: str
    methods: tuple[str, ...]  # strongest first
    docs: str  # the provider's 2FA help page
    setting: str  # where the setting lives, in plain English
    aliases: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()
    major: bool = False  # a takeover speaks in the candidate's name
    notes: str = ""
    source: str = "table"  # "table" or "2fa-directory"
    # The 2FA Directory entry (its domain) compared with ours when no domain of ours names it.
    directory: str = ""
    # Why our methods differ from the directory's, citing the service's own page (``docs``).
    directory_differs: str = ""

    @property
    def offers_2fa(self) -> bool:
        return bool(self.methods)

    @property
    def strongest(self) -> str | None:
        return max(self.methods, key=lambda m: METHOD_RANK[m], default=None)

    def stronger_than(self, method: str) -> tuple[str, ...]:
        """The methods this service offers that beat ``method``, strongest first."""
        floor = METHOD_RANK.get(method, 0)
        better = [m for m in self.methods if METHOD_RANK[m] > floor]
        return tuple(sorted(better, key=lambda m: -METHOD_RANK[m]))


def lookup_key(text: str) -> str:
    """ "Microsoft 365" -> "microsoft365", "@X.com" -> "xcom": how names are compared."""
    return re.sub(r"[^a-z0-9]", "", text.lower())[:100]


class ServiceTable:
    """Services by key, alias, display name or domain (all compared by ``lookup_key``)."""

    def __init__(self, services: Iterable[Service]) -> None:
        self._services: dict[str, Service] = {}
        self._index: dict[str, Service] = {}
        self._domains: dict[str, Service] = {}
        for service in services:
            if service.key in self._services:
                continue
            self._services[service.key] = service
            for domain in service.domains:
                self._domains.setdefault(domain, service)
        # Keys first, then aliases, names and domains: an alias never hides another key.
        for service in self._services.values():
            self._index.setdefault(lookup_key(service.key), service)
        for service in self._services.values():
            for name in (*service.aliases, service.name, *service.domains):
                self._index.setdefault(lookup_key(name), service)

    def __iter__(self) -> Iterator[Service]:
        return iter(self._services.values())

    def __len__(self) -> int:
        return len(self._services)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self.get(key) is not None

    def get(self, name: str) -> Service | None:
        return self._services.get(name) or self._index.get(lookup_key(name))

    def by_host(self, host: str) -> Service | None:
        """The service owning ``host`` or one of its parent domains ("m.facebook.com")."""
        labels = host.lower().rstrip(".").split(".")
        for start in range(len(labels) - 1):
            found = self._domains.get(".".join(labels[start:]))
            if found is not None:
                return found
        return None

    def in_source(self, source: str) -> list[Service]:
        return [s for s in self._services.values() if s.source == source]


# -- our table ---------------------------------------------------------------------------


def parse_service_table(text: str, source: str = "services.toml") -> list[Service]:
    if len(text) > MAX_TABLE_BYTES:
        raise ServiceTableError(f"{source}: larger than {MAX_TABLE_BYTES} bytes")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ServiceTableError(f"{source}: not valid TOML ({exc})") from None
    entries = data.get("service", [])
    if not isinstance(entries, list):
        raise ServiceTableError(f"{source}: expected [[service]] tables")
    services: list[Service] = []
    seen: set[str] = set()
    for number, entry in enumerate(entries, 1):
        where = f"{source}: service[{number}]"
        if not isinstance(entry, dict):
            raise ServiceTableError(f"{where}: expected a table")
        service = _service_from_toml(entry, where)
        if service.key in seen:
            raise ServiceTableError(f"{where}: duplicate key {service.key!r}")
        seen.add(service.key)
        services.append(service)
    return services


def _service_from_toml(entry: Mapping[str, Any], where: str) -> Service:
    def text(key: str, required: bool = True) -> str:
        value = entry.get(key, "")
        if not isinstance(value, str) or (required and not value.strip()):
            raise ServiceTableError(f"{where}: {key} must be non-empty text")
        return value.strip()

    def texts(key: str) -> tuple[str, ...]:
        value = entry.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ServiceTableError(f"{where}: {key} must be a list of text")
        return tuple(v.strip().lower() for v in value if v.strip())

    known = {"key", "name", "category", "methods", "docs", "setting", "aliases", "domains"}
    known |= {"major", "notes", "directory", "directory_differs"}
    unknown = sorted(set(entry) - known)
    if unknown:
        raise ServiceTableError(f"{where}: unknown key {unknown[0]!r}")
    methods = texts("methods")
    bad = [m for m in methods if m not in METHODS]
    if bad:
        raise ServiceTableError(f"{where}: unknown method {bad[0]!r}")
    category = text("category")
    if category not in CATEGORIES:
        raise ServiceTableError(f"{where}: unknown category {category!r}")
    docs = text("docs")
    if not docs.startswith("https://"):
        raise ServiceTableError(f"{where}: docs must be an https:// link")
    major = entry.get("major", False)
    if not isinstance(major, bool):
        raise ServiceTableError(f"{where}: major must be true or false")
    return Service(
        key=text("key").lower(),
        name=text("name"),
        category=category,
        methods=tuple(sorted(dict.fromkeys(methods), key=lambda m: -METHOD_RANK[m])),
        docs=docs,
        setting=text("setting"),
        aliases=texts("aliases"),
        domains=texts("domains"),
        major=major,
        notes=text("notes", required=False),
        directory=text("directory", required=False).lower(),
        directory_differs=text("directory_differs", required=False),
    )


def builtin_services() -> list[Service]:
    """The table shipped in auditor/standards/data/services.toml."""
    return parse_service_table(
        _BUILTIN.read_text(encoding="utf-8"), "auditor/standards/data/services.toml"
    )


# -- the 2FA Directory -------------------------------------------------------------------


def parse_directory(text: str | bytes) -> list[Service]:
    """Services from the 2FA Directory's v3 ``all.json`` ([[name, {domain, tfa, ...}], ...]).

    Raises ServiceTableError when the text is not that shape (an HTML error page, truncated
    JSON, an empty list). Individual odd entries are skipped, not fatal.
    """
    if len(text) > MAX_DIRECTORY_BYTES:
        raise ServiceTableError(f"the directory is larger than {MAX_DIRECTORY_BYTES} bytes")
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            raise ServiceTableError("the directory is not UTF-8 text") from None
    if text.lstrip()[:1] == "<":
        raise ServiceTableError("got an HTML page instead of the directory's JSON")
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise ServiceTableError(f"the directory is not valid JSON ({_first_line(exc)})") from None
    if isinstance(data, dict):
        data = list(data.items())
    if not isinstance(data, list) or not data:
        raise ServiceTableError("the directory JSON is not a non-empty list of services")
    if len(data) > MAX_DIRECTORY_ENTRIES:
        raise ServiceTableError(f"the directory has more than {MAX_DIRECTORY_ENTRIES} entries")
    services: list[Service] = []
    for item in data:
        service = _service_from_directory(item)
        if service is not None:
            services.append(service)
    if not services:
        raise ServiceTableError("the directory JSON has no usable service entries")
    return services


def _service_from_directory(item: object) -> Service | None:
    if not isinstance(item, list | tuple) or len(item) != 2:
        return None
    name, info = item
    if not isinstance(name, str) or not isinstance(info, dict):
        return None
    domain = info.get("domain")
    if not isinstance(domain, str) or not _DOMAIN.match(domain.lower()):
        return None
    domain = domain.lower()
    extra = info.get("additional-domains", [])
    domains = [domain]
    if isinstance(extra, list):
        extra_names = [d.lower() for d in extra[:50] if isinstance(d, str)]
        domains += [d for d in extra_names if _DOMAIN.match(d)]
    tfa = info.get("tfa", [])
    methods = {_DIRECTORY_METHODS[m] for m in tfa if isinstance(m, str) and m in _DIRECTORY_METHODS}
    docs = info.get("documentation", "")
    if not isinstance(docs, str) or not docs.startswith("https://") or len(docs) > 500:
        docs = ""
    notes = info.get("notes", "")
    clean_name = _CONTROL.sub("", name).strip()[:100] or domain
    return Service(
        key=domain,
        name=clean_name,
        category="directory",
        methods=tuple(sorted(methods, key=lambda m: (-METHOD_RANK[m], m))),
        docs=_CONTROL.sub("", docs),
        setting="See the provider's two-step verification help page",
        domains=tuple(dict.fromkeys(domains)),
        notes=_CONTROL.sub(" ", notes)[:300] if isinstance(notes, str) else "",
        source="2fa-directory",
    )


def merge(ours: Iterable[Service], directory: Iterable[Service]) -> ServiceTable:
    """Our services, plus directory services for domains we do not list (ours win)."""
    own = list(ours)
    taken = {d for s in own for d in s.domains} | {s.key for s in own}
    added = [s for s in directory if not (set(s.domains) | {s.key}) & taken]
    return ServiceTable([*own, *added])


def data_dir() -> Path:
    """The user data directory (platformdirs), where the downloaded directory lives."""
    import platformdirs

    return Path(platformdirs.user_data_dir("candidate-auditor"))


def directory_path() -> Path:
    return data_dir() / DIRECTORY_FILE


def load_service_table(
    directory: Path | None = None, *, use_directory: bool = True
) -> ServiceTable:
    """Our table merged with the downloaded 2FA Directory when present and readable.

    A missing or damaged directory file is not an error: the built-in table is enough.
    """
    ours = builtin_services()
    if not use_directory:
        return ServiceTable(ours)
    path = directory or directory_path()
    try:
        if path.stat().st_size > MAX_DIRECTORY_BYTES:
            return ServiceTable(ours)
        extra = parse_directory(path.read_bytes())
    except (OSError, ServiceTableError):
        return ServiceTable(ours)
    return merge(ours, extra)


def _first_line(exc: BaseException) -> str:
    return (str(exc).splitlines() or [type(exc).__name__])[0][:120]
