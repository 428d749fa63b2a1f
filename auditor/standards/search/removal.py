"""Removal routes for third-party pages that show a person's home address or phone: which
kind of site a page is on (a people-search site, a newspaper, a council, Companies House, a
company-data site) and where to ask, read from data (auditor/standards/data/removal_routes.toml).

Known sites match by the end of their host name; otherwise the kind is recognised by words
of the host name or phrases of the page's title, and "other" is the fallback."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import urlsplit

from auditor.standards import DATA_DIR

ROUTES_FILE = DATA_DIR / "removal_routes.toml"
_WORD = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class RemovalKind:
    id: str
    title: str
    how: str
    action: str
    links: tuple[tuple[str, str], ...]
    title_words: tuple[str, ...] = ()
    host_words: tuple[str, ...] = ()
    host_suffixes: tuple[str, ...] = ()


@dataclass(frozen=True)
class RemovalRoute:
    """What a finding says about where to ask."""

    kind: RemovalKind
    site: str  # the site's name when known, else its host
    url: str = ""  # the site's own removal or contact page, when known
    note: str = ""

    def links(self) -> tuple[tuple[str, str], ...]:
        own = ((f"{self.site}: removal or contact", self.url),) if self.url else ()
        return own + self.kind.links


@dataclass(frozen=True)
class RemovalTable:
    kinds: dict[str, RemovalKind]
    sites: tuple[tuple[str, str, str, str, str], ...]  # (suffix, name, kind, url, note)

    def route_for(self, url: str, title: str = "") -> RemovalRoute:
        host = (urlsplit(url).hostname or "").lower().rstrip(".")
        for suffix, name, kind, own, note in self.sites:
            if host == suffix or host.endswith("." + suffix):
                return RemovalRoute(self.kinds[kind], name, own, note)
        site = host.removeprefix("www.") or url[:100]
        return RemovalRoute(self._kind_of(host, title.lower()), site)

    def search_route(self) -> RemovalKind:
        return self.kinds["search"]

    def _kind_of(self, host: str, title: str) -> RemovalKind:
        words = set(_WORD.findall(host))
        for kind in self.kinds.values():
            if kind.id in ("other", "search"):
                continue
            if any(host.endswith(s) for s in kind.host_suffixes):
                return kind
            if words & set(kind.host_words) or any(p in title for p in kind.title_words):
                return kind
        return self.kinds["other"]


def parse_table(text: str) -> RemovalTable:
    """The table in ``text``; ValueError naming the entry on a malformed one."""
    data: dict[str, Any] = tomllib.loads(text)
    kinds: dict[str, RemovalKind] = {}
    for entry in data.get("kind", []):
        try:
            kinds[str(entry["id"])] = RemovalKind(
                id=str(entry["id"]),
                title=str(entry["title"]),
                how=str(entry["how"]),
                action=str(entry["action"]),
                links=tuple((str(k["title"]), str(k["url"])) for k in entry.get("links", [])),
                title_words=tuple(str(w).lower() for w in entry.get("title_words", [])),
                host_words=tuple(str(w).lower() for w in entry.get("host_words", [])),
                host_suffixes=tuple(str(w).lower() for w in entry.get("host_suffixes", [])),
            )
        except (KeyError, TypeError) as exc:
            raise ValueError(f"removal routes: kind {entry.get('id', '?')!r}: {exc}") from None
    for needed in ("other", "search"):
        if needed not in kinds:
            raise ValueError(f"removal routes: no [[kind]] {needed!r}")
    sites: list[tuple[str, str, str, str, str]] = []
    for entry in data.get("site", []):
        kind = str(entry.get("kind", ""))
        if kind not in kinds or not entry.get("suffix") or not entry.get("name"):
            raise ValueError(f"removal routes: site {entry.get('suffix', '?')!r} is incomplete")
        suffix = str(entry["suffix"]).lower()
        sites.append((suffix, str(entry["name"]), kind, str(entry.get("url", "")),
                      str(entry.get("note", ""))))  # fmt: skip
    sites.sort(key=lambda s: -len(s[0]))  # the longest suffix wins
    return RemovalTable(kinds, tuple(sites))


@cache
def removal_table() -> RemovalTable:
    return parse_table(ROUTES_FILE.read_text(encoding="utf-8"))
