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

Every reader is bounded (``MAX_ITEMS`` entries an answer, ``MAX_FIELD`` characters a field,
``MAX_JSON`` bytes an answer) and says what a bound left unread; an answer meant as JSON that
is not valid JSON is said too (``ApiReading.broken``, ``squarespace_data_broken``), never read
as "nothing published". What users and unpublished
items say is given back as one HTML page (``as_html``), so the one extraction pipeline reads it
as it reads any page: map links in a profile's website field, ``mailto:`` links and map embeds
in a draft.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit, urlunsplit

MAX_ITEMS = 100  # users, pages or posts read from one answer (per_page=100 is the API's most)
MAX_FIELD = 100_000  # characters of one field
MAX_AUTHORS = 10  # ?author=N archive pages asked for, of the accounts the API lists
# Accounts whose archive is asked for whatever the API lists: it lists only authors with
# published posts, while WordPress shows the archive of any account at /?author=N.
AUTHOR_GUESSES = (1, 2, 3)
MAX_ANSWERS = 5  # answers of one route read (per_page=100 each: 500 users, pages or posts)
# Readings of one slug as an email address: past it are only less likely splits of the same
# words, never new text from the site, so the cut is not reported.
MAX_SLUG_FORMS = 24
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


def author_archive(root: str, number: int) -> str:
    """The ``?author=N`` archive page of account ``number``."""
    return f"{root.rstrip('/')}/?author={number}"


@dataclass
class ApiReading:
    """What one users, pages or posts answer gives: the records a visitor can read there
    (field name to value; HTML fields keep their markup), the site addresses it links to, the
    account ids, and what a cap left unread, in plain words."""

    records: list[dict[str, str]] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    ids: list[int] = field(default_factory=list)
    not_read: list[str] = field(default_factory=list)
    # True when the answer was meant as JSON but is not valid JSON: nothing in it was read.
    broken: bool = False

    def value(self, item: dict[str, object], key: str) -> str:
        """A field as a string, ``{"rendered": …}`` unwrapped, cut at ``MAX_FIELD`` (and said)."""
        raw = item.get(key)
        if isinstance(raw, dict):
            raw = raw.get("rendered", "")
        if not isinstance(raw, str):
            return ""
        if len(raw) > MAX_FIELD:
            self.not_read.append(f"the {key[:40]} field after its first {MAX_FIELD:,} characters")
        return raw[:MAX_FIELD]


def meant_as_json(body: bytes, content_type: str = "") -> bool:
    """Whether an answer that does not parse was meant as JSON (and so is broken, not
    absent): its Content-Type says JSON, or it does not start as a page of markup does (a
    login or home page a closed API answers with). An empty answer holds nothing."""
    head = body[:1024].lstrip(b"\xef\xbb\xbf \t\r\n")
    if not head:
        return False
    return "json" in content_type.lower() or not head.startswith(b"<")


def _load(body: bytes, reading: ApiReading, content_type: str = "") -> list[object]:
    """The answer's entries, at most ``MAX_ITEMS`` (the rest said); [] for anything that is
    not a list (an error object, a login page: nothing published there). An answer meant as
    JSON that does not parse (a PHP warning before it, a cut or mangled body) is ``broken``:
    it may hold anything, so it is never read as "nothing published"."""
    if len(body) > MAX_JSON:
        reading.not_read.append(f"everything after the first {MAX_JSON // 2**20} MB")
        return []
    try:
        data = json.loads(body.decode("utf-8-sig", errors="replace"))
    except ValueError:
        reading.broken = meant_as_json(body, content_type)
        return []
    except RecursionError:
        reading.not_read.append("the parts nested too deeply to read")
        return []
    if not isinstance(data, list):
        return []
    if len(data) > MAX_ITEMS:
        more = len(data) - MAX_ITEMS
        reading.not_read.append(f"the {more:,} entries after the first {MAX_ITEMS}")
    return data[:MAX_ITEMS]


def squarespace_data_broken(body: bytes) -> bool:
    """Whether a ``?format=json`` answer is not valid JSON. Its strings are still read (the
    page-script scanner needs no parse), but a broken quote can hide the rest of a line (a
    whole one-line answer) from that scanner, so the answer cannot count as read whole. Deep
    nesting, which only the parser minds, is no harm to the scanner."""
    try:
        json.loads(body.decode("utf-8-sig", errors="replace"))
    except ValueError:
        return True
    except RecursionError:
        return False
    return False


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


def wordpress_users(body: bytes, content_type: str = "") -> ApiReading:
    """The users of a ``/wp/v2/users`` answer as the fields a visitor can read (slug readings
    as email addresses added), the addresses their profiles give (``link``, ``url``: crawled
    where they are on the site) and their ids."""
    reading = ApiReading()
    for item in _load(body, reading, content_type):
        if not isinstance(item, dict):
            continue
        user = {key: reading.value(item, key) for key in ("name", "description", "url", "link")}
        user["slug"] = reading.value(item, "slug")[:200]
        emails = slug_emails(user["slug"])
        if emails:
            user["slug read as an email address"] = " or ".join(emails)
        reading.records.append({k: v for k, v in user.items() if v})
        reading.links += [user[key][:2048] for key in ("link", "url") if user[key]]
        number = item.get("id")
        if isinstance(number, int) and not isinstance(number, bool) and 0 < number < 10**9:
            reading.ids.append(number)
    return reading


def wordpress_items(body: bytes, content_type: str = "") -> ApiReading:
    """A ``/wp/v2/pages`` or ``/wp/v2/posts`` answer: the items whose status is not
    "publish" (drafts, private, pending or scheduled ones a plugin lets through), with their
    title, content and excerpt as HTML, and the links of the published ones (crawled as
    pages; a draft's link shows a visitor nothing, its text is here)."""
    reading = ApiReading()
    for item in _load(body, reading, content_type):
        if not isinstance(item, dict):
            continue
        status = item.get("status", "publish")
        if status == "publish":
            link = reading.value(item, "link")
            if link:
                reading.links.append(link[:2048])
            continue
        fields = {key: reading.value(item, key) for key in ("title", "content", "excerpt")}
        fields["status"] = str(status)[:40]
        reading.records.append({k: v for k, v in fields.items() if v})
    return reading


# Fields whose value is HTML (WordPress renders titles, content, excerpts and biographies as
# markup) and fields that are addresses, which a page shows as links: the page made of the
# records keeps both, so that every place the extraction reads in a page (map embeds and
# links, mailto: and tel: links, data- attributes, comments) is read in them too.
_HTML_FIELDS = frozenset({"description", "title", "content", "excerpt"})
_LINK_FIELDS = frozenset({"url", "link"})
# Closes whatever one record's markup leaves open (a comment, a quote, a script, a tag), so
# that it cannot swallow the records after it.
_RECORD_CLOSER = "\n-->]]>\"'></script></style></textarea></title></noscript></template>"


def as_html(records: list[dict[str, str]]) -> bytes:
    """Records read from an API as one HTML page: a section each, a paragraph a field (its
    markup kept where the field is HTML, a link where it is an address)."""
    parts = ['<!doctype html><html><head><meta charset="utf-8"></head><body>']
    for record in records:
        parts.append("<section>")
        for key, value in record.items():
            if key in _HTML_FIELDS:
                parts.append(f"<div>{value}{_RECORD_CLOSER}</div>")
            elif key in _LINK_FIELDS:
                address = html.escape(value, quote=True)
                parts.append(f'<p><a href="{address}">{address}</a></p>')
            else:
                parts.append(f"<p>{html.escape(value)}</p>")
        parts.append("</section>")
    parts.append("</body></html>")
    return "".join(parts).encode()


def wordpress_total_answers(headers: Mapping[str, str], per_page: int = MAX_ITEMS) -> int:
    """How many answers of ``per_page`` items a route has, by ``X-WP-TotalPages`` (or
    ``X-WP-Total``, items in all); 1 when neither says (WordPress sends both on every list)."""
    for name, per in (("x-wp-totalpages", 1), ("x-wp-total", per_page)):
        value = headers.get(name, "").strip()[:12]
        if value and value.isascii() and value.isdigit():
            return max(1, -(-int(value) // per))
    return 1


def answer_url(url: str, number: int) -> str:
    """``url`` (a route's first answer) asking for answer ``number``."""
    return f"{url}&page={number}" if "?" in url else f"{url}?page={number}"
