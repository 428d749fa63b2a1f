"""Every cap of the extraction pipeline that stops reading says so (issue 13): each hostile input
below is cut by one cap, and the extraction's ``not_read`` names what was left, once, in plain
words; bounds that can be read past instead (JSON-LD too deep, too wide or broken) are read
past. A page, document or photo with something unread is "partly checked", never counted in
the pass (the end-to-end test at the bottom, through a loopback HTTPS site)."""

from __future__ import annotations

import io
import json
import struct
import zlib
from typing import Any

import pytest
from PIL import Image, PngImagePlugin
from pypdf import PdfWriter
from pypdf.generic import DecodedStreamObject, NameObject

from auditor.engine import Engine
from auditor.model import Status
from auditor.standards.content import (
    emails,
    extract,
    images,
    maps,
    pdf_text,
    pipeline,
    scripts,
    vformat,
)
from auditor.standards.content.pipeline import extract as extract_resource
from auditor.standards.content.rdap_parse import parse_domain
from checks.exposure.documents import DocumentsCheck
from checks.exposure.pages import PagesCheck
from checks.exposure.photos import PhotosCheck
from tests.exposure.conftest import make_jpeg, make_pdf
from tests.exposure.test_photo_text import exif, heic, kinds
from tests.exposure.test_places import URL, kinds_by_place

ADDRESS = "12 Acacia Avenue, Ashcombe AB1 2CD"
KB512 = 512 * 1024


def html(body: str) -> extract.PageContent:
    return extract.extract_html(f"<html><body>{body}</body></html>", URL)


def found(page: extract.PageContent) -> set[str]:
    return {kind for kinds in kinds_by_place(page).values() for kind in kinds}


# -- HTML (extract.py) ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("markup", "note"),
    [
        ("<!-- {filler} -->", "an HTML comment after its first 512 KB"),
        (
            "<div data-settings='{filler}'></div>",
            "a widget's settings (a data- attribute) after its first 512 KB",
        ),
        ("<script>var s = '{filler}';</script>", "a page script after its first 512 KB"),
        ("<noscript>{filler}</noscript>", "the page's <noscript> blocks after their first 512 KB"),
        ("<template>{filler}</template>", "the page's <template> blocks after their first 512 KB"),
    ],
)
def test_a_hidden_part_past_512_kb_is_named(markup: str, note: str) -> None:
    page = html(markup.format(filler="x" * (KB512 + 10)) + markup.format(filler="y" * (KB512 + 9)))
    # One entry per cap per page, however often it cut (the two megabytes of hidden text are
    # also past the backwards-address scan, which says so in its own entry).
    assert [n for n in page.not_read if "backwards" not in n] == [note]


def test_structured_data_past_512_kb_is_named_and_its_first_part_still_read() -> None:
    block = json.dumps({"@type": "Person", "address": ADDRESS, "notes": ["x" * 100] * 6000})
    page = html(f'<script type="application/ld+json">{block}</script>')
    assert page.not_read == ["the page's structured data after its first 512 KB"]
    # Cut, the block no longer parses as JSON: its strings are read all the same.
    assert "in the page's structured data for search engines" in kinds_by_place(page)


@pytest.mark.parametrize(
    "data",
    [
        {"deep": json.loads("[" * 30 + json.dumps(ADDRESS) + "]" * 30)},
        {"items": [{"n": str(n)} for n in range(600)] + [{"address": ADDRESS}]},
        {f"k{n}": {"v": str(n)} for n in range(600)} | {"zz": {"address": ADDRESS}},
        [{"@type": "Thing", "list": [[{"n": "1"}] * 40] * 200}, {"address": ADDRESS}],
        "{ broken json, " + json.dumps({"address": ADDRESS}),
        "[" * 5000 + json.dumps(ADDRESS) + "]" * 5000,  # past json's recursion limit
    ],
    ids=["too-deep", "long-list", "many-fields", "many-objects", "broken", "recursion"],
)
def test_json_ld_past_the_walks_bounds_is_still_read(data: Any) -> None:
    text = data if isinstance(data, str) else json.dumps(data)
    page = html(f'<script type="application/ld+json">{text}</script>')
    assert "home-address" in found(page)
    assert page.not_read == []


def test_a_link_address_past_4096_characters_is_named() -> None:
    link = "https://www.site.example/contact?pad=" + "x" * 5000 + "&at=12+Acacia+Avenue"
    page = html(f'<a href="{link}">contact</a> <a href="{link}">again</a>')
    assert page.not_read == ["a link's address after its first 4,096 characters"]


def test_links_in_hidden_text_past_the_cap_are_named() -> None:
    urls = " ".join(f"https://www.openstreetmap.org/?mlat=51.5&mlon=-0.{n:03d}" for n in range(250))
    page = html(f"<!-- {urls} -->")
    assert page.not_read == ["the map and email links in an HTML comment after its first 200"]
    # Plain links past the cap are read as the block's words; a map among them still counts.
    plain = " ".join(f"https://www.site.example/post/{n}" for n in range(300))
    late_map = "https://www.openstreetmap.org/?mlat=51.501&mlon=-0.142"
    page = html(f"<script>var links = '{plain} {late_map}';</script>")
    assert page.not_read == [] and [(p.latitude, p.longitude) for p in page.points] == [
        (51.501, -0.142)
    ]


def test_a_long_place_name_in_a_map_address_is_read_whole() -> None:
    place = "x" * 400 + "+12+Acacia+Avenue"
    assert "12 Acacia Avenue" in maps.map_text(f"https://www.google.com/maps/place/{place}")


def test_structured_data_scopes_past_the_cap_are_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(extract, "MAX_SCOPES", 3)
    geo = '<i itemprop="latitude" content="51.501"></i><i itemprop="longitude" content="-0.142">'
    cards = "".join(
        f'<div itemscope itemtype="https://schema.org/Place">{geo}</div>' for _ in "1234"
    )
    page = html(cards)
    assert page.not_read == ["the page's structured data and contact cards after its first 3"]
    assert len(page.points) == 3


def test_structured_data_nested_past_the_depth_cap_is_named(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(extract, "MAX_DEPTH", 10)
    page = html('<div itemscope itemtype="https://schema.org/Place">' + "<div>" * 20 + "x")
    assert page.not_read == [
        "the page's structured data and contact cards nested deeper than 10 elements"
    ]
    plain = html("<p>" * 50 + "x")  # unclosed paragraphs: no structured data lost
    assert plain.not_read == []


def test_text_past_the_backwards_scan_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(emails, "MAX_REVERSED_SCAN", 1000)
    page = html("<!-- " + "word " * 400 + " -->")  # the hidden parts, searched backwards
    assert page.not_read == [
        "the page's text after its first 1,000 characters, searched for email addresses "
        "written backwards"
    ]
    monkeypatch.setattr(emails, "MAX_REVERSED", 2)
    many = html("<!-- " + " ".join(f"a{n}.b@c{n}.d" for n in range(5)) + " -->")
    assert "the email addresses written backwards after the first 2" in many.not_read


# -- scripts, maps, contact cards and calendars, text downloads --------------------------------


def test_script_strings_past_their_caps_are_named(monkeypatch: pytest.MonkeyPatch) -> None:
    unread: list[str] = []
    scripts.script_strings("'" + "a" * scripts.MAX_SCRIPT + "'", unread)
    assert unread == ["a page script after its first 512 KB"]
    monkeypatch.setattr(scripts, "MAX_STRINGS", 3)
    unread = []
    assert scripts.script_strings("'a', 'b', 'c'", unread) == ["a", "b", "c"] and unread == []
    scripts.script_strings("'a', 'b', 'c', 'd'", unread, "the data file")
    assert unread == ["the data file after its first 3 pieces of text"]


def test_map_caps_are_named(monkeypatch: pytest.MonkeyPatch) -> None:
    unread: list[str] = []
    long = "https://www.google.com/maps/search/x?pad=" + "x" * 5000 + "&q=51.501,-0.142"
    assert maps.map_points(long, not_read=unread) == []  # the position past the cut is lost
    maps.map_text(long, unread)
    assert unread == ["a map address after its first 4,096 characters"]
    monkeypatch.setattr(maps, "MAX_POINTS", 1)
    unread = []
    assert len(maps.map_points("https://maps.example/@51.5,-0.1,3z!3d51.6!4d-0.2", "x", unread))
    assert unread == ["the positions in a map address after its first 1"]
    unread = []
    maps.what3words("///one.two.three ///four.five.six", unread)
    assert unread == ["the what3words addresses in a map address after its first 1"]
    unread = []
    maps.script_points("L.marker([51.5, -0.1]); L.marker([51.6, -0.2]);", unread)
    assert unread == ["the map positions in a page script after its first 1"]
    monkeypatch.setattr(maps, "MAX_SCRIPT", 8)
    unread = []
    maps.script_points("L.marker([51.5, -0.1]);", unread, "the data file")
    assert unread == ["the data file after its first 8 characters"]


def test_calendar_and_card_files_past_their_caps_are_named(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    events = "".join(f"BEGIN:VEVENT\r\nSUMMARY:Event {n}\r\nEND:VEVENT\r\n" for n in range(3))
    monkeypatch.setattr(vformat, "MAX_LINES", 5)
    calendar = extract_resource(
        "calendar", f"BEGIN:VCALENDAR\r\n{events}END:VCALENDAR\r\n".encode()
    )
    assert calendar.not_read == ("the calendar file after its first 5 lines",)
    monkeypatch.setattr(vformat, "MAX_TEXT", 1024)
    card = "BEGIN:VCARD\r\nNOTE:" + "x" * 2000 + "\r\nEND:VCARD\r\n"
    assert extract_resource("vcard", card.encode()).not_read == (
        "the contact card file after its first 1 KB",
    )


def test_a_json_download_past_the_json_readers_cap_is_named_once() -> None:
    body = json.dumps({"notes": ["nothing here " * 10] * 6000, "home": ADDRESS})
    assert scripts.MAX_SCRIPT < len(body) < 1_000_000  # cut by the JSON reader, not the file cap
    result = extract_resource("text", body.encode(), "application/json", URL + "/data.json")
    assert result.not_read == ("the file after its first 512 KB",)


# -- photos (images.py) ---------------------------------------------------------------------


def jpeg(tags: Image.Exif) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buffer, "JPEG", exif=tags)
    return buffer.getvalue()


def test_a_photo_text_field_past_its_cap_is_named() -> None:
    content = images.read_image(jpeg(exif(description="x" * 5000 + ADDRESS)))
    assert content.not_read == ["a text field of the photo after its first 4,000 characters"]


def test_photo_text_fields_past_their_count_are_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(images, "MAX_TEXT_FIELDS", 1)
    content = images.read_image(jpeg(exif(description="one", artist="two")))
    assert content.not_read == ["the photo's text fields after the first 1"]


def test_xmp_values_past_their_caps_are_read_in_part_and_named() -> None:
    unread: list[str] = []
    element = "<dc:description>" + ADDRESS + " " + "x" * 5000 + "</dc:description>"
    attribute = 'photoshop:City="' + ADDRESS + " " + "y" * 5000 + '"'
    assert images.xmp_values(element, "dc:description", unread)[0].startswith(ADDRESS)
    assert images.xmp_values(attribute, "photoshop:City", unread)[0].startswith(ADDRESS)
    assert unread == ["an XMP field after its first 4,000 characters"]
    unread = []
    many = "".join(f"<dc:subject>k{n}</dc:subject>" for n in range(25))
    assert len(images.xmp_values(many, "dc:subject", unread)) == 20
    assert unread == ["the values of an XMP field after its first 20"]


def test_a_photos_xmp_past_its_cap_is_named() -> None:
    info = PngImagePlugin.PngInfo()
    packet = "<x:xmpmeta><dc:title>hi</dc:title><!--" + "x" * (images.MAX_XMP + 10) + "-->"
    info.add_itxt("XML:com.adobe.xmp", packet + "</x:xmpmeta>")
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buffer, "PNG", pnginfo=info)
    assert images.read_image(buffer.getvalue()).not_read == [
        "the photo's XMP details after their first 256 KB"
    ]


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


@pytest.mark.filterwarnings("ignore:Corrupt EXIF data")  # the cut block, as Pillow sees it
def test_a_late_png_exif_chunk_past_its_cap_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buffer, "PNG")
    plain = buffer.getvalue()
    late = _chunk(b"eXIf", exif(description=ADDRESS).tobytes())  # after the image data
    data = plain[:-12] + late + plain[-12:]
    assert "home-address" in {k for ks in kinds(data).values() for k in ks}
    monkeypatch.setattr(images, "MAX_EXIF", 16)
    assert images.read_image(data).not_read == [
        "the photo's EXIF details after their first 16 characters"
    ]


def test_a_heic_past_the_raw_scan_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(images, "MAX_RAW_SCAN", 1024)
    tags = exif(description=ADDRESS)
    content = images.read_image(heic(b"\x00" * 2048 + tags.tobytes()))
    assert "the photo's hidden details after its first 1 KB" in content.not_read


# -- PDFs (pdf_text.py) ---------------------------------------------------------------------


def test_pdf_text_past_the_character_cap_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdf_text, "MAX_CHARS", 20)
    result = extract_resource("pdf", make_pdf(["Nothing here at all.", ADDRESS]))
    assert result.not_read == (
        "the text of page 1 after the first 20 characters of the PDF's text",
    )


def test_pdf_fields_past_their_cap_are_named() -> None:
    result = extract_resource("pdf", make_pdf(["Hello"], {"/Title": "x" * 3000 + ADDRESS}))
    assert result.not_read == (
        "a field, comment or link of the PDF after its first 2,000 characters",
    )


def test_pdf_xmp_past_its_cap_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    writer = PdfWriter()
    writer.add_blank_page(100, 100)
    stream = DecodedStreamObject()
    stream.set_data(b"<x:xmpmeta><dc:title>" + ADDRESS.encode() + b"</dc:title>" + b" " * 600)
    stream[NameObject("/Type")] = NameObject("/Metadata")
    writer._root_object[NameObject("/Metadata")] = writer._add_object(stream)
    buffer = io.BytesIO()
    writer.write(buffer)
    monkeypatch.setattr(images, "MAX_XMP", 512)
    result = extract_resource("pdf", buffer.getvalue())
    assert result.not_read == ("the PDF's XMP metadata after its first 512 characters",)
    monkeypatch.setattr(pdf_text, "MAX_XMP_TEXT", 10)
    result = extract_resource("pdf", buffer.getvalue())
    assert "the PDF's XMP metadata after its first 10 characters read" in result.not_read


# -- end to end: the checks count a partly read resource apart ------------------------------


async def test_a_cap_that_stopped_reading_makes_the_page_partly_checked(
    world: Any, corpus: Any
) -> None:
    host = "api.leaks.example"
    start = f"https://{host}/"
    hidden = "<!-- draft: " + "notes " * (KB512 // 6 + 10) + f" lives at {ADDRESS} -->"
    world.web.route(host, "/", corpus.page("Home", '<a href="/news">News</a><p>Welcome</p>'))
    world.web.route(host, "/news", corpus.page("News", f"<p>Our news</p>{hidden}"))
    profile = corpus.corpus_profile(websites=(start,), extra_pages=())
    async with world.services() as services:
        report = await Engine.from_checks([PagesCheck]).run(profile, services)
    [partly] = [f for f in report.findings if f.subject == "partly-checked"]
    assert partly.status is Status.ERROR and partly.location == f"{start}news"
    assert partly.message == (
        "Partly checked: on this page, an HTML comment after its first 512 KB could not be "
        "read, so it was not checked."
    )
    [clean] = [f for f in report.findings if f.status is Status.PASS]
    assert "in the 1 pages checked (1 more could only be partly checked)" in clean.message


async def test_an_unreadable_page_is_never_counted_as_checked(
    world: Any, corpus: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(html: str, base_url: str) -> extract.PageContent:
        raise RuntimeError("a bug on hostile input")

    monkeypatch.setattr(pipeline, "extract_html", broken)
    host = "api.leaks.example"
    world.web.route(host, "/", corpus.page("Home", "<p>Welcome</p>"))
    profile = corpus.corpus_profile(websites=(f"https://{host}/",), extra_pages=())
    async with world.services() as services:
        report = await Engine.from_checks([PagesCheck]).run(profile, services)
    [finding] = report.findings
    assert finding.status is Status.ERROR and finding.subject == "unreadable"
    assert finding.message == (
        "Could not read this page, so it was not checked: it could not be read (RuntimeError)."
    )


async def test_photos_and_documents_cut_at_the_body_cap_are_partly_checked(
    world: Any, corpus: Any
) -> None:
    host = "api.leaks.example"
    start = f"https://{host}/"
    padding = b"\x00" * (5 * 1024 * 1024 + 1000)  # past the 5 MB body cap
    photo = make_jpeg() + padding
    document = make_pdf(["Nothing personal"]) + b"%" + padding
    world.web.route(
        host, "/", corpus.page("Home", '<img src="/big.jpg"><a href="/big.pdf">report</a>')
    )
    world.web.route(host, "/big.jpg", corpus.binary(photo, "image/jpeg"))
    world.web.route(host, "/big.pdf", corpus.binary(document, "application/pdf"))
    profile = corpus.corpus_profile(websites=(start,), extra_pages=())
    async with world.services() as services:
        report = await Engine.from_checks([PhotosCheck, DocumentsCheck]).run(profile, services)
    partly = {f.location: f.message for f in report.findings if f.subject == "partly-checked"}
    cut = "the file after its first 5 MB (the rest was not downloaded)"
    assert partly == {
        f"{start}big.jpg": f"Partly checked: on this photo, {cut} could not be read, so it was "
        "not checked.",
        f"{start}big.pdf": f"Partly checked: on this document, {cut} could not be read, so it "
        "was not checked.",
    }, [f.message for f in report.findings]
    # Nothing was read in full: neither check claims a pass.
    assert not [f for f in report.findings if f.status is Status.PASS]


async def test_no_photo_read_is_never_a_pass_over_zero_photos(world: Any, corpus: Any) -> None:
    host = "api.leaks.example"
    start = f"https://{host}/"
    world.web.route(host, "/", corpus.page("Home", '<img src="/broken.jpg">'))
    world.web.route(host, "/broken.jpg", corpus.binary(b"not a picture at all", "image/jpeg"))
    profile = corpus.corpus_profile(websites=(start,), extra_pages=())
    async with world.services() as services:
        report = await Engine.from_checks([PhotosCheck]).run(profile, services)
    assert [(f.status, f.subject) for f in report.findings] == [(Status.ERROR, "unreadable")]
    world.web.route(host, "/", corpus.page("Home", "<p>No pictures here</p>"))
    async with world.services() as services:
        report = await Engine.from_checks([PhotosCheck]).run(profile, services)
    assert [(f.status, f.message) for f in report.findings] == [
        (Status.PASS, "No photos were found on your sites.")
    ]


def test_rdap_contacts_past_their_caps_are_named() -> None:
    contact = {"roles": ["registrant"], "vcardArray": ["vcard", [["fn", {}, "text", "A"]]]}
    many = {"objectClassName": "domain", "ldhName": "x.example", "entities": [contact] * 120}
    assert parse_domain(many).not_read == ("the contacts after the first 100",)
    nested: dict[str, Any] = dict(contact)
    for _ in range(7):
        nested = {**contact, "entities": [nested]}
    deep = {"objectClassName": "domain", "ldhName": "x.example", "entities": [nested]}
    assert parse_domain(deep).not_read == ("the contacts nested deeper than 4 levels",)
    plain = {"objectClassName": "domain", "ldhName": "x.example", "entities": [contact]}
    assert parse_domain(plain).not_read == ()
