"""The public JSON that site builders publish beside the pages: what the crawl asks for and how
it reads the answers. Pure: text and bytes in, URLs and JSON out.

- **WordPress** (a ``<link rel="https://api.w.org/">``, the same in a ``Link`` header, or
  ``/wp-content/`` paths): the REST API's users (``/wp/v2/users``: name, description,
  website, profile link and slug; a slug made from an email login, ``jane-doe-gmail-com``,
  is read back as the addresses it can stand for), its pages and posts (published ones are
  crawled as pages through their ``link``; any other status a plugin lets through, such as
  drafts, is read from the API), and the ``?author=N`` archive pages.
- **Squarespace** (its ``This is Squarespace`` comment or ``static1.squarespace.com``
  assets): every page's ``?format=json`` data.

Every reader is bounded: at most ``MAX_ITEMS`` entries, ``MAX_FIELD`` characters a field.
"""

from __future__ import annotations

import html
import json
import re
from urllib.parse import urljoin, urlsplit, urlunsplit

MAX_ITEMS = 100  # users, pages or posts read from one answer (per_page=100 is the API's most)
MAX_FIELD = 100_000  # characters of one field
MAX_AUTHORS = 10  # ?author=N archive pages asked for
MAX_SLUG_FORMS = 24  # addresses one slug is read as
MAX_JSON = 4 * 1024 * 1024

WORDPRESS_USERS_WHERE = "in the WordPress user profiles the site's API publishes (wp-json)"
WORDPRESS_ITEMS_WHERE = "in an unpublished WordPress {kind} the site's API shows (wp-json)"
SQUARESPACE_WHERE = "in the page data Squarespace publishes for this page (?format=json)"

_API_LINK = re.compile(
    r"""<link\b[^>]{0,300}?\brel\s{0,5}=\s{0,5}["']?https://api\.w\.org/?["']?[^>]{0,300}>""",
    re.I,
)
_HREF = re.compile(r"""\bhref\s{0,5}=\s{0,5}["']([^"'<>\s]{1,2048})["']""", re.I)
_LINK_HEADER = re.compile(
    r"""<([^>]{1,2048})>\s{0,5};[^,]{0,200}rel\s{0,5}=\s{0,5}"?https://api\.w\.org/?"?""", re.I
)
_WP_ASSETS = re.compile(r"""["'(][^"'()<>\s]{0,200}/wp-(?:content|includes)/""", re.I)
_SQUARESPACE = re.compile(
    r"<!--\s{0,5}This is Squarespace\.\s{0,5}-->|static1?\.squarespace\.com|SQUARESPACE_CONTEXT",
    re.I,
)
_TAG = re.compile(r"<[^<>]{0,2000}>")
_TLD = re.compile(r"[a-z]{2,12}")
# Webmail providers whose name WordPress glues to the login's last word when it drops the "@"
# of an email login ("jane.doe@gmail.com" becomes the slug "jane-doegmail-com").
_PROVIDERS = (
    "googlemail", "gmail", "hotmail", "outlook", "live", "yahoo", "ymail", "icloud", "aol",
    "btinternet", "btopenworld", "virginmedia", "ntlworld", "blueyonder", "talktalk", "sky",
    "protonmail", "proton", "gmx", "msn", "tiscali", "zoho", "fastmail", "yandex", "mail",
)  # fmt: skip


def wordpress_api_root(page: str, link_header: str, page_url: str) -> str:
    """The REST API root a WordPress page announces, "" for a page that is not WordPress.
    A site that hides the link but serves ``/wp-content/`` assets gets ``/wp-json/``."""
    head = page[: 256 * 1024]
    for hit in _API_LINK.finditer(head):
        tag = hit.group(0)
        href = _HREF.search(tag)
        if href:
            return urljoin(page_url, html.unescape(str(href.group(1))))
    header = _LINK_HEADER.search(link_header[:8192])
    if header:
        return urljoin(page_url, str(header.group(1)).strip())
    if _WP_ASSETS.search(head):
        parts = urlsplit(page_url)
        return urlunsplit((parts.scheme, parts.netloc, "/wp-json/", "", ""))
    return ""


def is_squarespace(page: str) -> bool:
    return bool(_SQUARESPACE.search(page[: 256 * 1024]))


def wordpress_route(api_root: str, route: str, query: str = "") -> str:
    """``route`` ("wp/v2/users") under the API root, for pretty permalinks (``/wp-json/``) and
    plain ones (``/?rest_route=/``)."""
    if "rest_route=" in api_root:
        base, _, prefix = api_root.partition("rest_route=")
        url = f"{base}rest_route={prefix.rstrip('/')}/{route}"
        return f"{url}&{query}" if query else url
    url = f"{api_root.rstrip('/')}/{route}"
    return f"{url}?{query}" if query else url


def squarespace_json_url(page_url: str) -> str:
    parts = urlsplit(page_url)
    query = f"{parts.query}&format=json" if parts.query else "format=json"
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))


def author_archives(root: str, user_ids: list[int]) -> list[str]:
    """The ``?author=N`` archive pages: of the users the API listed, or of the first three
    accounts when it listed none (the API is often closed while the archives are open)."""
    ids = user_ids[:MAX_AUTHORS] or [1, 2, 3]
    return [f"{root.rstrip('/')}/?author={n}" for n in ids]


def _load(body: bytes) -> object:
    if len(body) > MAX_JSON:
        return None
    try:
        return json.loads(body.decode("utf-8", errors="replace"))
    except (ValueError, RecursionError):
        return None


def _text(value: object) -> str:
    """A field as text: WordPress gives ``{"rendered": "<p>…</p>"}`` for titles and content."""
    if isinstance(value, dict):
        value = value.get("rendered", "")
    if not isinstance(value, str):
        return ""
    value = value[:MAX_FIELD]
    return html.unescape(_TAG.sub(" ", value)) if "<" in value else html.unescape(value)


def slug_emails(slug: str) -> list[str]:
    """The email addresses a WordPress slug can stand for. WordPress makes a user's slug from
    the login, turning "." into "-" and dropping "@": ``jane.doe@gmail.com`` becomes
    ``jane-doegmail-com``; some plugins keep the "@" as a "-" (``jane-doe-gmail-com``). Each
    reading puts back the "@" before a domain ending in a top-level-domain-like word."""
    slug = slug.strip().lower()[:200]
    if "@" in slug:
        return [slug]
    tokens = [t for t in slug.split("-") if t]
    if len(tokens) < 3 or len(tokens) > 10 or not _TLD.fullmatch(tokens[-1]):
        return []
    found: dict[str, None] = {}

    def add(local: list[str], domain: list[str]) -> None:
        if not local or not all(t.isascii() and t.isalnum() for t in local + domain):
            return
        for join in (".", "-", ""):
            found[f"{join.join(local)}@{'.'.join(domain)}"] = None

    for start in range(len(tokens) - 2, max(0, len(tokens) - 5), -1):
        domain = tokens[start:]
        add(tokens[:start], domain)  # the "@" kept as a "-"
        first = domain[0]
        for provider in _PROVIDERS:  # the "@" dropped: "doegmail" is "doe" + "gmail"
            if first.endswith(provider) and len(first) > len(provider):
                add([*tokens[:start], first[: -len(provider)]], [provider, *domain[1:]])
                break
    return list(found)[:MAX_SLUG_FORMS]


def wordpress_users(body: bytes) -> tuple[list[dict[str, str]], list[int]]:
    """The users of a ``/wp/v2/users`` answer as the fields a visitor can read (slug readings
    as email addresses added), and their ids; empty for anything else."""
    data = _load(body)
    if not isinstance(data, list):
        return [], []
    users: list[dict[str, str]] = []
    ids: list[int] = []
    for item in data[:MAX_ITEMS]:
        if not isinstance(item, dict):
            continue
        user = {key: _text(item.get(key)) for key in ("name", "description", "url", "link", "slug")}
        emails = slug_emails(user["slug"])
        if emails:
            user["slug read as an email address"] = " or ".join(emails)
        users.append({k: v for k, v in user.items() if v})
        number = item.get("id")
        if isinstance(number, int) and not isinstance(number, bool) and 0 < number < 10**9:
            ids.append(number)
    return users, ids


def wordpress_items(body: bytes) -> tuple[list[dict[str, str]], list[str]]:
    """A ``/wp/v2/pages`` or ``/wp/v2/posts`` answer: the items whose status is not
    "publish" (drafts, private, pending or scheduled ones a plugin lets through), as their
    readable text, and the links of every item (published ones are crawled as pages)."""
    data = _load(body)
    if not isinstance(data, list):
        return [], []
    hidden: list[dict[str, str]] = []
    links: list[str] = []
    for item in data[:MAX_ITEMS]:
        if not isinstance(item, dict):
            continue
        link = item.get("link")
        if isinstance(link, str) and link:
            links.append(link[:2048])
        status = item.get("status", "publish")
        if status == "publish":
            continue
        fields = {key: _text(item.get(key)) for key in ("title", "content", "excerpt")}
        fields["status"] = str(status)[:40]
        hidden.append({k: v for k, v in fields.items() if v})
    return hidden, links


def as_json(items: list[dict[str, str]]) -> bytes:
    return json.dumps(items, ensure_ascii=False).encode()
