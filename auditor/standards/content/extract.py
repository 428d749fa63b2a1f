"""Everything on a web page where a home address, phone or email can hide, as text segments.

A page is not just its visible words: addresses sit in ``alt``/``title``/``content``
attributes, in JSON-LD and microdata written for search engines, in h-card markup, in
``tel:``/``mailto:`` links, and in map embeds (an address in ``maps?q=…``, coordinates in
``!2d…!3d…``, ``@lat,lon``, ``mlat=``/``mlon=``, ``#map=z/lat/lon``). Each becomes a
``Segment`` naming its source so a finding can say where it was seen. Elements are
separated by spaces, so an address split over ``<span>``s, ``<br>``s and table cells reads
as one line. Pure and bounded: never raises, caps input size and segment counts.
"""

from __future__ import annotations

import json
import re
import warnings
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, unquote, unquote_plus, urljoin, urlsplit

from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning, Tag

from auditor.standards.content.html import parseable_html
from auditor.standards.digits import ascii_decimal

MAX_HTML = 2 * 1024 * 1024  # characters of HTML parsed per page
MAX_SEGMENTS = 5000
MAX_JSON = 512 * 1024
MAX_URL = 4096
TEXT_ATTRIBUTES = ("alt", "title", "content", "value", "aria-label", "placeholder", "label")
URL_ATTRIBUTES = (("a", "href"), ("area", "href"), ("link", "href"), ("iframe", "src"))
IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".webp", ".tif", ".tiff")
DOCUMENT_EXTENSIONS = (".pdf", ".vcf")
_SKIP = ("script", "style", "template", "noscript", "svg")
_INLINE = frozenset({"b", "i", "em", "strong", "u", "small", "mark", "sup", "sub", "font", "abbr"})
_NUM = r"(-?[0-9]{1,3}(?:\.[0-9]{1,15})?)"
_COORDINATE_PATTERNS = (
    (re.compile(rf"!3d{_NUM}!4d{_NUM}"), False),  # Google place data: !3d<lat>!4d<lon>
    (re.compile(rf"!2d{_NUM}!3d{_NUM}"), True),  # Google embed pb: !2d<lon>!3d<lat>
    (re.compile(rf"@{_NUM},{_NUM}(?:,|z|$)"), False),  # /maps/@lat,lon,17z
    (re.compile(rf"#map=[0-9]{{1,2}}/{_NUM}/{_NUM}"), False),  # openstreetmap.org/#map=z/lat/lon
    (
        re.compile(
            rf"[?&](?:q|ll|sll|center|query|daddr|destination|cp)=loc:?{_NUM}(?:,|%2C|~){_NUM}"
        ),
        False,
    ),
    (
        re.compile(
            rf"[?&](?:q|ll|sll|center|query|daddr|destination|cp)={_NUM}(?:,|%2C|~)\s?{_NUM}"
        ),
        False,
    ),
)
_MLAT = re.compile(rf"[?&]mlat={_NUM}")
_MLON = re.compile(rf"[?&]mlon={_NUM}")
_MAP_QUERY_KEYS = ("q", "query", "daddr", "saddr", "destination", "address", "where")
_MAP_PATH = re.compile(r"/maps/(?:place|search|dir)/([^/@?#]{1,300})")


@dataclass(frozen=True)
class Segment:
    source: str  # page-text | attribute | json-ld | microdata | h-card | map-embed | tel-link |
    # mailto-link | vcard | pdf-text | pdf-metadata | imprint
    text: str
    where: str = ""  # "img alt", "iframe src", "JSON-LD", …


@dataclass(frozen=True)
class MapPoint:
    latitude: float
    longitude: float
    source: str  # map-embed | json-ld | microdata | meta
    where: str  # the URL or element it came from
    raw: str  # the coordinates as written


@dataclass
class PageContent:
    segments: list[Segment] = field(default_factory=list)
    links: list[str] = field(default_factory=list)  # absolute URLs of links and frames
    images: list[str] = field(default_factory=list)
    points: list[MapPoint] = field(default_factory=list)

    def add(self, source: str, text: str, where: str = "") -> None:
        text = " ".join(text.split())
        if text and len(self.segments) < MAX_SEGMENTS:
            self.segments.append(Segment(source, text, where))


def is_map_url(url: str) -> bool:
    try:
        parts = urlsplit(url[:MAX_URL])
    except ValueError:
        return False
    host = (parts.hostname or "").lower()
    path = parts.path.lower()
    if host.startswith("maps.") or host.endswith(("openstreetmap.org", "osm.org")):
        return True
    return ("google." in host or host.endswith("bing.com")) and path.startswith("/maps")


def map_points(url: str, source: str = "map-embed") -> list[MapPoint]:
    """Coordinates written into a map URL."""
    url = url[:MAX_URL]
    points: list[MapPoint] = []
    for pattern, lon_first in _COORDINATE_PATTERNS:
        for hit in pattern.finditer(url):
            a, b = float(hit.group(1)), float(hit.group(2))
            lat, lon = (b, a) if lon_first else (a, b)
            if -90 <= lat <= 90 and -180 <= lon <= 180:
                points.append(MapPoint(lat, lon, source, url, hit.group()))
    lat_hit, lon_hit = _MLAT.search(url), _MLON.search(url)
    if lat_hit and lon_hit:
        lat, lon = float(lat_hit.group(1)), float(lon_hit.group(1))
        if -90 <= lat <= 90 and -180 <= lon <= 180:
            raw = f"{lat_hit.group()} {lon_hit.group()}"
            points.append(MapPoint(lat, lon, source, url, raw))
    return points


def map_text(url: str) -> str:
    """The place a map URL searches for, decoded ("12 Acacia Avenue, AB1 2CD")."""
    try:
        parts = urlsplit(url[:MAX_URL])
        query = parse_qs(parts.query, max_num_fields=50)
    except ValueError:
        return ""
    texts = [v for key in _MAP_QUERY_KEYS for v in query.get(key, [])]
    texts += [unquote_plus(m.group(1)) for m in _MAP_PATH.finditer(parts.path)]
    return " , ".join(texts)


def extract_html(html: str, base_url: str) -> PageContent:
    """Text segments, links, images and map points of one HTML page."""
    page = PageContent()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
            soup = BeautifulSoup(parseable_html(html[:MAX_HTML]), "html.parser")
        _structured(soup, page)
        _attributes(soup, base_url, page)
        page.segments.insert(0, Segment("page-text", visible_text(html[:MAX_HTML])))
    except Exception:  # a parser bug on hostile HTML must not end the audit
        page.add("page-text", re.sub(r"<[^<>]{0,2000}>", " ", html[:MAX_HTML]))
    return page


class _VisibleText(HTMLParser):
    """The words a visitor sees, with a space at every element boundary except inline
    formatting, so that text split over elements reads as one line. Linear in the input
    (bs4's tree edits are not, on deeply nested hostile markup)."""

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


def _structured(soup: BeautifulSoup, page: PageContent) -> None:
    for script in soup.find_all("script"):
        kind = str(script.get("type") or "").lower()
        if "ld+json" in kind:
            for text, points in json_ld_texts(script.get_text()[:MAX_JSON]):
                page.add("json-ld", text, "JSON-LD")
                page.points.extend(points)
    for scope in soup.select("[itemscope]")[:500]:
        if scope.find_parent(attrs={"itemscope": True}) is not None:
            continue  # the outermost scope reads its nested ones too
        values = [scope.get_text(" ")]
        values += [str(t.get("content")) for t in scope.select("[itemprop][content]")]
        page.add("microdata", " , ".join(values), f"itemscope {scope.get('itemtype', '')}")
        lats = [str(t.get("content", "")) for t in scope.select('[itemprop="latitude"]')]
        lons = [str(t.get("content", "")) for t in scope.select('[itemprop="longitude"]')]
        for lat, lon in zip(lats, lons, strict=False):
            _add_point(page, lat, lon, "microdata", "itemprop geo")
    for card in soup.select(".h-card, .vcard, .h-adr, .adr")[:500]:
        if card.find_parent(class_=("h-card", "vcard")) is None:
            page.add("h-card", card.get_text(" "), "h-card")
    for meta in soup.find_all("meta"):
        name = str(meta.get("name") or meta.get("property") or "").lower()
        content = str(meta.get("content") or "")
        if name in ("geo.position", "icbm"):
            lat, _, lon = content.replace(";", ",").partition(",")
            _add_point(page, lat, lon, "meta", f'meta name="{name}"')
    lat_tags = soup.select('meta[property$="latitude"], meta[name$="latitude"]')
    lon_tags = soup.select('meta[property$="longitude"], meta[name$="longitude"]')
    for lat_tag, lon_tag in zip(lat_tags, lon_tags, strict=False):
        _add_point(page, str(lat_tag.get("content")), str(lon_tag.get("content")), "meta", "meta")


def _add_point(page: PageContent, lat: str, lon: str, source: str, where: str) -> None:
    latitude, longitude = ascii_decimal(lat[:40]), ascii_decimal(lon[:40])
    if latitude is None or longitude is None:
        return
    if -90 <= latitude <= 90 and -180 <= longitude <= 180:
        page.points.append(MapPoint(latitude, longitude, source, where, f"{lat},{lon}"))


def _attributes(soup: BeautifulSoup, base_url: str, page: PageContent) -> None:
    for element in soup.find_all(True):
        if not isinstance(element, Tag):
            continue
        tag = element.name
        for name in TEXT_ATTRIBUTES:
            value = element.get(name)
            if isinstance(value, str) and value.strip():
                page.add("attribute", value, f"{tag} {name}")
        for url_tag, name in URL_ATTRIBUTES:
            if tag == url_tag and isinstance(element.get(name), str):
                _url(str(element.get(name)), f"{tag} {name}", base_url, page)
        if tag in ("img", "source"):
            for name in ("src", "data-src", "srcset"):
                value = element.get(name)
                if isinstance(value, str) and value.strip():
                    first = value.strip().split(",")[0].split()[0]
                    resolved = _absolute(base_url, first)
                    if resolved:
                        page.images.append(resolved)
                        page.add("attribute", unquote_plus(first), f"{tag} {name}")


def _url(raw: str, where: str, base_url: str, page: PageContent) -> None:
    raw = raw.strip()[:MAX_URL]
    lowered = raw.lower()
    if lowered.startswith("mailto:"):
        page.add("mailto-link", unquote(raw[7:].split("?")[0]), where)
        return
    if lowered.startswith("tel:"):
        page.add("tel-link", unquote(raw[4:]), where)
        return
    if lowered.startswith(("javascript:", "data:", "sms:", "callto:")):
        return
    resolved = _absolute(base_url, raw)
    if not resolved:
        return
    if is_map_url(resolved):
        page.add("map-embed", map_text(resolved) or unquote_plus(resolved), where)
        page.points.extend(map_points(resolved))
        return
    page.links.append(resolved)
    page.add("attribute", unquote_plus(raw), where)


def _absolute(base_url: str, raw: str) -> str:
    try:
        resolved = urljoin(base_url, raw.strip())
        scheme = urlsplit(resolved).scheme.lower()
    except ValueError:
        return ""
    return resolved if scheme in ("http", "https") else ""


def json_ld_texts(text: str) -> list[tuple[str, list[MapPoint]]]:
    """One line of text per JSON-LD object (its string values in order) and its geo points."""
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return []
    found: list[tuple[str, list[MapPoint]]] = []
    budget = [5000]

    def walk(node: Any, depth: int) -> None:
        if depth > 20 or budget[0] <= 0:
            return
        budget[0] -= 1
        if isinstance(node, list):
            for item in node[:500]:
                walk(item, depth + 1)
        elif isinstance(node, dict):
            strings = [str(v) for v in node.values() if isinstance(v, str | int) and v != ""]
            points: list[MapPoint] = []
            lat, lon = node.get("latitude"), node.get("longitude")
            if isinstance(lat, str | int | float) and isinstance(lon, str | int | float):
                holder = PageContent()
                _add_point(holder, str(lat), str(lon), "json-ld", "JSON-LD geo")
                points = holder.points
            if strings or points:
                found.append((" , ".join(strings), points))
            for value in list(node.values())[:200]:
                if isinstance(value, dict | list):
                    walk(value, depth + 1)

    try:
        walk(data, 0)
    except RecursionError:
        pass
    return found


def extract_vcard(text: str) -> PageContent:
    """Address, phone, email and geo lines of a vCard (.vcf) file."""
    page = PageContent()
    unfolded = re.sub(r"\r?\n[ \t]", "", text[:MAX_JSON])
    for line in unfolded.splitlines()[:2000]:
        name, sep, value = line.partition(":")
        if not sep:
            continue
        key = name.split(";")[0].split(".")[-1].upper()
        if key in ("ADR", "LABEL"):
            page.add("vcard", value.replace("\\n", ", ").replace(";", " , "), key)
        elif key in ("TEL", "EMAIL"):
            page.add("vcard", value.removeprefix("tel:"), key)
        elif key == "GEO":
            lat, _, lon = value.removeprefix("geo:").replace(";", ",").partition(",")
            _add_point(page, lat, lon.split(";")[0], "vcard", "GEO")
    return page
