"""Everything on a web page where a home address, phone or email can hide, as text segments.

A page is not just its visible words: addresses sit in ``alt``/``title``/``content``
attributes, in ``data-*`` attributes (map and contact widgets keep their settings there), in
HTML comments (page builders leave drafts in them), in ``<noscript>`` and ``<template>``
blocks, in scripts (inline JSON, ``wp_localize_script`` settings, ``__NEXT_DATA__``, map
initialisations), in JSON-LD and microdata written for search engines, in h-card markup, in
``tel:``/``mailto:`` links (also behind Cloudflare's email protection), and in map embeds.
Each becomes a ``Segment`` whose ``where`` says, in plain words, where it was ("in an HTML
comment"). Elements are separated by spaces, so an address split over ``<span>``s, ``<br>``s
and table cells reads as one line.

One pass of the standard library's HTML parser, linear in the input (a tree builder is not,
on tag bombs and deeply nested hostile markup). Pure and bounded: never raises, caps input
size, segment counts and nesting; what a cap leaves unread is named in ``not_read``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import unquote, unquote_plus, urljoin, urlsplit

from auditor.standards.content.emails import cloudflare_email, reversed_emails
from auditor.standards.content.html import parseable_html, strip_closer
from auditor.standards.content.maps import (
    MapPoint,
    is_map_url,
    map_points,
    map_text,
    script_points,
    what3words,
)
from auditor.standards.content.scripts import script_text
from auditor.standards.content.unread import amount, note
from auditor.standards.digits import ascii_decimal

__all__ = [
    "MapPoint",
    "PageContent",
    "Segment",
    "extract_html",
    "is_map_url",
    "json_ld_texts",
    "map_points",
    "map_text",
    "visible_text",
]

MAX_HTML = 2 * 1024 * 1024  # characters of HTML parsed per page
MAX_SEGMENTS = 5000
MAX_JSON = 512 * 1024
MAX_URL = 4096
MAX_DEPTH = 5000  # open elements tracked for microdata and h-card scopes
# A scope's words are also the page's words (handle_data feeds both), so this cap only stops
# labelling them "structured data"; nothing goes unread, and no note is due.
MAX_SCOPE_TEXT = 100_000
MAX_SCOPES = 500
MAX_URLS_IN_TEXT = 200  # links written into one comment, script or widget setting
# The JSON-LD walk's bounds; a block past them is read again by the string scanner.
MAX_JSON_LD_DEPTH = 20
MAX_JSON_LD_NODES = 5000
MAX_JSON_LD_ITEMS = 500
MAX_TAGS = 100_000  # elements read per page: a real page has a few thousand; a tag bomb stops here
TEXT_ATTRIBUTES = ("alt", "title", "content", "value", "aria-label", "placeholder", "label")
URL_ATTRIBUTES = (("a", "href"), ("area", "href"), ("link", "href"), ("iframe", "src"))
IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".webp", ".tif", ".tiff", ".heic", ".heif")
DOCUMENT_EXTENSIONS = (".pdf", ".vcf", ".ics")
_SKIP = frozenset({"script", "style", "template", "noscript", "svg"})
_INLINE = frozenset({"b", "i", "em", "strong", "u", "small", "mark", "sup", "sub", "font", "abbr"})
_VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
     "source", "track", "wbr"}
)  # fmt: skip
# One character past MAX_URL, so that _url sees (and names) a link the cap cuts.
_URL_IN_TEXT = re.compile(r"https?://[^\s\"'<>()\\]{1,4097}")
_TAGS = re.compile(r"<[^<>]{0,2000}>")
_HCARD = frozenset({"h-card", "vcard", "h-adr", "adr"})
_DATA_LAT = ("data-lat", "data-latitude", "data-map-lat", "data-marker-lat")
_DATA_LON = (
    "data-lng",
    "data-lon",
    "data-long",
    "data-longitude",
    "data-map-lng",
    "data-marker-lng",
)
_DATA_PAIR = ("data-position", "data-latlng", "data-lat-lng", "data-coords", "data-coordinates",
              "data-center", "data-location", "data-marker")  # fmt: skip
_RTL = re.compile(r"direction\s{0,5}:\s{0,5}rtl|bidi-override", re.IGNORECASE)

ATTRIBUTE_PLACES = {
    "alt": "in a picture's description (its alt text)",
    "title": "in the title of {element} (shown when the pointer rests on it)",
    "content": "in a meta tag (read by search engines and link previews)",
    "value": "in a form field's value",
    "placeholder": "in a form field's placeholder text",
    "aria-label": "in the label of {element} read out by screen readers",
    "label": "in the label of {element}",
}


@dataclass(frozen=True)
class Segment:
    source: str  # page-text | attribute | data-attribute | comment | noscript | template |
    # script | json-ld | microdata | h-card | map-embed | tel-link | mailto-link |
    # protected-email | reversed-text | vcard | calendar | download | pdf-* | photo-* | imprint
    text: str
    where: str = ""  # in plain words: "in an HTML comment", "in the photo's description field"


@dataclass
class PageContent:
    segments: list[Segment] = field(default_factory=list)
    links: list[str] = field(default_factory=list)  # absolute URLs of links and frames
    images: list[str] = field(default_factory=list)
    points: list[MapPoint] = field(default_factory=list)
    places: list[tuple[str, str]] = field(default_factory=list)  # (what3words, where)
    not_read: list[str] = field(default_factory=list)  # what a cap left unread

    def add(self, source: str, text: str, where: str = "") -> None:
        text = " ".join(text.split())
        if not text:
            return
        if len(self.segments) < MAX_SEGMENTS:
            self.segments.append(Segment(source, text, where))
        else:
            note(self.not_read, f"the page's text after its first {MAX_SEGMENTS} pieces of text")


def _element(tag: str) -> str:
    return {"a": "a link", "img": "a picture", "iframe": "an embedded frame"}.get(
        tag, f"a <{tag}> element"
    )


@dataclass
class _Scope:
    kind: str  # microdata | h-card
    label: str
    parts: list[str] = field(default_factory=list)
    size: int = 0
    contents: list[str] = field(default_factory=list)
    lats: list[str] = field(default_factory=list)
    lons: list[str] = field(default_factory=list)

    def feed(self, text: str) -> None:
        if self.size < MAX_SCOPE_TEXT:
            self.parts.append(text[: MAX_SCOPE_TEXT - self.size])
            self.size += len(text)


class _TooManyTags(Exception):
    """The element budget is spent: stop reading the page."""


class _PageParser(HTMLParser):
    """The whole page in one pass: visible text, hidden text, attributes, scripts, scopes."""

    def __init__(self, base_url: str, page: PageContent) -> None:
        super().__init__(convert_charrefs=True)
        self.base_url = base_url
        self.page = page
        self.visible: list[str] = []
        self.skipping = 0
        self.hidden: list[str] = []  # "noscript" | "template" blocks open around the data
        self.hidden_parts: dict[str, list[str]] = {"noscript": [], "template": []}
        self.rtl = 0
        self.rtl_parts: list[str] = []
        self.script: tuple[str, str] | None = None  # (type, id) of the open <script>
        self.script_parts: list[str] = []
        self.stack: list[tuple[str, list[_Scope]]] = []
        self.open_tags: dict[str, int] = {}
        self.scopes: list[_Scope] = []  # open, innermost last
        self.scope_count = 0
        self.metas: list[tuple[str, str]] = []
        self.tags = 0

    # -- elements ---------------------------------------------------------------------------
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags += 1
        if self.tags > MAX_TAGS:
            raise _TooManyTags
        values = {name: value or "" for name, value in attrs}
        if tag == "script":
            self.script = (values.get("type", "").lower(), values.get("id", ""))
            self.script_parts = []
        if tag in ("noscript", "template"):
            self.hidden.append(tag)
        if tag in _SKIP:
            self.skipping += 1
        elif tag not in _INLINE:
            self._space()
        if attrs:
            self._attributes(tag, values)
            opened = self._open_scopes(values)
            style = values.get("style", "")
            rtl = bool(style and _RTL.search(style))
        else:
            opened, rtl = [], False
        if tag in _VOID:
            for scope in opened:
                self._close_scope(scope)
            return
        if rtl:
            self.rtl += 1
            opened = [*opened, _Scope("rtl", "")]
        if len(self.stack) < MAX_DEPTH:
            self.stack.append((tag, opened))
            self.open_tags[tag] = self.open_tags.get(tag, 0) + 1
        else:
            if opened or self.scopes:  # past it, end tags close the wrong scopes
                what = "the page's structured data and contact cards nested deeper than"
                note(self.page.not_read, f"{what} {MAX_DEPTH:,} elements")
            for scope in opened:
                self._close_scope(scope)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self.script is not None:
            self._script("".join(self.script_parts))
            self.script = None
        if tag in ("noscript", "template") and tag in self.hidden:
            index = len(self.hidden) - 1 - self.hidden[::-1].index(tag)
            del self.hidden[index:]
        if tag in _SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag not in _INLINE:
            self._space()
        if self.open_tags.get(tag, 0) <= 0:
            return
        while self.stack:  # amortised O(1): every element is popped once
            open_tag, scopes = self.stack.pop()
            self.open_tags[open_tag] -= 1
            for scope in scopes:
                self._close_scope(scope)
            if open_tag == tag:
                break

    def handle_data(self, data: str) -> None:
        if self.script is not None:
            self.script_parts.append(data)
            return
        if self.hidden:
            self.hidden_parts[self.hidden[-1]].append(data)
        if self.skipping:
            return
        self.visible.append(data)
        for scope in self.scopes:
            scope.feed(data)
        if self.rtl:
            self.rtl_parts.append(data)

    def _space(self) -> None:
        self.visible.append(" ")
        for scope in self.scopes:
            scope.feed(" ")

    def handle_comment(self, data: str) -> None:
        text = strip_closer(data)
        if len(text) > MAX_JSON:
            note(self.page.not_read, f"an HTML comment after its first {amount(MAX_JSON)}")
            text = text[:MAX_JSON]
        where = "in an HTML comment (hidden from visitors)"
        self._urls_in(text.replace("&amp;", "&"), where, "an HTML comment")
        self.page.add("comment", _TAGS.sub(" ", text), where)

    # -- pieces -----------------------------------------------------------------------------
    def _urls_in(self, text: str, where: str, what: str) -> None:
        """The maps and emails of the links written into hidden text, a script or a setting.
        A link's words are read with the block's text; past the first MAX_URLS_IN_TEXT only
        the links that hold more than words (a map's position, a protected email) are read,
        and as many of those again."""
        rich = 0  # links holding a position or an email
        for index, url in enumerate(_URL_IN_TEXT.findall(text)):
            more = is_map_url(url) or "/cdn-cgi/l/email-protection" in url.lower()
            if index >= MAX_URLS_IN_TEXT and not more:
                continue
            rich += more
            if rich > MAX_URLS_IN_TEXT:
                note(
                    self.page.not_read,
                    f"the map and email links in {what} after its first {MAX_URLS_IN_TEXT}",
                )
                return
            self._url(url, where, quiet=True)

    def _attributes(self, tag: str, values: dict[str, str]) -> None:
        page = self.page
        hidden = self._inside()
        for name in TEXT_ATTRIBUTES:
            value = values.get(name)
            if value and value.strip():
                if name == "content" and tag == "meta":
                    key = (values.get("name") or values.get("property") or "").lower()
                    self.metas.append((key, value))
                place = ATTRIBUTE_PLACES[name].format(element=_element(tag))
                page.add("attribute", value, place + hidden)
        for name, value in values.items():
            if not name.startswith("data-") or not value.strip() or name in ("data-src",):
                continue
            if name == "data-cfemail":
                decoded = cloudflare_email(value)
                if decoded:
                    where = "in an email address hidden by Cloudflare's email protection"
                    page.add("protected-email", decoded, where + hidden)
                continue
            where = f"in the {name[:60]} attribute of {_element(tag)} (a widget's settings)"
            self._data_value(value, where + hidden)
        self._data_point(tag, values, hidden)
        for url_tag, name in URL_ATTRIBUTES:
            if tag == url_tag and name in values:
                self._url(values[name], self._url_place(tag) + hidden, tag=tag)
        if tag in ("img", "source"):
            for name in ("src", "data-src", "srcset"):
                value = values.get(name)
                if value and value.strip():
                    first = value.strip().split(",")[0].split()[0]
                    resolved = _absolute(self.base_url, first)
                    if resolved:
                        page.images.append(resolved)
                        page.add("attribute", unquote_plus(first), "in a picture's file name")

    def _data_point(self, tag: str, values: dict[str, str], hidden: str) -> None:
        """A map widget's pin in separate attributes (data-lat and data-lng) or in one
        ("data-position="51.5,-0.1"")."""
        lat = next((values[k] for k in _DATA_LAT if k in values), None)
        lon = next((values[k] for k in _DATA_LON if k in values), None)
        where = f"in a map widget's pin in {_element(tag)}'s data- attributes{hidden}"
        if lat is not None and lon is not None:
            add_point(self.page, lat, lon, "data-attribute", where)
        for name in _DATA_PAIR:
            pair = values.get(name, "")
            if pair and "," in pair and len(pair) < 80:  # longer is no coordinate pair
                first, _, second = pair.strip("[]() ").partition(",")
                add_point(self.page, first, second, "data-attribute", where)

    def _data_value(self, value: str, where: str) -> None:
        what = "a widget's settings (a data- attribute)"
        if len(value) > MAX_JSON:
            note(self.page.not_read, f"{what} after its first {amount(MAX_JSON)}")
            value = value[:MAX_JSON]
        stripped = value.lstrip()
        if stripped[:1] in ("{", "["):  # a widget's settings as JSON
            not_read = self.page.not_read
            text = script_text(value, not_read, what)
            self.page.add("data-attribute", text or value, where)
            self.page.points.extend(_located(script_points(value, not_read, what), where))
            self._urls_in(value.replace("\\/", "/"), where, what)
            return
        if value.lower().startswith(("http://", "https://", "/")) and is_map_url(
            _absolute(self.base_url, value)
        ):
            self._url(value, where, quiet=True)
            return
        self.page.add("data-attribute", value, where)

    def _url_place(self, tag: str) -> str:
        return {
            "iframe": "in a frame embedded in the page",
            "link": "in a link in the page's head",
        }.get(tag, "in a link's address")

    def _inside(self) -> str:
        if not self.hidden:
            return ""
        return {
            "noscript": " (inside a <noscript> block)",
            "template": " (inside a <template> block)",
        }[self.hidden[-1]]

    def _url(self, raw: str, where: str, *, quiet: bool = False, tag: str = "") -> None:
        page = self.page
        raw = raw.strip()
        if len(raw) > MAX_URL:
            note(page.not_read, f"a link's address after its first {MAX_URL:,} characters")
            raw = raw[:MAX_URL]
        lowered = raw.lower()
        if lowered.startswith("mailto:"):
            page.add("mailto-link", unquote(raw[7:].split("?")[0]), "in an email link (mailto:)")
            return
        if lowered.startswith("tel:"):
            page.add("tel-link", unquote(raw[4:]), "in a phone link (tel:)")
            return
        if lowered.startswith(("javascript:", "data:", "sms:", "callto:")):
            return
        if "/cdn-cgi/l/email-protection" in lowered:
            decoded = cloudflare_email(raw)
            if decoded:
                where = "in an email link hidden by Cloudflare's email protection"
                page.add("protected-email", decoded, where)
                return
        resolved = _absolute(self.base_url, raw)
        if not resolved:
            return
        if is_map_url(resolved):
            if quiet:
                map_where = f"in a map address {where.removeprefix('in ')}"
            elif tag == "iframe":
                map_where = "in a map embedded in the page" + self._inside()
            else:
                map_where = "in a map link" + self._inside()
            unread = page.not_read
            text = map_text(resolved, unread) or unquote_plus(resolved)
            page.add("map-embed", text, map_where)
            page.points.extend(_located(map_points(resolved, not_read=unread), map_where))
            page.places.extend((words, map_where) for words in what3words(resolved, unread))
            return
        if quiet:
            page.add("attribute", unquote_plus(raw), where)
            return
        page.links.append(resolved)
        page.add("attribute", unquote_plus(raw), where)

    def _open_scopes(self, values: dict[str, str]) -> list[_Scope]:
        opened: list[_Scope] = []
        if "itemprop" in values and "content" in values:
            for scope in self.scopes:
                if scope.kind == "microdata":
                    scope.contents.append(values["content"])
                    prop = values["itemprop"].lower()
                    if prop == "latitude":
                        scope.lats.append(values["content"])
                    elif prop == "longitude":
                        scope.lons.append(values["content"])
        if self.scope_count >= MAX_SCOPES:
            if "itemscope" in values or set(values.get("class", "").split()) & _HCARD:
                note(
                    self.page.not_read,
                    f"the page's structured data and contact cards after its first {MAX_SCOPES}",
                )
            return opened
        kinds = {s.kind for s in self.scopes}
        if "itemscope" in values and "microdata" not in kinds:
            label = f"in the page's structured data (microdata {values.get('itemtype', '')})"
            opened.append(_Scope("microdata", label.replace(" )", ")")))
        classes = set(values.get("class", "").split())
        if classes & _HCARD and not any(
            s.kind == "h-card" and s.label == "card" for s in self.scopes
        ):
            card = "card" if classes & {"h-card", "vcard"} else "adr"
            opened.append(_Scope("h-card", card))
        self.scope_count += len(opened)
        self.scopes.extend(opened)
        return opened

    def _close_scope(self, scope: _Scope) -> None:
        if scope in self.scopes:
            self.scopes.remove(scope)
        if scope.kind == "rtl":
            self.rtl = max(0, self.rtl - 1)
            return
        text = "".join(scope.parts)
        if scope.kind == "microdata":
            self.page.add("microdata", " , ".join([text, *scope.contents]), scope.label)
            for lat, lon in zip(scope.lats, scope.lons, strict=False):
                add_point(self.page, lat, lon, "microdata", "in the page's structured data (geo)")
        elif scope.kind == "h-card":
            self.page.add("h-card", text, "in the page's contact card markup (h-card)")

    def _script(self, body: str) -> None:
        kind, ident = self.script or ("", "")
        not_read = self.page.not_read
        what = "the page's structured data" if "ld+json" in kind else "a page script"
        if len(body) > MAX_JSON:
            note(not_read, f"{what} after its first {amount(MAX_JSON)}")
            body = body[:MAX_JSON]
        if "ld+json" in kind:
            for text, points in json_ld_texts(body, not_read):
                self.page.add("json-ld", text, "in the page's structured data for search engines")
                self.page.points.extend(points)
            return
        if ident == "__NEXT_DATA__":
            where = "in the page's __NEXT_DATA__ (the site builder's page data)"
        elif "json" in kind:
            where = "in data written into the page (an inline JSON block)"
        elif re.search(r"\bvar\s{1,10}\w{1,80}\s{0,10}=\s{0,10}\{", body[:4096]):
            where = "in a plugin's settings written into the page (a page script)"
        else:
            where = "in a page script"
        self.page.add("script", script_text(body, not_read, what), where)
        self.page.points.extend(_located(script_points(body, not_read, what), where))
        self._urls_in(body.replace("\\/", "/"), where, what)

    def finish(self) -> None:
        while self.stack:
            _tag, scopes = self.stack.pop()
            for scope in scopes:
                self._close_scope(scope)
        if self.script is not None:
            self._script(strip_closer("".join(self.script_parts)))
        for kind, parts in self.hidden_parts.items():
            if parts:
                where = {
                    "noscript": "in a <noscript> block (shown only when scripts are off)",
                    "template": "in a <template> block (kept in the page but not shown)",
                }[kind]
                text = strip_closer("".join(parts))
                if len(text) > MAX_JSON:
                    what = f"the page's <{kind}> blocks after their first {amount(MAX_JSON)}"
                    note(self.page.not_read, what)
                self.page.add(kind, text[:MAX_JSON], where)
        unread = self.page.not_read
        reversed_text = reversed_emails("".join(self.rtl_parts), unread)
        everything = " ".join(s.text for s in self.page.segments)
        reversed_text += reversed_emails(everything, unread)
        if reversed_text:
            self.page.add(
                "reversed-text",
                " , ".join(dict.fromkeys(reversed_text)),
                "in text written backwards (the page's style shows it the right way round)",
            )
        self._metas()

    def _metas(self) -> None:
        page = self.page
        lats: list[str] = []
        lons: list[str] = []
        for name, content in self.metas:
            if name in ("geo.position", "icbm"):
                lat, _, lon = content.replace(";", ",").partition(",")
                add_point(page, lat, lon, "meta", f'in the page\'s meta tag "{name}"')
            elif name.endswith("latitude"):
                lats.append(content)
            elif name.endswith("longitude"):
                lons.append(content)
        for lat, lon in zip(lats, lons, strict=False):
            add_point(page, lat, lon, "meta", "in the page's location meta tags")


def _located(points: list[MapPoint], where: str) -> list[MapPoint]:
    """The points with ``where`` in plain words (a map URL keeps its URL in ``raw``)."""
    return [MapPoint(p.latitude, p.longitude, p.source, where, p.raw, p.weak) for p in points]


def extract_html(html: str, base_url: str) -> PageContent:
    """Text segments, links, images and map points of one HTML page."""
    page = PageContent()
    if len(html) > MAX_HTML:
        page.not_read.append(f"the page after its first {MAX_HTML:,} characters")
    html = html[:MAX_HTML]
    parser = _PageParser(base_url, page)
    try:
        parser.feed(parseable_html(html))
        parser.close()
    except _TooManyTags:
        page.not_read.append(f"the page after its first {MAX_TAGS:,} elements")
    except Exception as exc:  # html.parser is lenient; keep what was read, name the rest
        page.not_read.append(
            f"the page after the point where its HTML could not be read ({type(exc).__name__})"
        )
    try:
        parser.finish()
    except Exception as exc:  # a bug on hostile HTML must not end the audit
        page.not_read.append(
            f"the page's hidden parts and structured data (they could not be read: "
            f"{type(exc).__name__})"
        )
    visible = " ".join(strip_closer("".join(parser.visible)).split())
    page.segments.insert(0, Segment("page-text", visible, "in the page's text"))
    return page


class _VisibleText(HTMLParser):
    """The words a visitor sees, with a space at every element boundary except inline
    formatting, so that text split over elements reads as one line."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self.skipping += 1
        elif tag not in _INLINE:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag not in _INLINE:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _VisibleText()
    try:
        parser.feed(parseable_html(html))
        parser.close()
    except Exception:  # html.parser is lenient; keep what was read
        pass
    return " ".join("".join(parser.parts).split())


def add_point(page: PageContent, lat: str, lon: str, source: str, where: str) -> None:
    # Silent by design: 40 characters hold any coordinate written in decimal degrees.
    latitude, longitude = ascii_decimal(lat[:40]), ascii_decimal(lon[:40])
    if latitude is None or longitude is None:
        return
    if -90 <= latitude <= 90 and -180 <= longitude <= 180:
        page.points.append(MapPoint(latitude, longitude, source, where, f"{lat},{lon}"))


def _absolute(base_url: str, raw: str) -> str:
    try:
        resolved = urljoin(base_url, raw.strip())
        scheme = urlsplit(resolved).scheme.lower()
    except ValueError:
        return ""
    return resolved if scheme in ("http", "https") else ""


def json_ld_texts(text: str, not_read: list[str] | None = None) -> list[tuple[str, list[MapPoint]]]:
    """One line of text per JSON-LD object (its string values in order) and its geo points.

    JSON that does not parse (cut, broken, or nested past the JSON reader's recursion limit),
    and objects past the walk's bounds, are still read: every string value of the block by
    the linear string scanner, and its map positions, so no bound leaves text unread (the
    scanner's own caps are named in ``not_read``)."""
    where = "in the page's structured data for search engines"
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return _json_ld_strings(text, where, not_read)
    found: list[tuple[str, list[MapPoint]]] = []
    budget = [MAX_JSON_LD_NODES]
    bounded = [False]

    def walk(node: Any, depth: int) -> None:
        if depth > MAX_JSON_LD_DEPTH or budget[0] <= 0:
            bounded[0] = True
            return
        budget[0] -= 1
        if isinstance(node, list):
            if len(node) > MAX_JSON_LD_ITEMS:
                bounded[0] = True
            for item in node[:MAX_JSON_LD_ITEMS]:
                walk(item, depth + 1)
        elif isinstance(node, dict):
            strings = [str(v) for v in node.values() if isinstance(v, str | int) and v != ""]
            points: list[MapPoint] = []
            lat, lon = node.get("latitude"), node.get("longitude")
            if isinstance(lat, str | int | float) and isinstance(lon, str | int | float):
                holder = PageContent()
                add_point(holder, str(lat), str(lon), "json-ld", f"{where} (geo)")
                points = holder.points
            if strings or points:
                found.append((" , ".join(strings), points))
            values = list(node.values())
            if len(values) > MAX_JSON_LD_ITEMS:
                bounded[0] = True
            for value in values[:MAX_JSON_LD_ITEMS]:
                if isinstance(value, dict | list):
                    walk(value, depth + 1)

    walk(data, 0)
    if bounded[0]:
        found += _json_ld_strings(text, where, not_read)
    return found


def _json_ld_strings(
    text: str, where: str, not_read: list[str] | None
) -> list[tuple[str, list[MapPoint]]]:
    what = "the page's structured data"
    strings = script_text(text, not_read, what)
    points = [
        MapPoint(p.latitude, p.longitude, "json-ld", f"{where} (geo)", p.raw, p.weak)
        for p in script_points(text, not_read, what)
    ]
    return [(strings, points)] if strings or points else []
