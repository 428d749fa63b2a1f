"""The demo world's small fictional web beyond the candidate's own sites: the pages a web
search for "Alex Marlowe" finds, served on loopback under their own names.

Planted (third-party pages only): a local newspaper story giving the house number and
street, a people-search listing with the home address and landline, and the council's
register-of-interests PDF listing the home as land. Decoys that must not be reported: a
namesake in another town (a different address), the party's candidates page (the party
office, a public address), and a forum post whose snippet shows the mobile but whose site
no longer exists (the snippet alone is the evidence).
"""

from __future__ import annotations

import functools
import io
from dataclasses import dataclass

import dns.zone

from auditor.demo import candidate as c
from auditor.demo.web_server import Response, WebServer, html

NEWSPAPER = "www.fernbridge-gazette.example"
PEOPLE_SEARCH = "www.findpeople-uk.example"
COUNCIL = "www.fernbridge-council.example"
NAMESAKE_PAPER = "www.northam-courier.example"
PARTY_SITE = f"www.{c.PARTY_DOMAIN}"
GONE_FORUM = "forum.hollinvale-chat.example"  # in search results, not in DNS any more

STORY = f"https://{NEWSPAPER}/news/2026/10/hollin-vale-candidate-launches-campaign"
LISTING = f"https://{PEOPLE_SEARCH}/people/alex-marlowe/fernbridge"
REGISTER = f"https://{COUNCIL}/documents/register-of-interests/cllr-alex-marlowe.pdf"
NAMESAKE = f"https://{NAMESAKE_PAPER}/news/northam-baker-alex-marlowe-wins-county-show"
CANDIDATES = f"https://{PARTY_SITE}/candidates"
FORUM = f"https://{GONE_FORUM}/t/who-is-standing-in-hollin-vale/118"


@dataclass(frozen=True)
class IndexedPage:
    """What the demo search engine knows of a page: its URL, title, snippet and text."""

    url: str
    title: str
    snippet: str
    text: str


def _page(title: str, body: str) -> str:
    return (
        f'<!doctype html><html lang="en-GB"><head><meta charset="utf-8"><title>{title}</title>'
        f"</head><body><main>{body}</main></body></html>"
    )


def story_page() -> str:
    body = (
        f"<h1>{c.WARD} candidate launches campaign</h1>"
        f"<p>{c.NAME}, 41, of {c.HOME_NUMBER} {c.HOME_STREET}, {c.HOME_LOCALITY}, launched "
        f"a campaign for the {c.PARTY} in {c.WARD} ward on Saturday, promising to save the "
        "village library.</p><p>Residents met the candidate on the green.</p>"
    )
    return _page(f"{c.WARD} candidate launches campaign | Fernbridge Gazette", body)


def listing_page() -> str:
    body = (
        f"<h1>{c.NAME} in {c.HOME_TOWN}</h1><dl><dt>Address</dt>"
        f"<dd>{c.HOME_NUMBER} {c.HOME_STREET}, {c.HOME_LOCALITY}, {c.HOME_TOWN}, "
        f"{c.HOME_POSTCODE}</dd><dt>Phone</dt><dd>{c.LANDLINE_DISPLAY}</dd>"
        "<dt>Other residents</dt><dd>2 adults</dd></dl>"
        "<p>Source: edited electoral register 2019.</p>"
    )
    return _page(f"{c.NAME}, {c.HOME_TOWN} | FindPeople UK people search", body)


def namesake_page() -> str:
    body = (
        f"<h1>Northam baker wins county show</h1><p>{c.NAME}, 67, of 31 Quarry Lane, Northam "
        "NX9 3QT, took first prize for her Victoria sponge.</p>"
    )
    return _page("Northam baker wins county show | Northam Courier", body)


def candidates_page() -> str:
    office = ", ".join((*c.OFFICE_LINES, c.OFFICE_POSTCODE))
    body = (
        f"<h1>Our candidates</h1><p>{c.NAME} ({c.WARD}) and the team can be reached at "
        f"the party office, {office}, phone {c.OFFICE_PHONE_DISPLAY}.</p>"
    )
    return _page(f"Our candidates | {c.PARTY}", body)


def _pdf_string(text: str) -> str:
    return "(" + text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ")"


@functools.cache
def register_pdf() -> bytes:
    """The council's published register of interests: the home listed as land."""
    lines = [
        f"{c.COUNCIL}: register of members' interests",
        f"Member: Councillor {c.NAME} ({c.WARD} ward)",
        "Employment: self-employed bookkeeper",
        f"Land: {c.HOME_NUMBER} {c.HOME_STREET}, {c.HOME_LOCALITY}, {c.HOME_TOWN} "
        f"{c.HOME_POSTCODE}",
        "Sponsorship: none",
    ]
    ops = ["BT", "/F1 11 Tf", "14 TL", "50 780 Td"]
    ops += [f"{_pdf_string(line)} Tj T*" for line in lines] + ["ET"]
    stream = "\n".join(ops).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.writelines(b"%010d 00000 n \n" % offset for offset in offsets)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    return out.getvalue()


def index() -> list[IndexedPage]:
    """The demo search engine's index, most relevant first."""
    return [
        IndexedPage(
            STORY,
            f"{c.WARD} candidate launches campaign | Fernbridge Gazette",
            f"{c.NAME}, 41, launched a campaign for the {c.PARTY} in {c.WARD} ward on Saturday…",
            f"{c.NAME} {c.PARTY} {c.WARD}",
        ),
        IndexedPage(
            LISTING,
            f"{c.NAME}, {c.HOME_TOWN} | FindPeople UK people search",
            f"Find {c.NAME} in {c.HOME_TOWN}: address, phone number and other residents…",
            f"{c.NAME} {c.HOME_TOWN}",
        ),
        IndexedPage(
            REGISTER,
            f"Register of interests: Councillor {c.NAME}",
            f"{c.COUNCIL} register of members' interests. Member: Councillor {c.NAME} ({c.WARD})",
            f"{c.NAME} {c.WARD} {c.COUNCIL} Cllr {c.NAME}",
        ),
        IndexedPage(
            NAMESAKE,
            "Northam baker wins county show | Northam Courier",
            f"{c.NAME}, 67, of Northam took first prize for her Victoria sponge…",
            f"{c.NAME} Northam",
        ),
        IndexedPage(
            CANDIDATES,
            f"Our candidates | {c.PARTY}",
            f"{c.NAME} ({c.WARD}) and the team can be reached at the party office…",
            f"{c.NAME} {c.PARTY} {c.WARD}",
        ),
        IndexedPage(
            FORUM,
            f"Who is standing in {c.WARD}? | Hollin Vale Chat",
            f"{c.NAME} is standing again; she said to text her on {c.MOBILE_DISPLAY} with "
            "questions…",
            f"{c.NAME} {c.WARD}",
        ),
        IndexedPage(
            c.WEBSITE,
            f"{c.NAME} for {c.WARD}",
            f"Standing for {c.COUNCIL}, {c.WARD} ward, for the {c.PARTY}.",
            f"{c.NAME} {c.WARD} {c.PARTY}",
        ),
    ]


def register(server: WebServer) -> None:
    pages: dict[tuple[str, str], Response] = {
        (NEWSPAPER, _path(STORY)): html(story_page()),
        (PEOPLE_SEARCH, _path(LISTING)): html(listing_page()),
        (COUNCIL, _path(REGISTER)): Response(
            200, (("Content-Type", "application/pdf"),), register_pdf()
        ),
        (NAMESAKE_PAPER, _path(NAMESAKE)): html(namesake_page()),
        (PARTY_SITE, _path(CANDIDATES)): html(candidates_page()),
    }
    for (host, path), response in pages.items():
        server.route(host, path, response)


def _path(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def zones() -> list[dns.zone.Zone]:
    """The third-party sites' names (the deepest zone wins: no delegation needed)."""
    return [_zone(host.removeprefix("www.")) for host in (NEWSPAPER, PEOPLE_SEARCH, COUNCIL,
                                                          NAMESAKE_PAPER)]  # fmt: skip


def _zone(origin: str) -> dns.zone.Zone:
    return dns.zone.from_text(
        f"$ORIGIN {origin}.\n$TTL 300\n@ SOA ns1 hostmaster 1 3600 600 604800 300\n"
        "@ NS ns1\n@ A 127.0.0.1\nwww A 127.0.0.1\n",
        origin=origin + ".",
        relativize=False,
    )
