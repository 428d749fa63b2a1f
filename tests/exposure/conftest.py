"""The exposure corpus: a fictional candidate's sites, built in code and served on loopback by
the project's own DNS and HTTPS servers, with planted leaks and decoys.

Every planted leak is (check id, URL path, finding kind); every decoy is a path where no
exposure check may report a problem. docs/exposure-precision.md describes them.
"""

from __future__ import annotations

import io
import json
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from types import ModuleType

import pytest
from PIL import Image, PngImagePlugin
from pypdf import PageObject, PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

from auditor.demo.dns_server import DnsServer
from auditor.demo.web_server import Response, WebServer, html, redirect, text
from auditor.net.connect import ConnectRule
from auditor.net.dns import Nameserver
from auditor.profile import Address, Profile
from auditor.services import AuditOptions, Services

SITE = "www.leaks.example"
COUNCIL = "www.council.example"
HOME = Address(("Flat 3", "12 Acacia Avenue", "Ashcombe"), "AB1 2CD", 51.501000, -0.142000)
OFFICE = Address(("40 Acacia Avenue", "Ashcombe"), "AB1 2CE", label="party office")
PO_BOX = Address(("PO Box 77", "Ashcombe"), "AB9 9ZZ", label="PO box")
PHONE = "+447700900123"
EMAIL = "alex.home@example.net"
# Everything about the person that must never leave the auditor.
SECRETS = (
    "Acacia",
    "AB1 2CD",
    "AB12CD",
    "AB1+2CD",
    "7700900123",
    "7700 900123",
    EMAIL,
    "alex.home",
)

ZONE = """
$ORIGIN leaks.example.
$TTL 300
@       SOA ns1 hostmaster 1 7200 3600 1209600 300
@       NS  ns1
ns1     A   127.0.0.1
www     A   127.0.0.1
public  A   81.2.69.142
inside  A   127.0.0.1
rdap    A   127.0.0.1
api     A   127.0.0.1
"""
COUNCIL_ZONE = """
$ORIGIN council.example.
$TTL 300
@   SOA ns1.leaks.example. hostmaster.leaks.example. 1 7200 3600 1209600 300
@   NS  ns1.leaks.example.
www A   127.0.0.1
"""


def helvetica_page(writer: PdfWriter) -> PageObject:
    """A blank US Letter page added to ``writer`` whose text can use /F1 (Helvetica)."""
    page = writer.add_blank_page(612, 792)
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
        }
    )
    fonts = DictionaryObject({NameObject("/F1"): writer._add_object(font)})
    page[NameObject("/Resources")] = DictionaryObject({NameObject("/Font"): fonts})
    return page


def make_pdf(lines: list[str], metadata: dict[str, str] | None = None) -> bytes:
    """A one-page PDF whose text pypdf can extract, with optional document information."""
    writer = PdfWriter()
    page = helvetica_page(writer)
    operations = ["BT /F1 12 Tf 72 720 Td 14 TL"]
    for line in lines:
        escaped = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        operations.append(f"({escaped}) Tj T*")
    operations.append("ET")
    stream = DecodedStreamObject()
    stream.set_data("\n".join(operations).encode("latin-1"))
    page[NameObject("/Contents")] = writer._add_object(stream)
    if metadata:
        writer.add_metadata(metadata)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _dms(value: float) -> tuple[float, float, float]:
    value = abs(value)
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = round(((value - degrees) * 60 - minutes) * 60, 4)
    return (float(degrees), float(minutes), seconds)


def make_jpeg(lat: float | None = None, lon: float | None = None, xmp: bool = False) -> bytes:
    """A tiny JPEG, with the position in EXIF GPS tags (or in XMP when ``xmp``)."""
    image = Image.new("RGB", (8, 8), (200, 120, 40))
    buffer = io.BytesIO()
    if lat is None or lon is None:
        image.save(buffer, "JPEG")
    elif xmp:
        lat_text = f"{int(abs(lat))},{(abs(lat) % 1) * 60:.4f}{'N' if lat >= 0 else 'S'}"
        lon_text = f"{int(abs(lon))},{(abs(lon) % 1) * 60:.4f}{'E' if lon >= 0 else 'W'}"
        packet = (
            '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/'
            '02/22-rdf-syntax-ns#"><rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/"'
            f' exif:GPSLatitude="{lat_text}" exif:GPSLongitude="{lon_text}"/></rdf:RDF>'
            "</x:xmpmeta>"
        )
        # The XMP APP1 segment is written by hand: Pillow's JPEG writer takes xmp= only
        # from 11.0, and the declared floor is older.
        image.save(buffer, "JPEG")
        body = b"http://ns.adobe.com/xap/1.0/\x00" + packet.encode()
        jpeg = buffer.getvalue()
        segment = b"\xff\xe1" + (len(body) + 2).to_bytes(2, "big") + body
        return jpeg[:2] + segment + jpeg[2:]
    else:
        exif = Image.Exif()
        # Assigned whole: with Pillow 10 and 11.0 the dict from get_ifd() is a copy.
        exif[0x8825] = {
            1: "N" if lat >= 0 else "S",
            2: _dms(lat),
            3: "E" if lon >= 0 else "W",
            4: _dms(lon),
        }
        image.save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


def page(title: str, body: str, head: str = "") -> Response:
    return html(
        f"<!doctype html><html><head><title>{title}</title>{head}</head>"
        f'<body><nav><a href="/">Home</a></nav><main>{body}</main></body></html>'
    )


def binary(data: bytes, content_type: str) -> Response:
    return Response(200, (("Content-Type", content_type),), data)


JSON_LD = json.dumps(
    {
        "@context": "https://schema.org",
        "@type": "Person",
        "name": "Alex Example",
        "address": {
            "@type": "PostalAddress",
            "streetAddress": "12 Acacia Avenue",
            "addressLocality": "Ashcombe",
            "postalCode": "AB1 2CD",
        },
    }
)

SITE_PAGES: dict[str, Response] = {
    # Decoy: the party office, PO box and an office imprint; look-alike emails.
    "/": page(
        "Alex Example for Ashcombe",
        "<p>Write to our office: 40 Acacia Avenue, Ashcombe AB1 2CE, or PO Box 77, Ashcombe"
        " AB9 9ZZ. Email campaign@leaks.example (not alex.home@example.net.uk).</p>"
        '<ul><li><a href="/about">About Alex</a></li><li><a href="/about#values">Values</a>'
        '</li><li><a href="/contact">Contact</a></li><li><a href="/events">Events</a></li>'
        '<li><a href="/team">Team</a></li><li><a href="/volunteer">Volunteer</a></li>'
        '<li><a href="/news/garden-party">Garden party</a></li><li><a href="/join">Join</a>'
        '</li><li><a href="/directions">Directions</a></li><li><a href="/where">Where</a>'
        '</li><li><a href="/neighbours">Thanks</a></li><li><a href="/far-map">Map</a></li>'
        '<li><a href="/docs/minutes.pdf">Minutes</a></li><li><a href="/docs/leaflet.pdf">'
        'Leaflet</a></li><li><a href="/docs/agenda.pdf">Agenda</a></li>'
        '<li><a href="/contact.vcf">Card</a></li><li><a href="/gone">Old page</a></li>'
        '<li><a href="mailto:campaign@leaks.example">Mail</a></li>'
        '<li><a href="javascript:void(0)">Menu</a></li></ul>'
        '<img src="/img/plain.jpg" alt="Alex on the campaign trail">'
        "<footer>Promoted by Sam Agent on behalf of Alex Example, both at 40 Acacia Avenue,"
        " Ashcombe AB1 2CE.</footer>",
    ),
    # Leak: split across elements, abbreviated street type.
    "/about": page(
        "About",
        "<p>Alex lives at</p><p><span>12</span><span>Acacia</span> <span>Ave.</span><br>"
        "Ashcombe</p>",
    ),
    # Leaks: obfuscated personal email, tel: link with the personal number.
    "/contact": page(
        "Contact",
        "<p>Email me: alex.home [at] example [dot] net</p>"
        '<p><a href="tel:07700900123">Call Alex</a></p>',
    ),
    # Leak: a Google Maps embed pinned about 30 m from the home.
    "/events": page(
        "Events",
        '<iframe src="https://www.google.com/maps/embed?pb=!1m18!1m12!2d-0.14210!3d51.50120'
        '!2m3!1f0"></iframe>',
    ),
    # Leak: JSON-LD Person with a PostalAddress.
    "/team": page(
        "Team",
        "<p>Our candidate.</p>",
        f'<script type="application/ld+json">{JSON_LD}</script>',
    ),
    # Leak (medium): the street's name alone.
    "/volunteer": page("Volunteer", "<p>We are canvassing Acacia Avenue on Saturday.</p>"),
    # Leak: in an image's alt text, flat form.
    "/news/garden-party": page(
        "Garden party",
        '<img src="/img/garden.jpg" alt="Garden party at Flat 3, 12 Acacia Avenue">'
        '<img src="/img/holiday.jpg" alt="On holiday"><img src="/img/doorstep.jpg" alt="x">',
    ),
    # Leak: an imprint giving the home address (also a home-address on the page).
    "/join": page(
        "Join",
        "<p>Join us!</p><footer>Promoted by Alex Example, of 12 Acacia Avenue, Ashcombe,"
        " AB1 2CD.</footer>",
    ),
    # Leak: microdata with the home postcode (lower case, no space) and a town.
    "/directions": page(
        "Directions",
        '<div itemscope itemtype="https://schema.org/PostalAddress">'
        '<span itemprop="addressLocality">Ashcombe</span>'
        '<meta itemprop="postalCode" content="ab12cd"></div>',
    ),
    # Leak (high): an OpenStreetMap link about 1 km from the home.
    "/where": page(
        "Where",
        '<a href="https://www.openstreetmap.org/?mlat=51.5100&amp;mlon=-0.1420">Find us</a>',
    ),
    # Decoy: neighbours' houses, another flat, look-alike phones and postcodes.
    "/neighbours": page(
        "Thanks",
        "<p>Thanks to the residents of 14 Acacia Avenue, 112 Acacia Avenue, 12a Acacia Avenue"
        " and Flat 5, 12 Acacia Avenue; to 07700 900124 and 01632 960123; to AB1 2CE and AB12"
        " 2CD; and to xalex.home@example.net for the leaflets.</p>",
    ),
    # Decoy: maps far from the home.
    "/far-map": page(
        "Map",
        '<a href="https://www.openstreetmap.org/?mlat=55.9533&amp;mlon=-3.1883#map=17/55.9533/'
        '-3.1883">Edinburgh</a><a href="https://www.google.com/maps/@53.4808,-2.2426,15z">'
        "Manchester</a>",
    ),
    # Leak: the postcode, on a page only the sitemap knows.
    "/archive/2019-letter": page("Letter", "<p>Replies to Ashcombe ab12cd please.</p>"),
    "/gone": redirect("/really-gone", 302),
    "/robots.txt": text("User-agent: *\nDisallow: /archive/\nSitemap: /sitemap-index.xml\n"),
    "/sitemap-index.xml": text(
        '<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        "<sitemap><loc>https://www.leaks.example/sitemap-pages.xml</loc></sitemap>"
        "</sitemapindex>",
        content_type="application/xml",
    ),
    "/sitemap-pages.xml": text(
        '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        "<url><loc>https://www.leaks.example/</loc></url>"
        "<url><loc>https://www.leaks.example/archive/2019-letter</loc></url></urlset>",
        content_type="application/xml",
    ),
    "/contact.vcf": text(
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Alex Example\r\nTEL;TYPE=home:07700 900123\r\n"
        "END:VCARD\r\n",
        content_type="text/vcard",
    ),
    # Leak: the home address in a PDF's text.
    "/docs/minutes.pdf": binary(
        make_pdf(["Minutes of the committee", "Held at 12 Acacia Avenue, Ashcombe."]),
        "application/pdf",
    ),
    # Leaks: an imprint with the home address in the text; the postcode in the metadata.
    "/docs/leaflet.pdf": binary(
        make_pdf(
            ["Vote Alex!", "Printed and published by Alex Example, 12 Acacia Avenue, AB1 2CD."],
            {"/Author": "Alex Example", "/Keywords": "leaflet ab1 2cd"},
        ),
        "application/pdf",
    ),
    # Decoy: an office imprint in a PDF.
    "/docs/agenda.pdf": binary(
        make_pdf(["Agenda", "Promoted by Sam Agent, 40 Acacia Avenue, Ashcombe AB1 2CE."]),
        "application/pdf",
    ),
    "/img/plain.jpg": binary(make_jpeg(), "image/jpeg"),  # decoy: no GPS
    "/img/garden.jpg": binary(make_jpeg(51.50105, -0.14205), "image/jpeg"),  # ~6 m: critical
    "/img/doorstep.jpg": binary(make_jpeg(51.5011, -0.1421, xmp=True), "image/jpeg"),  # XMP
    "/img/holiday.jpg": binary(make_jpeg(28.2916, -16.6291), "image/jpeg"),  # decoy: far away
}
# Hidden places on a page (issue 15): page-builder drafts, widget settings, scripts.
CF_EMAIL = "a5" + bytes(b ^ 0xA5 for b in EMAIL.encode()).hex()
HIDDEN_PAGES: dict[str, Response] = {
    # Leak: a page builder's old draft in an HTML comment.
    "/hidden/draft": page(
        "Draft",
        "<p>Welcome.</p><!-- wp:paragraph --><!-- <p>Drop in at 12 Acacia Avenue</p> -->",
    ),
    # Leak: the personal phone only in a <noscript> fallback.
    "/hidden/noscript": page(
        "Call", "<noscript><p>Call Alex on 07700 900123</p></noscript><p>Loading…</p>"
    ),
    # Leak: the postcode only in a <template> kept by a page builder.
    "/hidden/template": page("Template", "<template><div>Ashcombe AB1 2CD</div></template>"),
    # Leaks: a contact widget's data-* address; a Leaflet pin ~15 m from the home.
    "/hidden/map-widget": page(
        "Find us",
        '<div class="wpgmza" data-address="12 Acacia Avenue, Ashcombe"></div>'
        "<script>var map = L.map('m').setView([51.5, -0.1], 12);"
        "L.marker([51.50112, -0.14205]).addTo(map);</script>",
    ),
    # Decoy: the office address in a map widget, its pin ~3 km away (Mapbox: lng first).
    "/hidden/office-map": page(
        "Office",
        '<div data-address="40 Acacia Avenue, Ashcombe AB1 2CE" data-lat="51.52"></div>'
        "<script>new mapboxgl.Map({container: 'm', center: [-0.1420, 51.5280]});</script>",
    ),
    # Leak: wp_localize_script plugin settings with the personal email (JSON-escaped).
    "/hidden/plugin": page(
        "Plugin",
        '<script id="contact-js-extra">var contactSettings = {"to":"alex.home\\u0040'
        'example.net","ajaxurl":"https:\\/\\/www.leaks.example\\/wp-admin"};</script>',
    ),
    # Leak: Next.js page data with the home address.
    "/hidden/next": page(
        "Next",
        '<script id="__NEXT_DATA__" type="application/json">{"props":{"pageProps":'
        '{"office":{"street":"12 Acacia Avenue","town":"Ashcombe"}}}}</script>',
    ),
    # Leak: Cloudflare email protection.
    "/hidden/cloudflare": page(
        "Email",
        f'<a href="/cdn-cgi/l/email-protection#{CF_EMAIL}"><span class="__cf_email__" '
        f'data-cfemail="{CF_EMAIL}">[email&#160;protected]</span></a>',
    ),
    # Leak: an OpenStreetMap embed with a marker ~10 m from the home.
    "/hidden/osm": page(
        "Map",
        '<iframe src="https://www.openstreetmap.org/export/embed.html?bbox=-0.15%2C51.49%2C'
        '-0.13%2C51.51&amp;layer=mapnik&amp;marker=51.50105%2C-0.14210"></iframe>',
    ),
}


def _calendar(location: str, geo: tuple[float, float] | None = None) -> bytes:
    import datetime

    import icalendar

    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//The Events Calendar//Campaign//EN")
    calendar.add("version", "2.0")
    event = icalendar.Event()
    event.add("uid", "surgery-1@www.leaks.example")
    event.add("dtstart", datetime.datetime(2026, 5, 1, 10))
    event.add("summary", "Constituency surgery")
    event.add("location", location)
    if geo:
        event.add("geo", geo)
    calendar.add_component(event)
    return bytes(calendar.to_ical())


def _namesake_card() -> bytes:
    import vobject  # type: ignore[import-untyped]

    card = vobject.vCard()
    card.add("fn").value = "Alex Example"
    card.add("n").value = vobject.vcard.Name(family="Example", given="Alex")
    card.add("adr").value = vobject.vcard.Address(
        street="7 Birch Road", city="Leeds", code="LS1 1AA"
    )
    card.add("tel").value = "07700 900999"
    return str(card.serialize()).encode()


def _file_responses() -> dict[str, Response]:
    from tests.exposure.test_pdf_parts import XMP as PDF_XMP
    from tests.exposure.test_photo_text import exif, heic, jpeg_with_app, xmp

    app1 = b"http://ns.adobe.com/xap/1.0/\x00"
    caption = io.BytesIO()
    Image.new("RGB", (8, 8)).save(
        caption, "JPEG", exif=exif(description="Our garden, 12 Acacia Avenue")
    )
    png_info = PngImagePlugin.PngInfo()
    png_info.add_itxt(
        "XML:com.adobe.xmp", xmp(description="Posters from Ashcombe AB1 2CD").decode()
    )
    poster = io.BytesIO()
    Image.new("RGB", (8, 8)).save(poster, "PNG", pnginfo=png_info)
    banner = io.BytesIO()
    webp_tags = Image.Exif()
    webp_tags[0x9C9C] = EMAIL.encode("utf-16-le") + b"\x00\x00"
    Image.new("RGB", (8, 8)).save(banner, "WEBP", exif=webp_tags.tobytes())
    scan = io.BytesIO()
    Image.new("RGB", (8, 8)).save(
        scan, "TIFF", tiffinfo={0x010E: "Scanned at Flat 3, 12 Acacia Avenue"}
    )
    phone_tags = Image.Exif()
    phone_tags[0x8825] = {1: "N", 2: (51.0, 30.0, 3.7), 3: "W", 4: (0.0, 8.0, 31.3)}  # ~5 m
    form = PdfWriter()
    form.add_blank_page(200, 200)
    form.add_attachment("contact.vcf", b"BEGIN:VCARD\r\nTEL:07700 900123\r\nEND:VCARD\r\n")
    metadata = DecodedStreamObject()
    metadata.set_data(PDF_XMP)
    metadata[NameObject("/Type")] = NameObject("/Metadata")
    metadata[NameObject("/Subtype")] = NameObject("/XML")
    form._root_object[NameObject("/Metadata")] = form._add_object(metadata)
    form_pdf = io.BytesIO()
    form.write(form_pdf)
    return {
        "/files/surgery.ics": binary(
            _calendar("Flat 3, 12 Acacia Avenue, Ashcombe", (51.5011, -0.1421)), "text/calendar"
        ),
        "/files/office-hours.ics": binary(
            _calendar("Party office, 40 Acacia Avenue, Ashcombe AB1 2CE"), "text/calendar"
        ),  # decoy
        "/files/namesake.vcf": binary(_namesake_card(), "text/vcard"),  # decoy
        "/files/volunteers.csv": binary(
            b"name,phone\r\nAlex,07700 900123\r\nSam,01632 960123\r\n", "text/csv"
        ),
        "/files/settings.json": binary(
            json.dumps({"contact": {"email": EMAIL}}).encode(), "application/json"
        ),
        "/files/notes.txt": binary(b"Deliveries: Ashcombe ab1 2cd", "text/plain"),
        "/img/caption.jpg": binary(caption.getvalue(), "image/jpeg"),
        "/img/lightroom.jpg": binary(
            jpeg_with_app(b"\xff\xe1", app1 + xmp(phone="+44 7700 900123")), "image/jpeg"
        ),
        "/img/far-xmp.jpg": binary(jpeg_with_app(b"\xff\xe1", app1 + xmp()), "image/jpeg"),  # decoy
        "/img/poster.png": binary(poster.getvalue(), "image/png"),
        "/img/banner.webp": binary(banner.getvalue(), "image/webp"),
        "/img/scan.tif": binary(scan.getvalue(), "image/tiff"),
        "/img/iphone.heic": binary(heic(b"\x00\x00\x00\x06" + phone_tags.tobytes()), "image/heic"),
        "/docs/pack.pdf": binary(form_pdf.getvalue(), "application/pdf"),
    }


FILES = _file_responses()
SITE_PAGES.update(HIDDEN_PAGES)
SITE_PAGES.update(FILES)
SITE_PAGES["/"] = page(
    "Alex Example for Ashcombe",
    SITE_PAGES["/"].body.decode().split("<main>", 1)[1].split("</main>", 1)[0]
    + "".join(f'<a href="{path}">{path}</a>' for path in (*HIDDEN_PAGES, *FILES)),
)

COUNCIL_PAGES: dict[str, Response] = {
    "/councillors/alex": page("Cllr Alex Example", "<p>Phone: +44 (0)7700 900 123</p>"),
}

PLANTED: frozenset[tuple[str, str, str]] = frozenset(
    {
        ("exposure.pages", "/about", "home-address"),
        ("exposure.pages", "/contact", "email"),
        ("exposure.pages", "/contact", "phone"),
        ("exposure.pages", "/events", "map-location"),
        ("exposure.pages", "/team", "home-address"),
        ("exposure.pages", "/volunteer", "street"),
        ("exposure.pages", "/news/garden-party", "home-address"),
        ("exposure.pages", "/join", "home-address"),
        ("exposure.pages", "/directions", "postcode"),
        ("exposure.pages", "/where", "map-location"),
        ("exposure.pages", "/archive/2019-letter", "postcode"),
        ("exposure.pages", "/contact.vcf", "phone"),
        ("exposure.pages", "/councillors/alex", "phone"),
        ("exposure.documents", "/docs/minutes.pdf", "home-address"),
        ("exposure.documents", "/docs/leaflet.pdf", "home-address"),
        ("exposure.documents", "/docs/leaflet.pdf", "postcode"),
        ("exposure.photos", "/img/garden.jpg", "gps-location"),
        ("exposure.photos", "/img/doorstep.jpg", "gps-location"),
        ("exposure.imprint", "/join", "imprint"),
        ("exposure.imprint", "/docs/leaflet.pdf", "imprint"),
        ("exposure.pages", "/hidden/draft", "home-address"),
        ("exposure.pages", "/hidden/noscript", "phone"),
        ("exposure.pages", "/hidden/template", "postcode"),
        ("exposure.pages", "/hidden/map-widget", "home-address"),
        ("exposure.pages", "/hidden/map-widget", "map-location"),
        ("exposure.pages", "/hidden/plugin", "email"),
        ("exposure.pages", "/hidden/next", "home-address"),
        ("exposure.pages", "/hidden/cloudflare", "email"),
        ("exposure.pages", "/hidden/osm", "map-location"),
        ("exposure.pages", "/files/surgery.ics", "home-address"),
        ("exposure.pages", "/files/surgery.ics", "map-location"),
        ("exposure.pages", "/files/volunteers.csv", "phone"),
        ("exposure.pages", "/files/settings.json", "email"),
        ("exposure.pages", "/files/notes.txt", "postcode"),
        ("exposure.photos", "/img/caption.jpg", "home-address"),
        ("exposure.photos", "/img/lightroom.jpg", "phone"),
        ("exposure.photos", "/img/poster.png", "postcode"),
        ("exposure.photos", "/img/banner.webp", "email"),
        ("exposure.photos", "/img/scan.tif", "home-address"),
        ("exposure.photos", "/img/iphone.heic", "gps-location"),
        ("exposure.documents", "/docs/pack.pdf", "phone"),
        ("exposure.documents", "/docs/pack.pdf", "home-address"),
    }
)
DECOYS: tuple[str, ...] = (
    "/",
    "/neighbours",
    "/far-map",
    "/docs/agenda.pdf",
    "/img/plain.jpg",
    "/img/holiday.jpg",  # GPS far from the home: says nothing about where the person lives
    "/hidden/office-map",
    "/files/office-hours.ics",
    "/files/namesake.vcf",
    "/img/far-xmp.jpg",
)


def corpus_profile(**changes: object) -> Profile:
    values: dict[str, object] = {
        "name": "Alex Example",
        "home_addresses": (HOME,),
        "phones": (PHONE,),
        "emails": (EMAIL,),
        "public_addresses": (OFFICE, PO_BOX),
        "websites": (f"https://{SITE}/",),
        "extra_pages": (f"https://{COUNCIL}/councillors/alex",),
    }
    values.update(changes)
    return Profile(**values)  # type: ignore[arg-type]


@dataclass
class World:
    dns: DnsServer
    web: WebServer
    options: dict[str, object] = field(default_factory=dict)

    def services(self, **overrides: object) -> Services:
        options: dict[str, object] = {
            "nameservers": (Nameserver("127.0.0.1", self.dns.port),),
            "dns_timeout": 0.5,
            "dns_attempts": 1,
            "connect_to": (
                ConnectRule("", 443, "127.0.0.1", self.web.https_port),
                ConnectRule("", 80, "127.0.0.1", self.web.http_port),
            ),
            "ca_pem": self.web.ca_pem,
            "http_timeout": 3.0,
        }
        options.update(overrides)
        return Services(AuditOptions(**options))  # type: ignore[arg-type]


@pytest.fixture
async def world() -> AsyncIterator[World]:
    async with DnsServer([ZONE, COUNCIL_ZONE]) as dns_server:
        names = [
            SITE,
            COUNCIL,
            *(f"{n}.leaks.example" for n in ("public", "inside", "rdap", "api")),
        ]
        async with WebServer(hostnames=names) as web:
            for path, response in SITE_PAGES.items():
                web.route(SITE, path, response)
            for path, response in COUNCIL_PAGES.items():
                web.route(COUNCIL, path, response)
            yield World(dns_server, web)


@pytest.fixture
def corpus() -> ModuleType:
    """This module: the corpus's pages, planted leaks, decoys and profile, for the tests."""
    return sys.modules[__name__]
