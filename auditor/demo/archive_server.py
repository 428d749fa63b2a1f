"""A Wayback-compatible web archive on loopback: the CDX server API and ``id_`` playback,
in the Internet Archive's own formats (docs/web-archives.md), over a few captures of the
demo candidate's pages.

Planted: a 2019 capture of /contact that printed the home address (the live page no longer
does), a 2019 "surgery" news page with the personal mobile (the page is gone from the live
site), and a 2023 capture of /about (the live page still shows the address: live and
archived). Clean captures next to them: the home page and today's /contact, the party's
profile page, and a robots.txt and a 404 capture that the CDX filters must leave out.

The CDX endpoint honours what exposure.archives sends and what the documentation lists:
``url`` (with a trailing ``*`` or leading ``*.``), ``matchType``, ``output=json`` (plain text
otherwise), ``fl``, ``filter=[!]field:regex``, ``collapse=field[:N]`` (adjacent rows),
``limit`` (negative: the last N), and answers ``[]`` when nothing matches.
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

import dns.zone

from auditor.demo import candidate as c
from auditor.demo.content import site
from auditor.demo.web_server import Request, Response, WebServer, html, json_response, text

ARCHIVE_HOST = f"archive.{c.SERVICES_DOMAIN}"
ENDPOINTS = {"wayback": f"https://{ARCHIVE_HOST}/"}
FIELDS = ("urlkey", "timestamp", "original", "mimetype", "statuscode", "digest", "length")
SITE = f"www.{c.DOMAIN}"
_PLAYBACK = re.compile(r"/web/([0-9]{1,14})([a-z]{2}_)?/(.{1,2048})")


def surt(url: str) -> str:
    """The CDX sort key of a URL: the host reversed by labels, www dropped, lower case."""
    parts = urlsplit(url if "://" in url else "http://" + url)
    host = (parts.hostname or "").lower().removeprefix("www.")
    key = ",".join(reversed(host.split("."))) + ")" + (parts.path or "/").lower()
    return key + (f"?{parts.query}" if parts.query else "")


@dataclass(frozen=True)
class StoredCapture:
    timestamp: str
    original: str
    mimetype: str
    body: bytes
    statuscode: str = "200"

    @property
    def digest(self) -> str:
        return base64.b32encode(hashlib.sha1(self.body).digest()).decode()

    def row(self) -> dict[str, str]:
        return {
            "urlkey": surt(self.original),
            "timestamp": self.timestamp,
            "original": self.original,
            "mimetype": self.mimetype,
            "statuscode": self.statuscode,
            "digest": self.digest,
            "length": str(len(self.body) // 2 + 200),  # the WARC record's compressed size
        }


class WaybackArchive:
    """The CDX index and playback over ``captures``."""

    def __init__(self, captures: list[StoredCapture]) -> None:
        self.captures = sorted(captures, key=lambda s: (surt(s.original), s.timestamp))

    def register(self, server: WebServer) -> None:
        server.route(ARCHIVE_HOST, "/cdx/search/cdx", self.cdx)
        server.route_prefix(ARCHIVE_HOST, "/web/", self.playback)

    def cdx(self, request: Request) -> Response:
        params = parse_qsl(request.query, keep_blank_values=True)
        first = dict(params)
        url = first.get("url", "")
        if not url:
            return text("Missing required param: url", 400)
        match_type = first.get("matchType", "exact")
        if url.endswith("*"):
            url, match_type = url.rstrip("*"), "prefix"
        if url.startswith("*."):
            url, match_type = url[2:], "domain"
        rows = [s.row() for s in self.captures if _matches(s.original, url, match_type)]
        for name, value in params:
            if name == "filter":
                rows = _filtered(rows, value)
        for name, value in params:
            if name == "collapse":
                rows = _collapsed(rows, value)
        limit = first.get("limit", "")
        if re.fullmatch(r"-?[0-9]{1,6}", limit):
            number = int(limit)
            rows = rows[number:] if number < 0 else rows[:number]
        fields = [f for f in first.get("fl", "").split(",") if f in FIELDS] or list(FIELDS)
        table = [[row[f] for f in fields] for row in rows]
        if first.get("output") == "json":
            return json_response([fields, *table] if table else [])
        return text("".join(" ".join(line) + "\n" for line in table))

    def playback(self, request: Request) -> Response:
        found = _PLAYBACK.fullmatch(request.path)
        if found is None:
            return html("<h1>Not found</h1>", 404)
        timestamp, flag, original = found.groups()
        if request.query:
            original += "?" + request.query
        key = surt(original)
        versions = [s for s in self.captures if surt(s.original) == key]
        if not versions:
            return html("<p>The Wayback Machine has not archived that URL.</p>", 404)
        exact = next((s for s in versions if s.timestamp == timestamp), None)
        if exact is None:  # the archive sends the reader to the nearest capture
            target = int(timestamp.ljust(14, "0"))
            nearest = min(versions, key=lambda s: abs(int(s.timestamp) - target))
            location = f"/web/{nearest.timestamp}{flag or ''}/{nearest.original}"
            return Response(302, (("Location", location), ("Content-Length", "0")))
        if flag == "id_":
            return Response(200, (("Content-Type", exact.mimetype),), exact.body)
        banner = f"<div id='wm-ipp'>Wayback Machine: captured {timestamp}</div>"
        return html(banner + exact.body.decode("utf-8", errors="replace"))


def _matches(original: str, url: str, match_type: str) -> bool:
    key, wanted = surt(original), surt(url)
    if match_type == "prefix":
        return key.startswith(wanted.rstrip("/") if wanted.endswith(")/") else wanted)
    if match_type in ("host", "domain"):
        host = wanted.split(")", 1)[0]
        own = key.split(")", 1)[0]
        return own == host or (match_type == "domain" and own.startswith(host + ","))
    return key == wanted


def _filtered(rows: list[dict[str, str]], spec: str) -> list[dict[str, str]]:
    invert = spec.startswith("!")
    name, _, pattern = spec.lstrip("!").partition(":")
    if name not in FIELDS:
        return rows
    try:
        compiled = re.compile(pattern)
    except re.error:
        return rows
    return [r for r in rows if bool(compiled.fullmatch(r[name])) != invert]


def _collapsed(rows: list[dict[str, str]], spec: str) -> list[dict[str, str]]:
    name, _, length = spec.partition(":")
    if name not in FIELDS:
        return rows
    width = int(length) if length.isascii() and length.isdigit() else None
    kept: list[dict[str, str]] = []
    previous: str | None = None
    for row in rows:
        value = row[name][:width] if width else row[name]
        if value != previous:
            kept.append(row)
        previous = value
    return kept


def _page(title: str, body: str) -> bytes:
    return (
        f'<!doctype html><html lang="en-GB"><head><meta charset="utf-8"><title>{title}</title>'
        f"</head><body><main>{body}</main></body></html>"
    ).encode()


def demo_archive() -> WaybackArchive:
    return WaybackArchive(demo_captures())


def demo_captures() -> list[StoredCapture]:
    """The demo archive's captures; the recent ones hold today's pages' own bytes."""
    live_contact, live_about = site.contact_page().encode(), site.about_page().encode()
    home = ", ".join((*c.HOME_LINES, c.HOME_POSTCODE))
    contact_2019 = _page(
        "Contact Alex",
        f"<h1>Contact Alex</h1><p>I am standing for {c.WARD} for the first time. Write to me "
        f"at home: {home}.</p><p>Email {c.CAMPAIGN_EMAIL}.</p>",
    )
    surgery_2019 = _page(
        "Street surgery",
        f"<h1>Street surgery this Saturday</h1><p>Can't make it? Text me on {c.MOBILE_DISPLAY} "
        "and I will call you back.</p>",
    )
    home_2019 = _page(c.NAME, f"<h1>{c.NAME}</h1><p>For {c.WARD}.</p>")
    party_2021 = _page(c.NAME, f"<h1>{c.NAME}</h1><p>Our candidate for {c.WARD}.</p>")
    http_site, https_site = f"http://{SITE}:80", f"https://{SITE}"
    return [
        StoredCapture("20190302101500", f"{http_site}/", "text/html", home_2019),
        StoredCapture("20190514093000", f"{http_site}/contact", "text/html", contact_2019),
        # The same bytes captured again: collapse=digest answers it once.
        StoredCapture("20190601080000", f"{http_site}/contact", "text/html", contact_2019),
        StoredCapture(
            "20190720170000", f"{http_site}/news/street-surgery", "text/html", surgery_2019
        ),
        StoredCapture("20190721000000", f"{http_site}/robots.txt", "text/plain", b"User-agent: *"),
        StoredCapture(
            "20200105120000",
            f"{http_site}/old-page",
            "text/html",
            _page("Not found", "Not found"),
            "404",
        ),
        StoredCapture("20230310141500", f"{https_site}/about", "text/html", live_about),
        StoredCapture("20241102120000", f"{https_site}/contact", "text/html", live_contact),
        StoredCapture("20210415090000", c.PARTY_PAGE, "text/html", party_2021),
    ]


def zone() -> dns.zone.Zone:
    """The archive's own name (the deepest zone wins, so no delegation is needed)."""
    origin = ARCHIVE_HOST + "."
    return dns.zone.from_text(
        f"$ORIGIN {origin}\n$TTL 300\n@ SOA ns1 hostmaster 1 3600 600 604800 300\n"
        "@ NS ns1\n@ A 127.0.0.1\n",
        origin=origin,
        relativize=False,
    )
