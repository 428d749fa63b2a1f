"""A second fictional campaign site, built the way WordPress sites are (page-builder drafts,
map and contact plugins, a calendar plugin, contact cards, photos from a phone and Lightroom),
with a leak in every place issue 15 names and decoys beside them, audited as a person would:
``auditor scan --profile … --select exposure --format json`` in a child process against the
project's DNS and HTTPS servers on loopback. Findings are matched by URL path and kind."""

from __future__ import annotations

import asyncio
import gzip
import io
import json
import os
import sys
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from PIL import Image, PngImagePlugin
from pypdf import PdfWriter
from pypdf.annotations import Text
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, NumberObject, TextStringObject

from auditor.demo.dns_server import DnsServer
from auditor.demo.web_server import Request, Response, WebServer, html, json_response, text
from tests.exposure.conftest import _calendar
from tests.exposure.test_photo_text import exif, iptc_block, jpeg_with_app, xmp

SITE = "www.vote-rowan.example"
EMAIL = "rowan.private@example.org"
PROFILE = f"""
name = "Rowan Example"
phones = ["07700 900456"]
emails = ["{EMAIL}"]
websites = ["https://{SITE}/"]

[[home]]
lines = ["7 Heron Way", "Oakbury"]
postcode = "OK3 9XY"
latitude = 51.75
longitude = -1.25

[[public_address]]
label = "party office"
lines = ["22 High Street", "Oakbury"]
postcode = "OK3 1AB"
"""
ZONE = """
$ORIGIN vote-rowan.example.
$TTL 300
@   SOA ns1 hostmaster 1 7200 3600 1209600 300
@   NS  ns1
ns1 A   127.0.0.1
www A   127.0.0.1
"""
APP1 = b"http://ns.adobe.com/xap/1.0/\x00"


def wp(title: str, body: str) -> Response:
    return html(
        f'<!doctype html><html><head><title>{title}</title><link rel="https://api.w.org/" '
        f'href="https://{SITE}/wp-json/"></head><body class="wp-site"><header>Rowan for '
        f"Oakbury</header><main>{body}</main><footer>Promoted by Kit Agent, 22 High Street, "
        "Oakbury OK3 1AB.</footer></body></html>"
    )


def binary(data: bytes, content_type: str) -> Response:
    return Response(200, (("Content-Type", content_type),), data)


def cf(email: str) -> str:
    return "6b" + bytes(b ^ 0x6B for b in email.encode()).hex()


def jpeg(tags: Image.Exif) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (30, 90, 160)).save(buffer, "JPEG", exif=tags)
    return buffer.getvalue()


def image(kind: str, **save: Any) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buffer, kind, **save)
    return buffer.getvalue()


def pdf(edit: Any) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    edit(writer)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def form_field(writer: PdfWriter) -> None:
    field = DictionaryObject(
        {
            NameObject("/FT"): NameObject("/Tx"),
            NameObject("/T"): TextStringObject("Contact"),
            NameObject("/V"): TextStringObject(EMAIL),
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/Widget"),
            NameObject("/Rect"): ArrayObject([NumberObject(0)] * 4),
        }
    )
    writer._root_object[NameObject("/AcroForm")] = DictionaryObject(
        {NameObject("/Fields"): ArrayObject([writer._add_object(field)])}
    )


def xp(tag: int, text: str) -> Image.Exif:
    tags = Image.Exif()
    tags[tag] = text.encode("utf-16-le") + b"\x00\x00"
    return tags


def png_xmp(description: str) -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_itxt("XML:com.adobe.xmp", xmp(description=description).decode())
    return image("PNG", pnginfo=info)


APPLE_ICS = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:a@x\r\nSUMMARY:Canvass\r\n"
    'X-APPLE-STRUCTURED-LOCATION;VALUE=URI;X-TITLE="Start":geo:51.75004,-1.25006\r\n'
    "END:VEVENT\r\nEND:VCALENDAR\r\n"
)
VCARD_4 = (
    "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Rowan Example\r\n"
    "ADR;TYPE=home:;;7 Heron\r\n  Way;Oakbury;;OK3 9XY;UK\r\nEND:VCARD\r\n"
)
NAMESAKE = (
    "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Rowan Example\r\nADR:;;3 Kestrel Road;Leeds;;LS2 7AA\r\n"
    "TEL:07700 900777\r\nEND:VCARD\r\n"
)

# (path, kind) -> response: one leak in each place.
LEAKS: dict[tuple[str, str], Response] = {
    ("/draft", "home-address"): wp("Draft", "<p>Hi</p><!-- <p>Pop in: 7 Heron Way</p> -->"),
    ("/noscript", "phone"): wp("Call", "<noscript>Ring 07700 900456</noscript>"),
    ("/template", "postcode"): wp("T", "<template><p>Oakbury OK3 9XY</p></template>"),
    ("/widget", "home-address"): wp("W", '<div data-wpgmza-address="7 Heron Way, Oakbury">'),
    ("/json-island", "email"): wp(
        "J", f'<script type="application/json" id="cfg">{{"reply":"{EMAIL}"}}</script>'
    ),
    ("/localize", "home-address"): wp(
        "L", '<script>var tecSettings = {"venue":"7 Heron Way, Oakbury"};</script>'
    ),
    ("/next", "phone"): wp(
        "N", '<script id="__NEXT_DATA__" type="application/json">{"p":{"t":"07700900456"}}</script>'
    ),
    ("/leaflet", "map-location"): wp(
        "M", "<script>L.map('m').setView([51.7501, -1.2501], 17);</script>"
    ),
    ("/google-js", "map-location"): wp(
        "G", "<script>new google.maps.Map(el, {center: {lat: 51.7502, lng: -1.2499}});</script>"
    ),
    ("/mapbox", "map-location"): wp(
        "X", "<script>new mapboxgl.Map({container: 'm', center: [-1.2502, 51.7499]});</script>"
    ),
    ("/pin", "map-location"): wp(
        "Pin", '<div class="wpgmza_map" data-lat="51.75006" data-lng="-1.25002"></div>'
    ),
    ("/osm", "map-location"): wp(
        "O",
        '<iframe src="https://www.openstreetmap.org/export/embed.html?bbox=-1.26%2C51.74%2C-1.24'
        '%2C51.76&amp;layer=mapnik&amp;marker=51.75002%2C-1.25003"></iframe>',
    ),
    ("/google-q", "home-address"): wp(
        "Q", '<iframe src="https://maps.google.com/maps?q=7+Heron+Way,+Oakbury&output=embed">'
    ),
    ("/google-place", "map-location"): wp(
        "P", '<a href="https://www.google.com/maps/place/x/data=!3d51.7501!4d-1.2502">Map</a>'
    ),
    ("/apple-ll", "map-location"): wp(
        "A", '<a href="https://maps.apple.com/?ll=51.75003,-1.25004&q=Home">Apple</a>'
    ),
    ("/apple-address", "postcode"): wp(
        "B", f'<a href="https://maps.apple.com/?address={quote("Oakbury OK3 9XY")}">Apple</a>'
    ),
    ("/cloudflare", "email"): wp(
        "C", f'<span class="__cf_email__" data-cfemail="{cf(EMAIL)}">[email&#160;protected]</span>'
    ),
    ("/cf-link", "email"): wp("D", f'<a href="/cdn-cgi/l/email-protection#{cf(EMAIL)}">Mail</a>'),
    ("/antispambot", "email"): wp(
        "E", "".join(f"&#{ord(c)};" for c in EMAIL) + '<a href="mailto:x@y.example">m</a>'
    ),
    ("/percent-mailto", "email"): wp(
        "F", '<a href="mailto:%72owan.private%40example.org">Mail Rowan</a>'
    ),
    ("/reversed", "email"): wp(
        "R", f'<span style="direction:rtl;unicode-bidi:bidi-override">{EMAIL[::-1]}</span>'
    ),
    ("/events/surgery.ics", "home-address"): binary(
        _calendar("7 Heron Way, Oakbury"), "text/calendar"
    ),
    ("/events/canvass.ics", "map-location"): binary(APPLE_ICS.encode(), "text/calendar"),
    ("/rowan.vcf", "home-address"): binary(VCARD_4.encode(), "text/vcard"),
    ("/downloads/volunteers.csv", "phone"): binary(
        b"who,tel\r\nRowan,07700 900456\r\n", "text/csv"
    ),
    ("/downloads/data.json", "email"): binary(
        json.dumps({"a": {"b": EMAIL}}).encode(), "application/json"
    ),
    ("/downloads/readme.txt", "postcode"): binary(b"Post to OK3 9XY", "text/plain"),
    ("/wp-content/uploads/desc.jpg", "home-address"): binary(
        jpeg(exif(description="Garden, 7 Heron Way")), "image/jpeg"
    ),
    ("/wp-content/uploads/xp.jpg", "phone"): binary(
        jpeg(xp(0x9C9C, "Call 07700 900456")), "image/jpeg"
    ),
    ("/wp-content/uploads/lightroom.jpg", "email"): binary(
        jpeg_with_app(b"\xff\xe1", APP1 + xmp(email=EMAIL)), "image/jpeg"
    ),
    ("/wp-content/uploads/poster.png", "postcode"): binary(png_xmp("Oakbury OK3 9XY"), "image/png"),
    ("/wp-content/uploads/banner.webp", "home-address"): binary(
        image("WEBP", exif=exif(description="7 Heron Way").tobytes()), "image/webp"
    ),
    ("/wp-content/uploads/scan.tif", "phone"): binary(
        image("TIFF", tiffinfo={0x013B: "07700 900456"}), "image/tiff"
    ),
    ("/wp-content/uploads/iptc.jpg", "home-address"): binary(
        jpeg_with_app(b"\xff\xed", iptc_block({120: "Tea at 7 Heron Way"})), "image/jpeg"
    ),
    ("/docs/form.pdf", "email"): binary(pdf(form_field), "application/pdf"),
    ("/docs/notes.pdf", "home-address"): binary(
        pdf(lambda w: w.add_annotation(0, Text(rect=(1, 1, 9, 9), text="at 7 Heron Way"))),
        "application/pdf",
    ),
    ("/docs/pack.pdf", "phone"): binary(
        pdf(lambda w: w.add_attachment("me.vcf", b"BEGIN:VCARD\r\nTEL:07700900456\r\nEND:VCARD")),
        "application/pdf",
    ),
}
DECOYS: dict[str, Response] = {
    "/office-widget": wp(
        "Office",
        '<div data-address="22 High Street, Oakbury OK3 1AB" data-lat="51.7752" '
        'data-lng="-1.2501"></div><script>L.marker([51.7752, -1.2501])</script>',  # ~2.8 km
    ),
    "/far-leaflet": wp("Far", "<script>L.map('m').setView([53.4808, -2.2426], 12)</script>"),
    # Longitude first: read as [lat, lng] this would be the home.
    "/mapbox-order": wp("Box", "<script>new mapboxgl.Map({center: [51.75, -1.25]})</script>"),
    "/neighbours": wp("N", "<!-- thanks to 17 Heron Way and 7a Heron Way --><p>Thanks!</p>"),
    "/events/office.ics": binary(_calendar("22 High Street, Oakbury OK3 1AB"), "text/calendar"),
    "/namesake.vcf": binary(NAMESAKE.encode(), "text/vcard"),
    "/wp-content/uploads/far-xmp.jpg": binary(
        jpeg_with_app(b"\xff\xe1", APP1 + xmp()), "image/jpeg"
    ),
    "/wp-content/uploads/town.jpg": binary(
        jpeg(exif(description="Oakbury market day")), "image/jpeg"
    ),
    "/downloads/others.csv": binary(b"who,tel\r\nKit,07700 900457\r\n", "text/csv"),
    "/cf-campaign": wp(
        "C", f'<span data-cfemail="{cf("hello@vote-rowan.example")}">[email protected]</span>'
    ),
}


# Pages no link reaches: only what the crawl reads beside the links finds them (issue 15).
# robots.txt's Disallow lines, the WordPress REST API (users, unpublished and unlinked pages and
# posts), ?author=N archives, and an index of indexes ending in gzipped sitemaps. Each has a
# decoy beside it; REACH_BESIDE says which kinds each address may show, and no other.
ROOT = f"https://{SITE}"
ROBOTS = (
    "User-agent: *\nDisallow: /wp-admin/\nAllow: /wp-admin/admin-ajax.php\n"
    "Disallow: /members-only/\nDisallow: /office-private/\n"
    f"Sitemap: {ROOT}/sitemap_index.xml\n"
)
USERS = [
    {"id": 1, "name": "Kit Agent", "slug": "kit-agent", "link": f"{ROOT}/author/kit/",
     "url": "https://www.google.com/maps/place/22+High+Street,+Oakbury/@51.7752,-1.2501,17z",
     "description": "Election agent. The office: 22 High Street, Oakbury OK3 1AB."},
    {"id": 2, "name": "Rowan Example", "slug": "rowan", "link": f"{ROOT}/author/rowan/",
     "url": "https://www.google.com/maps/@51.75004,-1.25003,18z",  # the home, read from `url`
     "description": "Ring me any time on 07700 900456."},
]  # fmt: skip
PAGES = [
    {"id": 10, "status": "publish", "link": f"{ROOT}/old-surgery/",
     "title": {"rendered": "Old surgery"}, "content": {"rendered": "<p>Gone</p>"}},
    {"id": 11, "status": "publish", "link": f"{ROOT}/office-hours/",
     "title": {"rendered": "Office"}, "content": {"rendered": "<p>Office</p>"}},
    {"id": 12, "status": "draft", "link": f"{ROOT}/?page_id=12",
     "title": {"rendered": "Find me (draft)"},
     "content": {"rendered": '<iframe src="https://www.openstreetmap.org/export/embed.html?'
                 'bbox=-1.26%2C51.74%2C-1.24%2C51.76&amp;marker=51.75002%2C-1.25003"></iframe>'}},
    {"id": 13, "status": "draft", "link": f"{ROOT}/?page_id=13",
     "title": {"rendered": "Thanks (draft)"},
     "content": {"rendered": "<p>Thanks to 17 Heron Way and the office, 22 High Street, "
                 "Oakbury OK3 1AB.</p>"}},
]  # fmt: skip
POSTS = [
    {"id": 20, "status": "private", "link": f"{ROOT}/?p=20", "title": {"rendered": "Notes"},
     "content": {"rendered": '<p>Write to <a href="mailto:rowan.private%40example.org">me</a>'
                 "</p>"}},
    {"id": 21, "status": "publish", "link": f"{ROOT}/news/office-open/",
     "title": {"rendered": "Office open"}, "content": {"rendered": "<p>Open</p>"}},
]  # fmt: skip
ARCHIVE = f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\
<url><loc>{ROOT}/archive/2019-leaflet/</loc></url><url><loc>{ROOT}/archive/2019-office/</loc>\
</url></urlset>'


def sitemap_index(*paths: str) -> str:
    locs = "".join(f"<sitemap><loc>{ROOT}{p}</loc></sitemap>" for p in paths)
    return f'<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{locs}</sitemapindex>'


def gzipped(body: str) -> Response:
    return binary(gzip.compress(body.encode()), "application/x-gzip")


REACH: dict[tuple[str, str], Response] = {
    ("/members-only/", "home-address"): wp("Members", "<p>Volunteers meet at 7 Heron Way.</p>"),
    ("/wp-json/wp/v2/users", "phone"): json_response(USERS),
    ("/wp-json/wp/v2/users", "map-location"): json_response(USERS),
    ("/old-surgery/", "home-address"): wp("Old surgery", "<p>Surgery at 7 Heron Way</p>"),
    ("/wp-json/wp/v2/pages", "map-location"): json_response(PAGES),
    ("/wp-json/wp/v2/posts", "email"): json_response(POSTS),
    ("/?author=3", "postcode"): wp("Posts by Rowan", "<p>Rowan, Oakbury OK3 9XY</p>"),
    ("/archive/2019-leaflet/", "phone"): wp("2019", "<p>Call 07700 900456</p>"),
}
REACH_DECOYS: dict[str, Response] = {
    "/office-private/": wp("Office", "<p>22 High Street, Oakbury OK3 1AB</p>"),
    "/office-hours/": wp("Office", "<p>At 22 High Street, Oakbury OK3 1AB</p>"),
    "/news/office-open/": wp("Open", "<p>Now open: 22 High Street, Oakbury OK3 1AB</p>"),
    "/author/kit/": wp("Posts by Kit", "<p>Kit Agent, 22 High Street, Oakbury OK3 1AB</p>"),
    "/archive/2019-office/": wp("2019", "<p>Call the office on 01632 960000</p>"),
}
REACH_BESIDE = {path: {k for p, k in REACH if p == path} for path, _kind in REACH}
SITEMAPS: dict[str, Response] = {
    "/sitemap_index.xml": Response(
        200, (("Content-Type", "application/xml"),), sitemap_index("/sm/archive.xml.gz").encode()
    ),
    "/sm/archive.xml.gz": gzipped(sitemap_index("/sm/2019.xml.gz")),
    "/sm/2019.xml.gz": gzipped(ARCHIVE),
}


def front(request: Request) -> Response:
    """The front page, and the author archives WordPress serves at ``/?author=N``: a user
    with published posts is redirected to their archive, one without is shown in place (and
    is not in the users API, which lists only authors with published posts)."""
    author = request.query.removeprefix("author=") if request.query.startswith("author=") else ""
    if author == "1":
        return Response(301, (("Location", f"{ROOT}/author/kit/"), ("Content-Length", "0")))
    if author == "2":
        return Response(301, (("Location", f"{ROOT}/author/rowan/"), ("Content-Length", "0")))
    if author == "3":
        return REACH[("/?author=3", "postcode")]
    if author:
        return html("<h1>Not found</h1>", 404)
    return front_page()


def front_page() -> Response:
    paths = [path for path, _kind in LEAKS] + list(DECOYS)
    links = "".join(f'<a href="{p}">{p.rsplit("/", 1)[-1]}</a>' for p in paths)
    images = "".join(f'<img src="{p}" alt="">' for p in paths if "/uploads/" in p)
    return wp(
        "Rowan for Oakbury", f"<p>Write to 22 High Street, Oakbury OK3 1AB.</p>{links}{images}"
    )


async def scan(tmp_path: Path) -> dict[str, Any]:
    async with DnsServer([ZONE]) as dns, WebServer(hostnames=[SITE]) as web:
        web.route(SITE, "/", front)
        web.route(SITE, "/robots.txt", text(ROBOTS))
        web.route(SITE, "/author/rowan/", wp("Posts by Rowan", "<p>Rowan's posts</p>"))
        for (path, _kind), response in REACH.items():
            if not path.startswith("/?"):
                web.route(SITE, path, response)
        for path, response in {**REACH_DECOYS, **SITEMAPS}.items():
            web.route(SITE, path, response)
        for (path, _kind), response in LEAKS.items():
            web.route(SITE, path, response)
        for path, response in DECOYS.items():
            web.route(SITE, path, response)
        profile = tmp_path / "profile.toml"
        profile.write_text(PROFILE)
        profile.chmod(0o600)
        ca = tmp_path / "ca.pem"
        ca.write_text(web.ca_pem)
        child = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "auditor", "scan", "--profile", str(profile),
            "--select", "exposure", "--format", "json", "-q", "--no-save",
            "--nameserver", f"127.0.0.1:{dns.port}",
            "--connect-to", f"{SITE}:443:127.0.0.1:{web.https_port}",
            "--connect-to", f"{SITE}:80:127.0.0.1:{web.http_port}",
            "--ca-file", str(ca), "--timeout", "3",
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
            stdin=asyncio.subprocess.DEVNULL,
            env={**os.environ, "XDG_DATA_HOME": str(tmp_path / "data")},
        )  # fmt: skip
        stdout, stderr = await asyncio.wait_for(child.communicate(), 600)
    assert child.returncode in (0, 1), stderr.decode()
    assert b"Traceback" not in stderr and b"Warning" not in stderr, stderr.decode()
    report: dict[str, Any] = json.loads(stdout)
    return report


def where(location: str) -> str:
    """A finding's URL path, with the query where it names the page (``/?author=3``)."""
    parts = urlsplit(location)
    return f"{parts.path}?{parts.query}" if parts.query.startswith("author=") else parts.path


async def test_every_leak_is_found_and_every_decoy_is_clean(tmp_path: Path) -> None:
    report = await scan(tmp_path)
    findings = [f for r in report["results"] for f in r["findings"]]
    problems = {
        (where(f["location"]), f["kind"])
        for f in findings
        if f["status"] in ("fail", "warn") and urlsplit(f["location"]).netloc == SITE
    }
    leaks = set(LEAKS) | set(REACH)
    found = leaks & problems
    flagged = {path for path, _kind in problems} & (set(DECOYS) | set(REACH_DECOYS))
    assert found == leaks, f"missed: {sorted(leaks - found)}"
    assert not flagged, sorted(p for p in problems if p[0] in flagged)
    # Beside each leak reached only through robots.txt, the API, an archive or a sitemap, a
    # decoy (the office, a neighbour, the agent) that must add no other kind there.
    for path, kinds in REACH_BESIDE.items():
        assert {k for p, k in problems if p == path} == kinds, path
    assert len(leaks) >= 38 and len(DECOYS) + len(REACH_DECOYS) == 15
    text = json.dumps(report)
    for secret in ("Heron Way", "OK3 9XY", "900456", EMAIL):
        assert secret not in text  # masked in the JSON report
