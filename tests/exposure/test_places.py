"""Every place a campaign site keeps text (issue 15), one extractor at a time: the text is
found, the evidence says where it was in plain words, and decoys beside it stay quiet.
Files are made by the real libraries where they exist (icalendar, vobject, Pillow, pypdf)."""

from __future__ import annotations

import datetime
import json

import icalendar
import pytest
import vobject

from auditor.crawl import kind_by_name
from auditor.profile import Address, Profile
from auditor.standards.content.calendar import extract_calendar
from auditor.standards.content.cards import extract_vcard
from auditor.standards.content.emails import cloudflare_email, reversed_emails
from auditor.standards.content.extract import PageContent, extract_html
from auditor.standards.content.html import parseable_html, strip_closer
from auditor.standards.content.maps import map_points, script_points, what3words
from auditor.standards.content.pipeline import decode, extract
from auditor.standards.content.scripts import script_strings
from auditor.standards.content.textfiles import extract_text_file
from auditor.standards.identity.matchers import IdentityMatcher

HOME = Address(("Flat 3", "12 Acacia Avenue", "Ashcombe"), "AB1 2CD", 51.501, -0.142)
MATCHER = IdentityMatcher.from_profile(
    Profile(
        name="Alex Example",
        home_addresses=(HOME,),
        phones=("+447700900123",),
        emails=("alex.home@example.net",),
        public_addresses=(Address(("40 Acacia Avenue", "Ashcombe"), "AB1 2CE"),),
    )
)
URL = "https://www.site.example/page"


def kinds_by_place(page: PageContent) -> dict[str, set[str]]:
    """{where: {kinds matched there}} for every segment with a match."""
    found: dict[str, set[str]] = {}
    for segment in page.segments:
        kinds = {m.kind for m in MATCHER.find(segment.text)}
        if kinds:
            found.setdefault(segment.where, set()).update(kinds)
    return found


def where_of(page: PageContent, kind: str) -> set[str]:
    return {w for w, kinds in kinds_by_place(page).items() if kind in kinds}


# -- HTML: hidden places ---------------------------------------------------------------------


def test_html_comment_noscript_template_and_data_attributes() -> None:
    page = extract_html(
        "<p>Hello</p><!-- <p>Drop in at 12 Acacia Avenue</p> -->"
        "<noscript>Call 07700 900123</noscript>"
        "<template><div>Ashcombe AB1 2CD</div></template>"
        '<div data-address="12 Acacia Avenue" data-office="40 Acacia Avenue"></div>',
        URL,
    )
    assert where_of(page, "home-address") == {
        "in an HTML comment (hidden from visitors)",
        "in the data-address attribute of a <div> element (a widget's settings)",
    }
    assert where_of(page, "phone") == {"in a <noscript> block (shown only when scripts are off)"}
    assert where_of(page, "postcode") == {"in a <template> block (kept in the page but not shown)"}
    visible = page.segments[0]
    assert visible.source == "page-text" and visible.text == "Hello"


def test_scripts_inline_json_plugin_settings_and_next_data() -> None:
    page = extract_html(
        '<script>var wpgmza = {"address":"12 Acacia Avenue","to":"alex.home\\u0040example.net"}'
        ";</script>"
        '<script id="__NEXT_DATA__" type="application/json">{"props":{"tel":"07700900123"}}'
        "</script>"
        '<script type="application/json">{"number":"12","street":"Acacia Avenue"}</script>',
        URL,
    )
    places = kinds_by_place(page)
    plugin = "in a plugin's settings written into the page (a page script)"
    assert places[plugin] == {"home-address", "email"}
    assert places["in the page's __NEXT_DATA__ (the site builder's page data)"] == {"phone"}
    # keys are left out, so the number and street of one object read as an address
    assert "home-address" in places["in data written into the page (an inline JSON block)"]


def test_script_strings_skip_keys_and_unescape() -> None:
    assert script_strings('{"a": "x\\/y", "b": [\'it\\\'s\', `t`], c: "\\u00e9"}') == [
        "x/y",
        "it's",
        "t",
        "é",
    ]
    assert script_strings('"unterminated\n"ok"') == ["ok"]


@pytest.mark.parametrize(
    ("script", "point"),
    [
        ("L.map('m').setView([51.501, -0.142], 17)", (51.501, -0.142)),
        ("L.marker( [ 51.501 , -0.142 ] ).addTo(map)", (51.501, -0.142)),
        ("new google.maps.LatLng(51.501, -0.142)", (51.501, -0.142)),
        (
            "new google.maps.Map(el, {center: {lat: 51.501, lng: -0.142}, zoom: 8})",
            (51.501, -0.142),
        ),
        ('{"latitude": "51.501", "longitude": "-0.142"}', (51.501, -0.142)),
        ("new mapboxgl.Map({container: 'm', center: [-0.142, 51.501]})", (51.501, -0.142)),
        ("new mapboxgl.Marker().setLngLat([-0.142, 51.501])", (51.501, -0.142)),
        ("L.map('m', {center: [51.501, -0.142], zoom: 13})", (51.501, -0.142)),
    ],
    ids=[
        "leaflet-view",
        "leaflet-marker",
        "google-latlng",
        "google-center",
        "json",
        "mapbox",
        "mapbox-marker",
        "leaflet-options",
    ],
)
def test_map_initialisations_in_scripts_mind_the_order(
    script: str, point: tuple[float, float]
) -> None:
    assert (script_points(script)[0].latitude, script_points(script)[0].longitude) == point


@pytest.mark.parametrize(
    ("url", "point", "weak"),
    [
        (
            "https://www.openstreetmap.org/export/embed.html?bbox=-0.15%2C51.49%2C-0.13%2C51.51"
            "&layer=mapnik&marker=51.501%2C-0.142",
            (51.501, -0.142),
            False,
        ),
        (
            "https://www.openstreetmap.org/export/embed.html?bbox=-0.144,51.500,-0.140,51.502",
            (51.501, -0.142),
            True,
        ),
        ("https://www.google.com/maps?q=51.501,-0.142&z=17", (51.501, -0.142), False),
        ("https://www.google.com/maps/place/x/data=!3d51.501!2d-0.142", (51.501, -0.142), False),
        ("https://www.google.com/maps/@51.501,-0.142,17z", (51.501, -0.142), False),
        ("https://maps.apple.com/?ll=51.501,-0.142&q=Home", (51.501, -0.142), False),
    ],
    ids=["osm-marker", "osm-bbox", "google-q", "google-3d2d", "google-at", "apple-ll"],
)
def test_map_url_forms(url: str, point: tuple[float, float], weak: bool) -> None:
    (found,) = map_points(url)
    assert (round(found.latitude, 6), round(found.longitude, 6), found.weak) == (*point, weak)


def test_apple_address_and_what3words_links() -> None:
    page = extract_html(
        '<a href="https://maps.apple.com/?address=12%20Acacia%20Avenue,%20Ashcombe">Map</a>'
        '<a href="https://what3words.com/filled.count.soap">w3w</a>',
        URL,
    )
    assert where_of(page, "home-address") == {"in a map link"}
    assert page.places == [("filled.count.soap", "in a map link")]
    assert what3words("see ///index.home.raft") == ["index.home.raft"]


def test_email_obfuscation_cloudflare_entities_percent_and_reversed() -> None:
    encoded = "a5" + bytes(b ^ 0xA5 for b in b"alex.home@example.net").hex()
    assert cloudflare_email(encoded) == "alex.home@example.net"
    assert cloudflare_email("/cdn-cgi/l/email-protection#" + encoded) == "alex.home@example.net"
    assert cloudflare_email("zz") == cloudflare_email("a5") == ""
    assert reversed_emails("write to ten.elpmaxe@emoh.xela") == ["alex.home@example.net"]
    page = extract_html(
        f'<a href="/cdn-cgi/l/email-protection#{encoded}">[email protected]</a>'
        '<a href="mailto:&#97;&#108;ex.home&#64;example.net">a</a>'
        '<a href="mailto:alex%2ehome%40example%2enet">b</a>'
        '<span style="unicode-bidi: bidi-override; direction: rtl">ten.elpmaxe@emoh.xela</span>',
        URL,
    )
    assert where_of(page, "email") == {
        "in an email link hidden by Cloudflare's email protection",
        "in an email link (mailto:)",
        "in text written backwards (the page's style shows it the right way round)",
    }


def test_map_widget_pins_in_data_attributes_and_lng_first_keys() -> None:
    page = extract_html(
        '<div class="wpgmza" data-lat="51.501" data-lng="-0.142"></div>'
        '<div data-position="51.502, -0.141"></div>'
        '<script>var pin = {"lng": -0.143, "lat": 51.503};</script>',
        URL,
    )
    assert [(p.latitude, p.longitude) for p in page.points] == [
        (51.501, -0.142),
        (51.502, -0.141),
        (51.503, -0.143),
    ]
    assert page.points[0].where == "in a map widget's pin in a <div> element's data- attributes"


def test_office_address_in_a_map_widget_is_not_the_home() -> None:
    page = extract_html(
        '<div data-address="40 Acacia Avenue, Ashcombe AB1 2CE"></div>'
        "<script>L.marker([51.528, -0.142])</script>",
        URL,
    )
    assert kinds_by_place(page) == {}
    assert [round(p.latitude, 3) for p in page.points] == [51.528]


def test_the_closing_sentinel_never_reaches_the_text() -> None:
    for html in ("<p>end", "<p>end <a ", "<p>end<!-- open", "<p>end<script>x = 1", "<p>end</p>"):
        page = extract_html(html, URL)
        for segment in page.segments:
            assert "]]>" not in segment.text and "-->" not in segment.text, (html, segment)
    assert strip_closer(parseable_html("abc")) == "abc"


def test_caps_say_what_was_not_read() -> None:
    page = extract_html("x" * 3_000_000, URL)
    assert page.not_read == ["the page after its first 2,097,152 characters"]
    bomb = extract("html", b"<p>" * 1_700_000, "text/html", URL)  # a 5 MB tag bomb
    assert bomb.not_read == (
        "the page after its first 2,097,152 characters",
        "the page after its first 100,000 elements",
    )
    many = extract_html("".join(f'<i title="t{n}"></i>' for n in range(6000)), URL)
    assert any("pieces of text" in n for n in many.not_read)


# -- contact cards and calendars ---------------------------------------------------------------


def test_vcard_3_made_by_vobject() -> None:
    card = vobject.vCard()
    card.add("fn").value = "Alex Example"
    card.add("n").value = vobject.vcard.Name(family="Example", given="Alex")
    address = card.add("adr")
    address.value = vobject.vcard.Address(
        street="12 Acacia Avenue", city="Ashcombe", code="AB1 2CD"
    )
    card.add("tel").value = "07700 900123"
    card.add("email").value = "alex.home@example.net"
    card.add("geo").value = "51.501;-0.142"
    page = extract_vcard(card.serialize())
    assert kinds_by_place(page) == {
        "in the contact card's address (ADR)": {"home-address"},
        "in the contact card's phone number (TEL)": {"phone"},
        "in the contact card's email (EMAIL)": {"email"},
    }
    assert [(p.latitude, p.longitude, p.source) for p in page.points] == [(51.501, -0.142, "vcard")]


def test_vcard_4_uris_label_parameter_and_folding() -> None:
    text = (
        "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Alex\r\n"
        'ADR;TYPE=home;LABEL="Flat 3\\n12 Acacia Avenue\\nAshcombe":;;x;;;;\r\n'
        "TEL;VALUE=uri;TYPE=cell:tel:+44-7700-\r\n 900123\r\n"
        "GEO:geo:51.501,-0.142\r\nEND:VCARD\r\n"
    )
    page = extract_vcard(text)
    assert kinds_by_place(page) == {
        "in the contact card's address label": {"home-address"},
        "in the contact card's phone number (TEL)": {"phone"},
    }
    assert [(p.latitude, p.longitude) for p in page.points] == [(51.501, -0.142)]


def test_a_namesakes_vcard_is_not_the_person() -> None:
    card = vobject.vCard()
    card.add("fn").value = "Alex Example"
    card.add("n").value = vobject.vcard.Name(family="Example", given="Alex")
    card.add("adr").value = vobject.vcard.Address(
        street="7 Birch Road", city="Leeds", code="LS1 1AA"
    )
    card.add("tel").value = "07700 900999"
    assert kinds_by_place(extract_vcard(card.serialize())) == {}


def test_icalendar_made_by_icalendar() -> None:
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Campaign//Events//EN")
    calendar.add("version", "2.0")
    event = icalendar.Event()
    event.add("uid", "1@site.example")
    event.add("dtstart", datetime.datetime(2026, 5, 1, 10))
    event.add("summary", "Coffee morning")
    event.add("location", "Flat 3, 12 Acacia Avenue, Ashcombe; AB1 2CD")
    event.add("geo", (51.5011, -0.1421))
    event.add(
        "description",
        "A long description folded by the library at seventy-five octets; ring 07700 900123",
    )
    calendar.add_component(event)
    text = calendar.to_ical().decode()
    assert "\r\n " in text  # folded
    page = extract_calendar(text)
    assert kinds_by_place(page) == {
        "in the calendar event's location": {"home-address"},
        "in the calendar event's description": {"phone"},
    }
    assert [(p.latitude, p.longitude, p.source) for p in page.points] == [
        (51.5011, -0.1421, "calendar")
    ]


def test_apple_structured_location() -> None:
    text = (
        "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nLOCATION:Home\r\n"
        'X-APPLE-STRUCTURED-LOCATION;VALUE=URI;X-ADDRESS="12 Acacia Avenue\\nAshcombe";'
        'X-TITLE="Home":geo:51.501,-0.142\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n'
    )
    page = extract_calendar(text)
    assert where_of(page, "home-address") == {"in the calendar event's map location (Apple)"}
    assert [(p.latitude, p.longitude) for p in page.points] == [(51.501, -0.142)]


# -- text downloads --------------------------------------------------------------------------


def test_text_csv_and_json_downloads() -> None:
    csv_page = extract_text_file(
        "name,number,street,postcode\r\nAlex,12,Acacia Avenue,AB1 2CD\r\n"
        "Sam,40,Acacia Avenue,AB1 2CE\r\n",
        "text/csv",
    )
    assert where_of(csv_page, "home-address") == {"in a spreadsheet (CSV) offered for download"}
    json_page = extract_text_file(json.dumps({"contact": {"phone": "07700 900123"}}), "", "x.json")
    assert where_of(json_page, "phone") == {"in a data file (JSON) offered for download"}
    text_page = extract_text_file("Notes: alex.home@example.net", "text/plain")
    assert where_of(text_page, "email") == {"in a text file offered for download"}


def test_downloads_are_typed_by_name() -> None:
    names = ("a.ics", "a.vcf", "a.txt", "a.csv", "a.json", "a.webp", "a.tif", "a.tiff", "a.heic")
    kinds = [kind_by_name(f"https://site.example/{name}") for name in names]
    assert kinds == [
        "calendar",
        "vcard",
        "text",
        "text",
        "text",
        "image",
        "image",
        "image",
        "image",
    ]


# -- the pipeline ----------------------------------------------------------------------------


def test_pipeline_decodes_charsets() -> None:
    welsh = "12 Heol y Bont, Llanfair".encode("iso-8859-1") + "ŵ".encode()[:0]
    assert decode(welsh, "text/html; charset=ISO-8859-1") == "12 Heol y Bont, Llanfair"
    assert decode("Ffordd Glyndŵr".encode("utf-16"), "") == "Ffordd Glyndŵr"
    assert decode('<meta charset="windows-1252"><p>Caf\xe9'.encode("latin-1")).endswith("Café")
    assert decode(b"caf\xe9") == "café"  # not UTF-8: Windows-1252, as browsers read it


def test_pipeline_never_raises_and_names_the_unreadable() -> None:
    assert extract("pdf", b"%PDF-1.4 nonsense").unreadable.startswith("not a readable PDF")
    assert extract("image", b"\xff\xd8\xff nonsense").unreadable.startswith("not a readable")
    assert extract("other", b"whatever").segments == ()
    html = extract("html", b"<!-- 12 Acacia Avenue -->", "text/html", URL)
    assert [s.where for s in html.segments][1] == "in an HTML comment (hidden from visitors)"
