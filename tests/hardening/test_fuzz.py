"""Hostile input: every parser raises only its documented error, on bounded input, and
finishes; crafted backtracking inputs finish within a CPU budget; attacker-controlled text
reaches no report or terminal as live HTML, Markdown or escape sequences.

The default run gives each parser a modest number of examples; ``pytest -m fuzz`` runs the
same properties with 100,000+ generated inputs in total (see FUZZ_EXAMPLES).
"""

from __future__ import annotations

import gzip
import io
import json
import re
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditor.crawl import inflate_sitemap, page_links, robots_disallowed
from auditor.crawl import normalise_url as crawl_url
from auditor.demo import candidate as c
from auditor.demo.content.zones import DKIM_1024, DKIM_2048
from auditor.masking import compile_masker, mask_text
from auditor.net.domains import DomainError
from auditor.profile import ProfileError, parse_profile
from auditor.standards.accounts.otpauth import OtpauthError, lint_uri
from auditor.standards.content.calendar import extract_calendar
from auditor.standards.content.cards import extract_vcard
from auditor.standards.content.emails import cloudflare_email, reversed_emails
from auditor.standards.content.exif_gps import ImageUnreadable, read_gps, xmp_point
from auditor.standards.content.extract import extract_html, json_ld_texts, map_points
from auditor.standards.content.images import read_image, xmp_values
from auditor.standards.content.maps import script_points, what3words
from auditor.standards.content.pdf_text import PdfUnreadable, read_pdf
from auditor.standards.content.pipeline import extract
from auditor.standards.content.rdap_parse import RdapFormatError, parse_bootstrap, parse_domain
from auditor.standards.content.scripts import script_strings
from auditor.standards.content.textfiles import extract_text_file
from auditor.standards.email.bimi_record import BimiSyntaxError, parse_bimi
from auditor.standards.email.dkim_record import DkimSyntaxError, key_strength, parse_dkim_key
from auditor.standards.email.dmarc_record import DmarcSyntaxError, parse_dmarc
from auditor.standards.email.mta_sts_policy import MtaStsError, parse_policy, parse_sts_record
from auditor.standards.email.mx_records import parse_mx
from auditor.standards.email.spf_record import (
    SpfSyntaxError,
    expand,
    parse_macro_string,
    parse_record,
)
from auditor.standards.email.tls_rpt_record import TlsRptError, parse_tlsrpt
from auditor.standards.identity import identifiers
from auditor.standards.identity.imprint_text import find_imprints
from auditor.standards.identity.matchers import IdentityMatcher
from auditor.standards.search.brave import BraveProvider
from auditor.standards.search.providers import SearchAnswerMalformed
from auditor.standards.search.searxng import SearxngProvider
from auditor.standards.web.observatory import (
    parse_csp,
    parse_hsts,
    parse_set_cookie,
)
from auditor.standards.web.security_txt import parse_security_txt
from auditor.standards.web.site_apis import (
    is_squarespace,
    wordpress_api_root,
    wordpress_items,
    wordpress_total_answers,
    wordpress_users,
)
from auditor.standards.web.wayback import CdxMalformed, parse_cdx

QUICK_EXAMPLES = 40

# -- near-valid inputs: grammar pieces mixed with noise ------------------------------------


def assembled(prefix: str, pieces: list[str], sep: str, max_parts: int = 14) -> Any:
    noise = st.text(max_size=12)
    part = st.one_of(st.sampled_from(pieces), st.sampled_from(pieces), noise)
    joined = st.lists(part, max_size=max_parts).map(lambda parts: sep.join(parts))
    return st.one_of(
        st.text(max_size=400),
        joined.map(lambda body: prefix + body),
        st.tuples(st.sampled_from([prefix, prefix.upper(), prefix.strip(), ""]), joined).map(
            "".join
        ),
    )


SPF_TERMS = [
    "ip4:192.0.2.0/24", "ip6:2001:db8::/32", "a", "mx", "a:%{d}", "mx:example.com/24//64",
    "include:_spf.example.com", "exists:%{i}.%{l1r-}.example", "ptr", "ptr:%{d2}",
    "redirect=_spf.example", "exp=explain.%{d}", "-all", "~all", "?all", "+all",
    "%{ir}.%{v}._spf.%{d2}", "%%", "%_", "%-", "a/33", "ip4:999.1.1.1", "include:", "=",
    "%{", "}", "ip4:192.0.2.1/", "a//129", "%{l999r}", "include:%{o}.%{h}.%{c}.%{r}.%{t}",
]  # fmt: skip
DMARC_TAGS = [
    "p=reject", "p=quarantine", "sp=none", "pct=50", "pct=101", "pct=-1", "np=reject",
    "rua=mailto:a@b.example,mailto:c@d.example!10m", "ruf=mailto:x@y.example", "adkim=s",
    "aspf=r", "fo=1:d:s", "rf=afrf", "ri=86400", "psd=y", "t=y", "p=", "==", "rua=https://x",
    "rua=mailto:", "v=DMARC1", "rua=mailto:a@b.example!99999999999999999999g",
]  # fmt: skip
DKIM_TAGS = [
    "k=rsa", "k=ed25519", "h=sha256", "h=sha1:sha256", "t=y:s", "s=email", "n=notes",
    f"p={DKIM_1024}", f"p={DKIM_2048}", "p=", "p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQ",
    "p=AAAA", "p=====", "v=DKIM1", "g=*", "k=",
]  # fmt: skip
STS_FIELDS = ["id=20261101T000000", "id=", "id=" + "x" * 40, "v=STSv1", "ext=1", "=", "id=a b"]
STS_POLICY_LINES = [
    "version: STSv1", "mode: enforce", "mode: testing", "mode: none", "mode: bogus",
    "mx: *.example.com", "mx: mail.example.com", "mx: *.*.example", "mx: ", "max_age: 86400",
    "max_age: 99999999999999999999", "max_age: -1", "max_age: 1e9", "version: STSv2", ":", "",
]  # fmt: skip
TLSRPT_FIELDS = [
    "rua=mailto:a@b.example", "rua=https://r.example/report", "rua=mailto:a@b.example,https://x",
    "rua=", "rua=ftp://x", "rua=mailto:" + "a" * 300 + "@b.example", "v=TLSRPTv1", "=",
]  # fmt: skip
BIMI_TAGS = [
    "l=https://x.example/logo.svg", "a=https://x.example/vmc.pem", "l=", "a=", "avp=brand",
    "avp=personal", "l=http://x.example/logo.svg", "l=https://x.example/logo.png", "s=1",
]  # fmt: skip
OTPAUTH_PARTS = [
    "secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", "secret=JBSWY3DP", "secret=", "issuer=Example",
    "issuer=", "algorithm=SHA1", "algorithm=SHA512", "algorithm=MD5", "digits=6", "digits=8",
    "digits=99", "period=30", "period=0", "period=-5", "counter=1", "image=https://x",
    "secret=%00%ff", "issuer=%E2%80%AE", "digits=6&digits=8",
]  # fmt: skip


def otpauth_uris() -> Any:
    label = st.sampled_from(["Example:alex", "alex", "Example%3Aalex", "", ":", "a" * 300])
    kind = st.sampled_from(["totp", "hotp", "TOTP", "steam", ""])
    query = st.lists(st.sampled_from(OTPAUTH_PARTS) | st.text(max_size=10), max_size=8)
    built = st.tuples(kind, label, query).map(lambda t: f"otpauth://{t[0]}/{t[1]}?{'&'.join(t[2])}")
    return st.one_of(st.text(max_size=300), built, st.text(max_size=200).map("otpauth://".__add__))


PROFILE_LINES = [line for line in c.DEMO_PROFILE_TOML.splitlines() if line.strip()]


def profile_texts() -> Any:
    noise = st.sampled_from(
        ['phones = ["+44"]', "postcode = 12", "[[home]]", "lines = []", 'emails = ["@"]',
         "name = ''", '"""', "domains = ['..']", "websites = ['javascript:alert(1)']",
         "latitude = 1e999", "[[account]]", "twofa = 'carrier pigeon'", "a.b.c = 1"]
    )  # fmt: skip
    line = st.one_of(st.sampled_from(PROFILE_LINES), noise, st.text(max_size=30))
    mutated = st.lists(line, max_size=40).map("\n".join)
    return st.one_of(st.text(max_size=400), mutated)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=10), children, max_size=5)
    ),
    max_leaves=30,
)


def rdap_documents() -> Any:
    vcard_items = st.lists(
        st.sampled_from(
            [
                ["fn", {}, "text", "Alex Marlowe"],
                ["adr", {}, "text", ["", "", "14 Larkspur Crescent", "Fernbridge", "", "ZX4 7PN"]],
                ["tel", {"type": "voice"}, "uri", "tel:+447700900461"],
                ["email", {}, "text", "alex.marlowe@postbox.example"],
                ["adr", {"label": "REDACTED"}, "text", None],
                ["fn"],
                [],
                "vcard",
            ]
        )
        | json_values,
        max_size=6,
    )
    entity = st.fixed_dictionaries(
        {},
        optional={
            "roles": st.lists(st.sampled_from(["registrant", "admin", "tech", 5]), max_size=3)
            | json_values,
            "vcardArray": st.tuples(st.just("vcard"), vcard_items).map(list) | json_values,
            "entities": st.lists(json_values, max_size=2),
        },
    )
    domain = st.fixed_dictionaries(
        {"objectClassName": st.sampled_from(["domain", "entity", "x"])},
        optional={
            "ldhName": st.text(max_size=20),
            "entities": st.lists(entity, max_size=4) | json_values,
            "redacted": json_values,
            "remarks": json_values,
        },
    )
    bootstrap = st.fixed_dictionaries(
        {"services": st.lists(st.lists(json_values, max_size=3), max_size=4) | json_values}
    )
    return st.one_of(json_values, domain, bootstrap)


def wordpress_answers() -> Any:
    """Bytes a WordPress REST API (or a hostile server in its place) may answer with: users,
    pages and posts in near-valid shapes, any JSON, broken JSON, and raw bytes."""
    rendered = st.one_of(
        st.text(max_size=40),
        st.fixed_dictionaries({"rendered": st.text(max_size=40) | json_values}),
        json_values,
    )
    item = st.fixed_dictionaries(
        {},
        optional={
            "id": st.integers() | json_values,
            "name": rendered,
            "slug": st.sampled_from(["alex-marlowe-postbox-example", "jane-doegmail-com", ""])
            | st.text(max_size=40),
            "description": rendered,
            "url": st.sampled_from(["https://x.example/", "javascript:alert(1)", ""]) | rendered,
            "link": st.sampled_from(["https://www.alexmarlowe.example/?p=1", "//evil/"]) | rendered,
            "status": st.sampled_from(["publish", "draft", "private", None, 5]),
            "title": rendered,
            "content": rendered,
            "excerpt": rendered,
        },
    )
    documents = st.one_of(st.lists(item, max_size=6), json_values).map(
        lambda v: json.dumps(v).encode()
    )
    broken = documents.map(lambda b: b[: len(b) // 2])
    return st.one_of(documents, broken, st.binary(max_size=300), st.just(b"[" * 5000))


def cdx_documents() -> Any:
    header = st.one_of(
        st.just(["urlkey", "timestamp", "original", "mimetype", "statuscode", "digest", "length"]),
        st.lists(st.sampled_from(["timestamp", "original", "mimetype", "x"]), max_size=5),
        json_values,
    )
    value = st.one_of(
        st.sampled_from(["20240101000000", "2024", "", "²٣", "https://www.x.example/", "200"]),
        st.text(max_size=20),
        json_values,
    )
    rows = st.lists(st.lists(value, max_size=8) | json_values, max_size=6)
    return st.one_of(json_values, st.tuples(header, rows).map(lambda t: [t[0], *t[1]]))


def search_answers() -> Any:
    result = st.fixed_dictionaries(
        {},
        optional={
            "url": st.sampled_from(["https://x.example/a", "", "javascript:x"]) | json_values,
            "title": st.text(max_size=30) | json_values,
            "content": st.text(max_size=30) | json_values,
            "description": st.text(max_size=30) | json_values,
            "extra_snippets": st.lists(st.text(max_size=20) | json_values, max_size=8)
            | json_values,
        },
    )
    results = st.lists(result, max_size=5) | json_values
    searxng = st.fixed_dictionaries({}, optional={"results": results, "query": json_values})
    brave = st.fixed_dictionaries(
        {}, optional={"web": st.fixed_dictionaries({}, optional={"results": results}) | json_values}
    )
    return st.one_of(json_values, searxng, brave)


ROBOTS_PIECES = [
    "User-agent: *", "Disallow: /private/", "Disallow: /*.php", "Disallow: /drafts/*.pdf",
    "Disallow: /old$", "Disallow: /", "Disallow:", "disallow : /x # c", "Sitemap: /s.xml",
    "Disallow: https://elsewhere.example/x", "Disallow: //evil/", "Disallow: /%zz", "Allow: /",
    "Disallow: /" + "a" * 3000,
]  # fmt: skip


HTML_PIECES = [
    "<a href='tel:07700900461'>call</a>", "<a href='mailto:alex.marlowe@postbox.example'>",
    "<p>14 Larkspur Crescent, Pelham Green</p>", "ZX4 7PN", "<script>", "</script>",
    '<script type="application/ld+json">{"address":{"streetAddress":"14 Larkspur"}}</script>',
    '<script type="application/ld+json">[[[[', "<iframe src='https://maps.google.com/?q=52.04,-1.83'>",
    "<img src=x data-src='https://www.openstreetmap.org/#map=18/52.04/-1.83'>", "<!--", "-->",
    "<title>", "</title>", "<meta content='07700 900461' name=description>", "<![CDATA[", "&#0;",
    "&amp;", "<svg><style>", "<table><tr><td>", "<br/>", "<a href='javascript:alert(1)'>",
    "<div hidden>01632 960274</div>", "<noscript>", "<template>", "<base href='//evil/'>",
]  # fmt: skip


def html_documents() -> Any:
    part = st.one_of(st.sampled_from(HTML_PIECES), st.text(max_size=20))
    return st.one_of(st.text(max_size=500), st.lists(part, max_size=40).map("".join))


MATCH_PIECES = [
    "14", "Larkspur", "Crescent", "Cres", "Pelham", "Green", "Fernbridge", "ZX4", "7PN",
    "ZX47PN", "07700", "900461", "+44", "(0)", "7700", "01632", "960274", "alex.marlowe",
    "@", "postbox.example", " at ", " dot ", "16", ",", "\n", "Flat", "PO Box", "Promoted by",
    "Sam Okafor", "of", "on behalf of",
]  # fmt: skip


def matcher_texts() -> Any:
    part = st.one_of(st.sampled_from(MATCH_PIECES), st.text(max_size=8))
    spaced = st.lists(part, max_size=40).map(" ".join)
    tight = st.lists(part, max_size=40).map("".join)
    return st.one_of(st.text(max_size=500), spaced, tight)


def _small_pdf() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=72, height=72)
    writer.add_metadata({"/Author": "Alex Marlowe", "/Title": "14 Larkspur Crescent ZX4 7PN"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _small_jpeg() -> bytes:
    from PIL import Image

    image = Image.new("RGB", (8, 8), "white")
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (52.0, 2.0, 28.9), 3: "W", 4: (1.0, 49.0, 58.4)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def _rich_pdf() -> bytes:
    """A PDF with every hidden part the pipeline reads: a comment, a map link, a form field,
    an attached contact card and an XMP packet."""
    from pypdf import PdfWriter
    from pypdf.annotations import Link, Text
    from pypdf.generic import (
        ArrayObject,
        DecodedStreamObject,
        DictionaryObject,
        NameObject,
        NumberObject,
        TextStringObject,
    )

    writer = PdfWriter()
    writer.add_blank_page(width=72, height=72)
    writer.add_annotation(0, Text(rect=(1, 1, 9, 9), text="14 Larkspur Crescent"))
    writer.add_annotation(
        0, Link(rect=(1, 10, 9, 19), url="https://maps.google.com/?q=52.04,-1.83")
    )
    writer.add_attachment("card.vcf", b"BEGIN:VCARD\r\nTEL:07700 900461\r\nEND:VCARD\r\n")
    field = DictionaryObject(
        {
            NameObject("/FT"): NameObject("/Tx"),
            NameObject("/T"): TextStringObject("Address"),
            NameObject("/V"): TextStringObject("ZX4 7PN"),
            NameObject("/Rect"): ArrayObject([NumberObject(0)] * 4),
        }
    )
    writer._root_object[NameObject("/AcroForm")] = DictionaryObject(
        {NameObject("/Fields"): ArrayObject([writer._add_object(field)])}
    )
    packet = DecodedStreamObject()
    packet.set_data(XMP_SEED)
    packet[NameObject("/Type")] = NameObject("/Metadata")
    writer._root_object[NameObject("/Metadata")] = writer._add_object(packet)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


XMP_SEED = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF><rdf:Description photoshop:City="Pelham" '
    b'exif:GPSLatitude="52,2.48N" exif:GPSLongitude="1,49.97W"><dc:description><rdf:Alt>'
    b"<rdf:li>14 Larkspur Crescent</rdf:li></rdf:Alt></dc:description><Iptc4xmpCore:"
    b'CreatorContactInfo Iptc4xmpCore:CiTelWork="07700 900461"/></rdf:Description></rdf:RDF>'
    b"</x:xmpmeta>"
)


def _image_seeds() -> list[bytes]:
    from PIL import Image, PngImagePlugin

    exif = Image.Exif()
    exif[0x010E] = "14 Larkspur Crescent"
    exif[0x9C9C] = "ZX4 7PN".encode("utf-16-le") + b"\x00\x00"
    exif[0x8769] = {0x9286: b"ASCII\x00\x00\x0007700 900461"}
    exif[0x8825] = {1: "N", 2: (52.0, 2.0, 28.9), 3: "W", 4: (1.0, 49.0, 58.4)}
    seeds = []
    info = PngImagePlugin.PngInfo()
    info.add_itxt("XML:com.adobe.xmp", XMP_SEED.decode())
    saves: list[tuple[str, dict[str, Any]]] = [
        ("PNG", {"pnginfo": info, "exif": exif}),
        ("WEBP", {"xmp": XMP_SEED, "exif": exif.tobytes()}),
        ("TIFF", {"tiffinfo": {0x010E: "14 Larkspur Crescent", 700: XMP_SEED}}),
    ]
    for kind, extra in saves:
        out = io.BytesIO()
        Image.new("RGB", (4, 4)).save(out, kind, **extra)
        seeds.append(out.getvalue())
    out = io.BytesIO()
    Image.new("RGB", (4, 4)).save(out, "JPEG", exif=exif)
    jpeg = out.getvalue()
    app1 = b"http://ns.adobe.com/xap/1.0/\x00" + XMP_SEED
    iim = b"\x1c\x02\x78\x00\x14" + b"14 Larkspur Crescent"
    app13 = b"Photoshop 3.0\x00" + b"8BIM\x04\x04\x00\x00" + len(iim).to_bytes(4, "big") + iim
    for marker, body in ((b"\xff\xe1", app1), (b"\xff\xed", app13)):
        jpeg = jpeg[:2] + marker + (len(body) + 2).to_bytes(2, "big") + body + jpeg[2:]
    seeds.append(jpeg)
    ftyp = b"ftypheic\x00\x00\x00\x00mif1heic"
    mdat = b"mdat\x00\x00\x00\x06" + exif.tobytes() + XMP_SEED
    heic = len(ftyp).to_bytes(4, "big") + ftyp + (len(mdat) + 4).to_bytes(4, "big") + mdat
    seeds.append((len(ftyp) + 4).to_bytes(4, "big") + heic[4:])
    return seeds


PDF_SEED = _small_pdf()
JPEG_SEED = _small_jpeg()
RICH_PDF_SEED = _rich_pdf()
IMAGE_SEEDS = _image_seeds()


def mutated(seed: bytes) -> Any:
    """The seed with a few bytes overwritten, a slice cut out, or cut short."""

    def apply(args: tuple[list[tuple[int, int]], int, int]) -> bytes:
        edits, cut_at, cut_len = args
        data = bytearray(seed)
        for position, value in edits:
            data[position % len(data)] = value
        cut = cut_at % len(data)
        return bytes(data[:cut] + data[cut + cut_len :])

    edits = st.lists(st.tuples(st.integers(0, 1 << 20), st.integers(0, 255)), max_size=8)
    return st.one_of(
        st.binary(max_size=600),
        st.tuples(edits, st.integers(0, 1 << 20), st.integers(0, 64)).map(apply),
        st.integers(0, len(seed)).map(lambda n: seed[:n]),
    )


# -- the parsers and what each may raise ----------------------------------------------------

MATCHER = IdentityMatcher.from_profile(parse_profile(c.DEMO_PROFILE_TOML, "demo"))
NOW = datetime(2026, 11, 1, tzinfo=UTC)


def _spf(text: str) -> None:
    parse_record(text)


def _spf_macro(text: str) -> None:
    spec = parse_macro_string(text)
    values = {k: "a.b.example" for k in "slodiphcrtv"}
    values.update({"s": "alex@alexmarlowe.example", "l": "alex", "i": "192.0.2.1"})
    expand(spec, values)


def _dkim(text: str) -> None:
    key_strength(parse_dkim_key(text))


def _sts(text: str) -> None:
    if "\n" in text or ":" in text.partition(";")[0]:
        parse_policy(text)
    else:
        parse_sts_record(text)


def _profile(text: str) -> None:
    parse_profile(text, "fuzz.toml")


def _identifiers(text: str) -> None:
    identifiers.normalise_postcode(text)
    identifiers.find_postcodes(text)
    identifiers.normalise_phone(text)
    identifiers.normalise_email(text)
    for parse in (identifiers.domain_from_text, identifiers.normalise_url):
        try:
            parse(text)
        except (DomainError, ValueError):
            pass


def _matchers(text: str) -> None:
    matches = MATCHER.find(text)
    assert len(matches) <= len(text) + 1  # bounded output
    find_imprints(text)
    mask_text(text, compile_masker(MATCHER_SENSITIVE))


MATCHER_SENSITIVE = parse_profile(c.DEMO_PROFILE_TOML, "demo").sensitive_values()


def _html(text: str) -> None:
    extract_html(text, "https://www.alexmarlowe.example/")
    extract_vcard(text)
    json_ld_texts(text)
    page_links(text, "https://www.alexmarlowe.example/")


SCRIPT_PIECES = [
    '"', "'", "`", "\\", "\\u00", "\\x4", ":", "{", "}", "[", "]", ",", "\n", "lat: 51.5",
    "lng: -0.1", "L.marker([", "setView([52.0, -1.8]", "center: [", "mapboxgl", "LatLng(",
    '"latitude": "52.0"', "var s = {", "14 Larkspur Crescent", "-->", "<!--",
]  # fmt: skip
VFORMAT_PIECES = [
    "BEGIN:VCARD", "BEGIN:VEVENT", "ADR;TYPE=home:;;14 Larkspur;Pelham;;ZX4 7PQ", "TEL:",
    "EMAIL;TYPE=x:", "GEO:52.0;-1.8", "GEO:geo:52.0,-1.8", "LOCATION:14 Larkspur\\, Pelham",
    'X-APPLE-STRUCTURED-LOCATION;X-ADDRESS="14 Larkspur\\nPelham";X-TITLE=":;":geo:52,-1',
    ";ENCODING=QUOTED-PRINTABLE:=31=34=", ";CHARSET=nonsense:", '"', ";", ":", "\r\n ", "\\",
    'ADR;LABEL="x', "NOTE:", "END:VCARD",
]  # fmt: skip


def _scripts(text: str) -> None:
    script_strings(text)
    script_points(text)
    what3words(text)
    reversed_emails(text)
    cloudflare_email(text)
    for kind in ("text/plain", "text/csv", "application/json"):
        extract_text_file(text, kind)


def _vformat(text: str) -> None:
    extract_vcard(text)
    extract_calendar(text)


def _pdf_parts(data: bytes) -> None:
    result = extract("pdf", data)
    assert isinstance(result.not_read, tuple)


def _xmp(text: str) -> None:
    xmp_point(text)
    for name in ("dc:description", "Iptc4xmpCore:CiTelWork", "photoshop:City"):
        xmp_values(text, name)


def _pipeline(data: bytes) -> None:
    for kind in ("html", "vcard", "calendar", "text", "image", "pdf", "other"):
        result = extract(kind, data, "text/html; charset=utf-16", "https://x.example/a")
        assert isinstance(result.unreadable, str)


def _urls(text: str) -> None:
    map_points(text)
    crawl_url(text, "https://www.alexmarlowe.example/")
    parse_hsts(text)
    parse_csp(text)
    parse_set_cookie(text)
    parse_security_txt(text, NOW)
    parse_mx([text, *text.split(";")])
    xmp_point(text)


def _rdap(value: object) -> None:
    for parse in (parse_domain, parse_bootstrap):
        try:
            parse(json.loads(json.dumps(value)))
        except RdapFormatError:
            pass


SITE = "https://www.alexmarlowe.example/"
GZIP_SEED = gzip.compress(
    b"<urlset><url><loc>https://www.alexmarlowe.example/a</loc></url></urlset>"
)


def _site_apis(data: bytes) -> None:
    for read in (wordpress_users, wordpress_items):
        reading = read(data)
        assert len(reading.records) <= 100 and all(isinstance(n, str) for n in reading.not_read)
    text = data.decode("utf-8", errors="replace")
    is_squarespace(text)
    wordpress_api_root(text, text, SITE)
    wordpress_total_answers({"x-wp-totalpages": text[:20], "x-wp-total": text[-20:]})


def _robots_sitemaps(value: str | bytes) -> None:
    if isinstance(value, bytes):
        body, _cut = inflate_sitemap(value, 64 * 1024)
        assert len(body) <= 64 * 1024 or not value.startswith(b"\x1f\x8b")
        return
    for url in robots_disallowed(value, SITE):
        assert url.startswith(SITE), url


def _cdx(value: object) -> None:
    parse_cdx(json.loads(json.dumps(value)))


def _search(value: object) -> None:
    data = json.loads(json.dumps(value))
    for provider in (SearxngProvider(), BraveProvider()):
        try:
            for result in provider.parse(data):
                assert isinstance(result.url, str) and isinstance(result.snippet, str)
        except SearchAnswerMalformed:
            pass


@dataclass(frozen=True)
class Parser:
    name: str
    run: Callable[..., object]
    errors: tuple[type[BaseException], ...]
    inputs: Any
    fuzz_examples: int


PARSERS = [
    Parser("spf", _spf, (SpfSyntaxError,), assembled("v=spf1 ", SPF_TERMS, " "), 12_000),
    Parser(
        "spf-macro",
        _spf_macro,
        (SpfSyntaxError,),
        assembled("", [t for t in SPF_TERMS if "%" in t], "."),
        6_000,
    ),
    Parser(
        "dmarc", parse_dmarc, (DmarcSyntaxError,), assembled("v=DMARC1; ", DMARC_TAGS, ";"), 8_000
    ),
    Parser("dkim", _dkim, (DkimSyntaxError,), assembled("v=DKIM1; ", DKIM_TAGS, "; "), 8_000),
    Parser(
        "mta-sts",
        _sts,
        (MtaStsError,),
        st.one_of(
            assembled("v=STSv1; ", STS_FIELDS, "; "),
            assembled("version: STSv1\n", STS_POLICY_LINES, "\n", 20),
            assembled("version: STSv1\r\n", STS_POLICY_LINES, "\r\n", 20),
        ),
        8_000,
    ),
    Parser(
        "tls-rpt",
        parse_tlsrpt,
        (TlsRptError,),
        assembled("v=TLSRPTv1; ", TLSRPT_FIELDS, ";"),
        6_000,
    ),
    Parser("bimi", parse_bimi, (BimiSyntaxError,), assembled("v=BIMI1; ", BIMI_TAGS, "; "), 6_000),
    Parser("otpauth", lint_uri, (OtpauthError,), otpauth_uris(), 8_000),
    Parser("profile", _profile, (ProfileError,), profile_texts(), 6_000),
    Parser("identifiers", _identifiers, (), matcher_texts(), 5_000),
    Parser("matchers", _matchers, (), matcher_texts(), 8_000),
    Parser("html", _html, (), html_documents(), 5_000),
    Parser("urls-headers", _urls, (), st.one_of(st.text(max_size=300), html_documents()), 5_000),
    Parser("rdap", _rdap, (), rdap_documents(), 6_000),
    Parser("pdf", read_pdf, (PdfUnreadable,), mutated(PDF_SEED), 3_000),
    Parser("exif", read_gps, (ImageUnreadable,), mutated(JPEG_SEED), 3_000),
    Parser("scripts", _scripts, (), assembled("", SCRIPT_PIECES, ""), 5_000),
    Parser("pdf-parts", _pdf_parts, (), mutated(RICH_PDF_SEED), 3_000),
    Parser(
        "images",
        read_image,
        (ImageUnreadable,),
        st.one_of(*(mutated(seed) for seed in IMAGE_SEEDS)),
        5_000,
    ),
    Parser(
        "xmp",
        _xmp,
        (),
        st.one_of(
            st.text(max_size=400), mutated(XMP_SEED).map(lambda b: b.decode("utf-8", "replace"))
        ),
        3_000,
    ),
    Parser("vcard-ics", _vformat, (), assembled("", VFORMAT_PIECES, "\r\n", 20), 5_000),
    Parser("site-apis", _site_apis, (), wordpress_answers(), 5_000),
    Parser(
        "robots-sitemaps",
        _robots_sitemaps,
        (),
        st.one_of(assembled("", ROBOTS_PIECES, "\n", 30), mutated(GZIP_SEED)),
        4_000,
    ),
    Parser("cdx", _cdx, (CdxMalformed,), cdx_documents(), 4_000),
    Parser("search-answers", _search, (), search_answers(), 4_000),
    Parser(
        "pipeline",
        _pipeline,
        (),
        st.one_of(st.binary(max_size=400), mutated(PDF_SEED), mutated(JPEG_SEED)),
        2_000,
    ),
]


def exercise(parser: Parser, value: Any) -> None:
    try:
        parser.run(value)
    except parser.errors:
        pass


def _property(parser: Parser, examples: int) -> Callable[[], None]:
    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(parser.inputs)
    def prop(value: Any) -> None:
        exercise(parser, value)

    return prop  # type: ignore[no-any-return]


@pytest.mark.parametrize("parser", PARSERS, ids=[p.name for p in PARSERS])
def test_parser_raises_only_its_documented_error(parser: Parser) -> None:
    _property(parser, QUICK_EXAMPLES)()


@pytest.mark.fuzz
@pytest.mark.parametrize("parser", PARSERS, ids=[p.name for p in PARSERS])
def test_fuzz_parser_raises_only_its_documented_error(parser: Parser) -> None:
    _property(parser, parser.fuzz_examples)()


def test_the_fuzz_run_is_at_least_100k_inputs() -> None:
    assert sum(p.fuzz_examples for p in PARSERS) >= 100_000


def test_the_rich_seeds_carry_what_the_fuzzed_parsers_read() -> None:
    pdf = extract("pdf", RICH_PDF_SEED)
    wheres = " ".join(s.where for s in pdf.segments)
    assert "comment" in wheres and "form field" in wheres and "card.vcf" in wheres, wheres
    assert pdf.points and "Pelham" in " ".join(s.text for s in pdf.segments)
    for seed in IMAGE_SEEDS:
        content = read_image(seed)
        assert content.segments and content.points, content


def test_seeds_are_real_files_the_parsers_accept() -> None:
    content = read_pdf(PDF_SEED)
    assert "Larkspur" in " ".join(content.metadata.values())
    point = read_gps(JPEG_SEED)
    assert point is not None and 52.0 < point.latitude < 52.1


# -- crafted backtracking inputs: each must finish within a CPU budget -------------------------

CRAFTED_SIZE = 50 * 1024
REPO = Path(__file__).resolve().parents[2]
CPU_SECONDS = 20  # a generous work bound: linear code needs well under a second


def _repeat(piece: str) -> str:
    return (piece * (CRAFTED_SIZE // len(piece) + 1))[:CRAFTED_SIZE]


CRAFTED: dict[str, Callable[[], object]] = {
    "address": lambda: MATCHER.find(_repeat("14 Larkspur Crescent Pelham ")),
    "address-numbers": lambda: MATCHER.find(_repeat("14 14 Larkspur Larkspur ")),
    "postcode": lambda: MATCHER.find(_repeat("ZX4 7P ZX4 ")),
    "postcode-finder": lambda: identifiers.find_postcodes(_repeat("ZX4 7 ZX4")),
    "phone": lambda: MATCHER.find(_repeat("07700 90046 ")),
    "phone-digits": lambda: MATCHER.find(_repeat("0")),
    "email": lambda: MATCHER.find(_repeat("alex.marlowe@postbox")),
    "email-dots": lambda: MATCHER.find(_repeat("a.") + "@"),
    "email-at": lambda: MATCHER.find(_repeat("alex.marlowe at postbox dot ")),
    "imprint": lambda: find_imprints(_repeat("Promoted by Sam Okafor on behalf of ")),
    "masking": lambda: mask_text(
        _repeat("ZX4 7P 07700 9004 alex.marlowe@ "), compile_masker(MATCHER_SENSITIVE)
    ),
    "html-tags": lambda: extract_html(_repeat("<a "), "https://x.example/"),
    "html-comments": lambda: extract_html(_repeat("<!--<p>"), "https://x.example/"),
    "json-ld": lambda: json_ld_texts(
        '<script type="application/ld+json">' + _repeat("[{") + "</script>"
    ),
    "links": lambda: page_links(_repeat("<a href='/a?"), "https://x.example/"),
    "spf": lambda: _catch(lambda: parse_record("v=spf1 " + _repeat("%{d}"))),
    "spf-macro": lambda: _catch(lambda: parse_macro_string(_repeat("%{"))),
    "dmarc": lambda: _catch(lambda: parse_dmarc("v=DMARC1; " + _repeat("rua=mailto:a@"))),
    "csp": lambda: parse_csp(_repeat("script-src 'self' ")),
    "hsts": lambda: parse_hsts(_repeat("max-age=1;")),
    "security-txt": lambda: parse_security_txt(_repeat("Contact: mailto:\n"), NOW),
    "map-url": lambda: map_points("https://maps.google.com/?q=" + _repeat("52.0,")),
    "vcard": lambda: extract_vcard(_repeat("ADR;TYPE=home:;;14 Larkspur\r\n ")),
    "vcard-quotes": lambda: extract_vcard(_repeat('ADR;LABEL="a;b:c')),
    "calendar": lambda: extract_calendar(_repeat('X-APPLE-STRUCTURED-LOCATION;X-ADDRESS="\\')),
    "script-strings": lambda: script_strings(_repeat('"\\"')),
    "script-quotes": lambda: script_strings(_repeat("'\"`")),
    "script-points": lambda: script_points(_repeat("L.marker([52.0, ") + "mapboxgl"),
    "data-attributes": lambda: extract_html(_repeat('<i data-x=\'{"a":"'), "https://x.example/"),
    "html-scopes": lambda: extract_html(_repeat('<div itemscope class="h-card">'), "https://x/"),
    "html-end-tags": lambda: extract_html("<div>" * 5000 + _repeat("</p>"), "https://x/"),
    "csv": lambda: extract_text_file(_repeat('"a,'), "text/csv"),
    "reversed": lambda: reversed_emails(_repeat("a.b@")),
    "xmp-elements": lambda: xmp_values(_repeat("<dc:description>"), "dc:description"),
    "xmp-attributes": lambda: xmp_values(_repeat('dc:description="'), "dc:description"),
    "xmp-gps": lambda: xmp_point(_repeat("exif:GPSLatitude>1,")),
}


def _catch(run: Callable[[], object]) -> object:
    try:
        return run()
    except ValueError as exc:  # every parser's documented error is a ValueError
        return exc


@pytest.mark.parametrize("name", sorted(CRAFTED))
def test_crafted_input_finishes_within_a_work_bound(name: str) -> None:
    # A fresh interpreter, not a fork: forking a test process whose other threads (the
    # threaded test servers) hold locks can deadlock the child, which once looked like a
    # blown bound. The CPU limit is set inside the child before the work starts.
    code = (
        "import resource, sys; "
        f"resource.setrlimit(resource.RLIMIT_CPU, ({CPU_SECONDS}, {CPU_SECONDS + 1})); "
        "from tests.hardening.test_fuzz import CRAFTED; "
        "CRAFTED[sys.argv[1]]()"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, name],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=CPU_SECONDS * 6,  # only a safety net: the CPU limit is the bound
        check=False,
    )
    # Killed by SIGXCPU means the work was not bounded.
    assert result.returncode == 0, f"{name}: exit code {result.returncode}: {result.stderr[-500:]}"


# -- attacker-controlled text in reports and on the terminal ---------------------------------

PAYLOADS = (
    "<script>alert(1)</script>",
    "\x1b[31mRED\x1b[0m",
    "\x1b]52;c;ZXZpbA==\x07",
    "\x9b31m",  # C1 CSI
    "[click](javascript:alert(1))",
    "<img src=x onerror=alert(1)>",
    '"><svg onload=alert(1)>',
    "| a | b |\n# Heading\n---",
    '=HYPERLINK("http://evil.example")',
    "\u202egnp.exe",
    "nul\x00byte",
    "\r\x1b[2Kerased",
    "`code` **bold** ![img](http://evil.example/x.png)",
)
RAW_CONTROL = ("\x1b", "\x07", "\x00", "\x9b", "\u202e")


def hostile_report(text: str) -> Any:
    from auditor.model import CheckResult, Evidence, Finding, Report, Severity, Status

    evidence = Evidence(
        source="dns",
        location=f"_dmarc.{text}",
        snippet=f"v=DMARC1; p=none; rua=mailto:{text}",
        detail={"title": text, "headers": {text: text}},
    )
    findings = tuple(
        Finding(
            check_id="email.dmarc",
            status=status,
            severity=Severity.HIGH,
            message=f"The record says {text}",
            target=f"{text}.example",
            location=f"https://www.example.org/{text}",
            kind="record",
            subject=text,
            evidence=(evidence,),
            actions=("email.dmarc-enforce",),
        )
        for status in (Status.FAIL, Status.ERROR, Status.PASS)
    )
    result = CheckResult("email.dmarc", f"{text}.example", findings, "2026-11-01T00:00:00+00:00", 1)
    return Report(
        subject="Alex Marlowe",
        started_at="2026-11-01T00:00:00+00:00",
        finished_at="2026-11-01T00:00:01+00:00",
        tool_version="test",
        results=(result,),
        problems=(f"plugin {text} failed to load",),
    )


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes += [(name, value or "") for name, value in attrs]


def html_shape(document: str) -> _Tags:
    parser = _Tags()
    parser.feed(document)
    parser.close()
    return parser


def check_rendered(text: str) -> None:
    from auditor.actions import load_actions
    from auditor.checklist import build_checklist
    from reports.formats import render

    report = hostile_report(text)
    benign = hostile_report("benign")
    actions = load_actions()
    for name in ("json", "markdown", "html", "csv"):
        for reveal in (False, True):
            out = render(report, name, reveal=reveal, checklist=build_checklist(report, actions))
            leaked = [repr(ch) for ch in RAW_CONTROL if ch in out]
            assert not leaked, f"{name}: raw control characters {leaked}"
            if name == "markdown":
                # Backslash-escaped is literal text; an unescaped "<tag" or "](" is live.
                live = re.findall(r"(?<!\\)<(?:script|img|svg)|(?<!\\)\]\(javascript:", out, re.I)
                assert not live, f"live Markdown/HTML from attacker text: {live}"
            if name == "html":
                shape = html_shape(out)
                clean_shape = html_shape(render(benign, "html", reveal=reveal))
                assert shape.tags.count("script") == clean_shape.tags.count("script")
                assert {"img", "svg"}.isdisjoint(set(shape.tags) - set(clean_shape.tags))
                assert not [a for a, _ in shape.attributes if a.startswith("on")]
                hrefs = [v for a, v in shape.attributes if a in ("href", "src")]
                assert not [h for h in hrefs if h.strip().lower().startswith("javascript:")]
            if name == "csv":
                for line in out.splitlines():
                    for cell in line.split(","):
                        assert not cell.strip('"').startswith(("=", "+", "@")), cell


@pytest.mark.parametrize("payload", PAYLOADS)
def test_writers_escape_attacker_text(payload: str) -> None:
    check_rendered(payload)


@settings(max_examples=QUICK_EXAMPLES, deadline=None, database=None)
@given(st.text(max_size=60))
def test_writers_escape_any_text(text: str) -> None:
    check_rendered(text)


HOSTILE_ZONE = """\
$ORIGIN hostile.example.
$TTL 300
@ SOA ns1 hostmaster 1 7200 3600 1209600 300
@ NS ns1
ns1 A 127.0.0.1
@ TXT "v=spf1 include:\\027[31mred.hostile.example -all exp=explain.hostile.example"
explain TXT "\\027]52;c;ZXZpbA==\\007 <script>alert(1)</script> \\027[2J"
"""


async def test_the_spf_command_prints_no_escape_sequences(
    capfd: pytest.CaptureFixture[str],
) -> None:
    import asyncio

    from auditor import cli
    from auditor.demo.dns_server import DnsServer

    async with DnsServer([HOSTILE_ZONE]) as server:
        network = ["--nameserver", f"127.0.0.1:{server.port}", "--timeout", "0.5"]
        for extra in ([], ["--format", "json"]):
            args = ["spf", "hostile.example", "--ip", "192.0.2.1", *network, *extra]
            await asyncio.to_thread(cli.main, args)
            out, err = capfd.readouterr()
            assert out.strip(), err
            leaked = [repr(ch) for ch in RAW_CONTROL if ch in out + err]
            assert not leaked, f"raw control characters on the terminal: {leaked}\n{out!r}"
