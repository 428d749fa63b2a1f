"""The pure matchers and extractors: precise address, postcode, phone and email matching;
text from every corner of a page; never raising on hostile input; bounded work."""

from __future__ import annotations

import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from auditor.profile import Address, Profile
from auditor.standards.content.cards import extract_vcard
from auditor.standards.content.exif_gps import ImageUnreadable, read_gps, xmp_point
from auditor.standards.content.extract import extract_html, json_ld_texts, map_points
from auditor.standards.content.pdf_text import PdfUnreadable, read_pdf
from auditor.standards.content.rdap_parse import RdapFormatError, parse_bootstrap, parse_domain
from auditor.standards.identity.addresses import address_key
from auditor.standards.identity.imprint_text import find_imprints
from auditor.standards.identity.matchers import IdentityMatcher, haversine_m

HOME = Address(("Flat 3", "12 Acacia Avenue", "Ashcombe"), "AB1 2CD", 51.501, -0.142)
PROFILE = Profile(
    name="Alex Example",
    home_addresses=(HOME,),
    phones=("+447700900123",),
    emails=("alex.home@example.net",),
    public_addresses=(Address(("40 Acacia Avenue", "Ashcombe"), "AB1 2CE"),),
)
MATCHER = IdentityMatcher.from_profile(PROFILE)


def kinds(text: str) -> set[str]:
    return {m.kind for m in MATCHER.find(text)}


@pytest.mark.parametrize(
    "text",
    [
        "12 Acacia Avenue",
        "12 acacia ave.",
        "12, Acacia Av",
        "Flat 3, 12 Acacia Avenue",
        "3/12 Acacia Avenue",
        "12\u00a0Aca\u200bcia Avenue",
        "Visit 12+Acacia+Avenue",
        "12 ACACIA AVE, Ashcombe",
    ],
)
def test_the_home_address_is_found_in_its_many_spellings(text: str) -> None:
    assert "home-address" in kinds(text)


@pytest.mark.parametrize(
    "text",
    [
        "112 Acacia Avenue",
        "12a Acacia Avenue",
        "14 Acacia Avenue",
        "Flat 5, 12 Acacia Avenue",
        "40 Acacia Avenue, Ashcombe AB1 2CE",  # the public office
        "12 Acacia Road",
        "AB1 2CE",
        "AB12 2CD",
        "XAB1 2CD",
    ],
)
def test_near_misses_are_not_the_home(text: str) -> None:
    assert not kinds(text) & {"home-address", "postcode"}


@pytest.mark.parametrize("text", ["AB1 2CD", "ab12cd", "AB1\u00a02CD", "AB1+2CD", "AB1%202CD"])
def test_postcode_alone_is_high_and_with_number_critical(text: str) -> None:
    (match,) = MATCHER.find(f"Write to Ashcombe {text}")
    assert (match.kind, match.severity.value) == ("postcode", "high")
    near = MATCHER.find(f"No. 12, Ashcombe {text}")
    assert [(m.kind, m.severity.value) for m in near] == [("home-address", "critical")]


def test_street_alone_is_medium_and_public_addresses_never_match() -> None:
    (street,) = MATCHER.find("Canvassing on Acacia Avenue today")
    assert (street.kind, street.severity.value) == ("street", "medium")
    assert MATCHER.find("Office: 40 Acacia Avenue, Ashcombe AB1 2CE") == []


@pytest.mark.parametrize(
    "text",
    [
        "alex.home@example.net",
        "ALEX.HOME@EXAMPLE.NET",
        "alex.home [at] example [dot] net",
        "alex.home(at)example(dot)net",
        "alex.home at example dot net",
        "alex.home {at} example {dot} net",
        "alex [dot] home [at] example [dot] net",
    ],
)
def test_personal_email_and_its_disguises(text: str) -> None:
    assert kinds(text) == {"email"}


@pytest.mark.parametrize(
    "text", ["alex.home@example.net.uk", "xalex.home@example.net", "alex.homes@example.net"]
)
def test_email_lookalikes(text: str) -> None:
    assert kinds(text) == set()


@pytest.mark.parametrize(
    "text",
    ["07700 900123", "07700900123", "+44 (0)7700 900 123", "+44 7700 900123", "+44.7700900123"],
)
def test_phone_formats_compare_in_e164(text: str) -> None:
    assert kinds(f"Call {text} now") == {"phone"}


def test_phone_lookalikes() -> None:
    assert kinds("Call 07700 900124 or 01632 960123") == set()


def test_address_lines_are_read_into_keys() -> None:
    key = address_key(Address(("Rose Cottage", "Mill Lane", "Ashcombe"), "ab1 2cd"), "home-1")
    assert (key.house_name, key.street, key.postcode) == (
        ("rose", "cottage"),
        ("mill", "ln"),
        "AB1 2CD",
    )
    key = address_key(Address(("3/12 Acacia Avenue",), ""), "home-1")
    assert (key.flat, key.number, key.street) == ("3", "12", ("acacia", "ave"))
    key = address_key(Address(("12", "Acacia Avenue"), ""), "home-1")
    assert (key.number, key.street) == ("12", ("acacia", "ave"))
    named = IdentityMatcher.from_profile(
        Profile(name="A", home_addresses=(Address(("Rose Cottage", "Mill Lane"), "AB1 2CD"),))
    )
    assert {m.kind for m in named.find("Rose Cottage, Mill Lane")} == {"home-address"}
    assert {m.kind for m in named.find("Rose Cottage, Ashcombe AB1 2CD")} == {"home-address"}


def test_extraction_reaches_split_text_attributes_and_structured_data() -> None:
    page = extract_html(
        "<p><span>12</span><span>Acacia</span> <b>Av</b>enue</p>"
        '<img src="/a.jpg" alt="the porch"><a href="tel:+447700900123">c</a>'
        '<a href="mailto:alex.home%40example.net">m</a>'
        '<div class="h-card"><span class="p-street-address">x</span></div>'
        '<iframe src="https://maps.google.com/maps?q=12+Acacia+Avenue"></iframe>'
        '<script type="application/ld+json">{"geo": {"latitude": 51.5, "longitude": -0.1}}'
        "</script><script>var x = '12 Acacia Avenue';</script>",
        "https://site.example/",
    )
    sources = {s.source: s.text for s in page.segments}
    assert sources["page-text"].startswith("12 Acacia Avenue")
    assert "12 Acacia Avenue" not in sources["page-text"][20:]  # scripts are not text
    assert sources["tel-link"] == "+447700900123"
    assert sources["mailto-link"] == "alex.home@example.net"
    assert sources["map-embed"] == "12 Acacia Avenue"
    assert page.images == ["https://site.example/a.jpg"]
    assert [(p.latitude, p.longitude) for p in page.points] == [(51.5, -0.1)]


@pytest.mark.parametrize(
    ("url", "point"),
    [
        ("https://www.google.com/maps/embed?pb=!1m2!2d-0.142!3d51.501", (51.501, -0.142)),
        ("https://www.google.com/maps/place/X/@51.501,-0.142,17z", (51.501, -0.142)),
        ("https://www.google.com/maps/place/X/data=!3d51.501!4d-0.142", (51.501, -0.142)),
        ("https://www.openstreetmap.org/?mlat=51.501&mlon=-0.142", (51.501, -0.142)),
        ("https://www.openstreetmap.org/#map=18/51.501/-0.142", (51.501, -0.142)),
        ("https://maps.google.com/?ll=51.501,-0.142", (51.501, -0.142)),
    ],
)
def test_map_coordinates(url: str, point: tuple[float, float]) -> None:
    assert (map_points(url)[0].latitude, map_points(url)[0].longitude) == point


def test_vcard_json_ld_imprints_and_distance() -> None:
    card = extract_vcard(
        "BEGIN:VCARD\r\nADR;TYPE=home:;;12 Acacia\r\n  Avenue;Ashcombe;;AB1 2CD\r\n"
    )
    assert "home-address" in {m.kind for s in card.segments for m in MATCHER.find(s.text)}
    assert json_ld_texts("not json") == []
    (imprint,) = find_imprints("Vote! Printed and published by A Agent, 40 Acacia Avenue.")
    assert imprint.text.startswith("Printed and published by")
    assert 1100 < haversine_m(51.501, -0.142, 51.511, -0.142) < 1120


def test_broken_files_raise_only_their_own_errors() -> None:
    with pytest.raises(PdfUnreadable):
        read_pdf(b"%PDF-1.4 garbage")
    with pytest.raises(ImageUnreadable):
        read_gps(b"\xff\xd8\xff garbage")
    with pytest.raises(RdapFormatError):
        parse_domain(["not", "a", "domain"])
    with pytest.raises(RdapFormatError):
        parse_bootstrap({"services": "no"})
    assert xmp_point('exif:GPSLatitude="91,0N" exif:GPSLongitude="0,1W"') is None


# -- never raise, bounded work ---------------------------------------------------------------

TEXTISH = st.text(
    alphabet=st.sampled_from(list("12 3aA/,.@[]()+%-AcaciAvenue\u00a0BCD<>=\"'&#;:!dlt"))
    | st.characters(),
    max_size=400,
)


@given(TEXTISH)
def test_matcher_never_raises(text: str) -> None:
    for match in MATCHER.find(text):
        assert 0 <= match.start <= match.end


@given(TEXTISH)
def test_extractors_never_raise(text: str) -> None:
    extract_html(text, "https://site.example/")
    extract_vcard(text)
    json_ld_texts(text)
    map_points(text)
    find_imprints(text)
    xmp_point(text)


@given(st.binary(max_size=300))
def test_file_readers_raise_only_their_own_errors(data: bytes) -> None:
    for reader, error in ((read_pdf, PdfUnreadable), (read_gps, ImageUnreadable)):
        try:
            reader(data)
        except error:
            pass


@pytest.mark.parametrize(
    "hostile",
    [
        "1" * 100_000,
        "12 " * 33_000 + "Acacia",
        "AB1" + " " * 100_000 + "2CD",
        "alex.home " + "[at] " * 20_000,
        "a." * 50_000 + "@",
        "!2d1.1" * 16_000,
        "Promoted by " * 8_000,
        ("<span>" * 10_000) + "12 Acacia Avenue",
        "Acacia Avenue " * 7_000,
        "12 AB1 2CD " * 10_000,
        "alex.home@example.net " * 4_500,
    ],
    ids=[
        "digits",
        "numbers",
        "spaces",
        "at",
        "dots",
        "map",
        "imprints",
        "nesting",
        "streets",
        "postcodes",
        "emails",
    ],
)
def test_hostile_100kb_inputs_finish(hostile: str) -> None:
    # Linear-time patterns: these complete in the normal test run; a catastrophic regex
    # would not. No timing assertion, just completion and sane output.
    MATCHER.find(hostile)
    extract_html(hostile, "https://site.example/")
    map_points(hostile)
    find_imprints(hostile)


def test_pdf_reading_is_bounded_in_pages() -> None:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(50):
        writer.add_blank_page(100, 100)
    buffer = io.BytesIO()
    writer.write(buffer)
    content = read_pdf(buffer.getvalue(), max_pages=5)
    assert (content.page_count, content.pages_read) == (50, 5)


def test_an_imprint_cut_at_its_limit_says_so_and_its_cut_tail_is_masked() -> None:
    from auditor.masking import compile_masker
    from auditor.standards.identity.imprint_text import MAX_IMPRINT

    whole = "Promoted by A Agent, 40 Acacia Avenue."
    assert not find_imprints(whole)[0].text.endswith("…")
    # The home street straddles the cut: what is left of it sits beside the ellipsis.
    filler = "Promoted by A Agent on behalf of the Ashcombe campaign, " + "x " * 200
    lead = filler[: MAX_IMPRINT - len("12 Aca")] + "12 Acacia Avenue, Ashcombe AB1 2CD"
    (cut,) = find_imprints(lead)
    assert cut.text.endswith("12 Aca…"), cut.text[-20:]
    masker = compile_masker(["12 Acacia Avenue", "AB1 2CD"])
    assert masker is not None
    masked = masker.text(cut.text)
    assert "Aca…" not in masked and masked.endswith("…"), masked[-20:]
