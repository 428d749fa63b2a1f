"""Finding a candidate's accounts from public signals: social links on the campaign site's
pages (the email provider behind a domain's MX records is in email/mx_records.py).

Pure and bounded: ``social_links`` reads at most ``MAX_HTML`` characters and ``MAX_LINKS``
links, and never raises on odd HTML.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urljoin, urlsplit

from auditor.standards.content.html import parseable_html
from auditor.standards.digits import is_ascii_digits

MAX_HTML = 2 * 1024 * 1024
MAX_LINKS = 5000


@dataclass(frozen=True)
class SocialLink:
    service: str  # service table key: "x", "facebook", ...
    handle: str  # "@name", "name", "in/name", "@name@server" (Mastodon)
    url: str  # the link as found (absolute)


# Path segments that are site features, not accounts.
_RESERVED = {
    "x": {"intent", "share", "home", "i", "search", "hashtag", "explore", "settings", "login",
          "signup", "messages", "notifications", "compose", "tos", "privacy", "widgets.js"},
    "facebook": {"sharer", "sharer.php", "share.php", "dialog", "plugins", "tr", "login",
                 "login.php", "events", "watch", "help", "policies", "privacy", "hashtag",
                 "share", "photo.php", "photo", "story.php", "permalink.php", "groups"},
    "instagram": {"p", "reel", "reels", "explore", "stories", "accounts", "direct", "tv"},
    "linkedin": {"sharearticle", "share", "sharing", "feed", "login", "jobs"},
}  # fmt: skip
_HANDLE = {
    "x": re.compile(r"^[A-Za-z0-9_]{1,15}$"),
    "facebook": re.compile(r"^[A-Za-z0-9.\-]{1,80}$"),
    "instagram": re.compile(r"^[A-Za-z0-9._]{1,30}$"),
    "tiktok": re.compile(r"^@[A-Za-z0-9._]{1,24}$"),
    "threads": re.compile(r"^@[A-Za-z0-9._]{1,30}$"),
    "mastodon": re.compile(r"^@[A-Za-z0-9_]{1,30}$"),
}
_SLUG = re.compile(r"^[A-Za-z0-9_.\-%]{1,100}$")
_BSKY = re.compile(r"^[A-Za-z0-9.\-:]{3,253}$")
# Hosts whose /@name pages are not Mastodon accounts.
_NOT_MASTODON = {"medium.com", "tiktok.com", "threads.net", "threads.com", "youtube.com",
                 "x.com", "twitter.com", "instagram.com", "facebook.com", "github.com",
                 "substack.com", "linktr.ee"}  # fmt: skip


def _host_is(host: str, *domains: str) -> bool:
    return any(host == d or host.endswith("." + d) for d in domains)


def classify_url(url: str) -> SocialLink | None:
    """The social account an absolute http(s) URL points at, or None."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    host = parts.hostname.lower()
    segments = [s for s in parts.path.split("/") if s]
    first = segments[0] if segments else ""

    def account(service: str, handle: str) -> SocialLink | None:
        pattern = _HANDLE.get(service, _SLUG)
        if not pattern.match(handle) or handle.lower() in _RESERVED.get(service, set()):
            return None
        return SocialLink(service, handle, url.strip())

    if _host_is(host, "x.com", "twitter.com"):
        return account("x", first) if len(segments) <= 2 and first else None
    if _host_is(host, "facebook.com", "fb.com"):
        if first == "profile.php":
            ident = parse_qs(parts.query).get("id", [""])[0]
            if not is_ascii_digits(ident):
                return None
            return SocialLink("facebook", f"id:{ident}", url.strip())
        if first == "people" and len(segments) >= 3:
            return account("facebook", segments[1])
        return account("facebook", first) if first else None
    if _host_is(host, "instagram.com"):
        return account("instagram", first) if first else None
    if _host_is(host, "tiktok.com"):
        return account("tiktok", first) if first.startswith("@") else None
    if _host_is(host, "threads.net", "threads.com"):
        return account("threads", first) if first.startswith("@") else None
    if _host_is(host, "linkedin.com"):
        if first in ("in", "company", "school") and len(segments) >= 2:
            found = account("linkedin", segments[1])
            return SocialLink("linkedin", f"{first}/{segments[1]}", url.strip()) if found else None
        return None
    if _host_is(host, "youtube.com"):
        if first.startswith("@"):
            found = account("youtube", first[1:])
            return SocialLink("youtube", first, url.strip()) if found else None
        if first in ("channel", "c", "user") and len(segments) >= 2:
            found = account("youtube", segments[1])
            return SocialLink("youtube", f"{first}/{segments[1]}", url.strip()) if found else None
        return None
    if _host_is(host, "bsky.app"):
        if first == "profile" and len(segments) >= 2 and _BSKY.match(segments[1]):
            return SocialLink("bluesky", "@" + segments[1].lower(), url.strip())
        return None
    mastodon = len(segments) == 1 and bool(_HANDLE["mastodon"].match(first))
    if mastodon and not _host_is(host, *_NOT_MASTODON):
        return SocialLink("mastodon", f"{first}@{host}", url.strip())
    return None


def social_links(html: str, base_url: str) -> list[SocialLink]:
    """Social accounts linked from a page, one per (service, handle), in page order."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(parseable_html(html[:MAX_HTML]), "html.parser")
    found: dict[tuple[str, str], SocialLink] = {}
    for number, anchor in enumerate(soup.find_all("a", href=True)):
        if number >= MAX_LINKS:
            break
        href = anchor.get("href")
        if not isinstance(href, str) or len(href) > 2000:
            continue
        try:
            absolute = urljoin(base_url, href.strip())
        except ValueError:
            continue
        link = classify_url(absolute)
        if link is not None:
            found.setdefault((link.service, link.handle.lower()), link)
    return list(found.values())
