"""A PDF's hidden parts (issue 15) and its honest limits (issue 13), on files pypdf writes:
annotations, form-field values, attached files and XMP are read; later pages, pages whose text
extraction raised, and encrypted files are named, never counted as checked."""

from __future__ import annotations

import io
import zlib
from typing import Any

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

from auditor.engine import Engine
from auditor.model import Status
from auditor.standards.content.pdf_text import MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS
from auditor.standards.content.pipeline import extract
from checks.exposure.documents import DocumentsCheck
from tests.exposure.conftest import helvetica_page
from tests.exposure.test_places import MATCHER

XMP = (
    b'<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">'
    b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
    b'xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/" xmlns:Iptc4xmpCore="http://iptc.org/'
    b'std/Iptc4xmpCore/1.0/xmlns/" photoshop:City="Ashcombe"><Iptc4xmpCore:CreatorContactInfo '
    b'Iptc4xmpCore:CiAdrExtadr="12 Acacia Avenue" Iptc4xmpCore:CiAdrPcode="AB1 2CD"/>'
    b'</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>'
)


def embedded_stream(writer: PdfWriter, name: str) -> Any:
    """The /EmbeddedFile stream pypdf wrote for an attachment, found through the catalogue's
    name tree (add_attachment returns nothing before pypdf 4.1, the declared floor is 4.0)."""
    root: Any = writer._root_object
    names = root["/Names"]["/EmbeddedFiles"]["/Names"]
    for key, spec in zip(names[::2], names[1::2], strict=True):
        if key == name:
            return spec.get_object()["/EF"]["/F"].get_object()
    raise KeyError(name)


def written(writer: PdfWriter) -> bytes:
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def places(data: bytes) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for segment in extract("pdf", data).segments:
        kinds = {m.kind for m in MATCHER.find(segment.text)}
        if kinds:
            found.setdefault(segment.where, set()).update(kinds)
    return found


def test_annotations_form_fields_attachments_and_xmp() -> None:
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.add_annotation(0, Text(rect=(10, 10, 50, 50), text="Meet at 12 Acacia Avenue"))
    writer.add_annotation(
        0, Link(rect=(10, 60, 50, 90), url="https://www.google.com/maps/@51.501,-0.142,17z")
    )
    writer.add_attachment("card.vcf", b"BEGIN:VCARD\r\nTEL:07700 900123\r\nEND:VCARD\r\n")
    field = DictionaryObject(
        {
            NameObject("/FT"): NameObject("/Tx"),
            NameObject("/T"): TextStringObject("Your email"),
            NameObject("/V"): TextStringObject("alex.home@example.net"),
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/Widget"),
            NameObject("/Rect"): ArrayObject([NumberObject(0)] * 4),
        }
    )
    writer._root_object[NameObject("/AcroForm")] = DictionaryObject(
        {NameObject("/Fields"): ArrayObject([writer._add_object(field)])}
    )
    metadata = DecodedStreamObject()
    metadata.set_data(XMP)
    metadata[NameObject("/Type")] = NameObject("/Metadata")
    metadata[NameObject("/Subtype")] = NameObject("/XML")
    writer._root_object[NameObject("/Metadata")] = writer._add_object(metadata)
    data = written(writer)
    assert places(data) == {
        "in a comment on page 1 of the PDF (Text)": {"home-address"},
        "in the PDF's form field \u201cYour email\u201d": {"email"},
        "in the file card.vcf attached to the PDF, the contact card's phone number (TEL)": {
            "phone"
        },
        "in the PDF's XMP metadata": {"home-address"},
    }
    (point,) = extract("pdf", data).points
    assert (point.latitude, point.longitude, point.where) == (
        51.501,
        -0.142,
        "in a link on page 1 of the PDF (a map)",
    )


def test_pages_after_the_30th_and_broken_pages_are_named_as_not_read() -> None:
    writer = PdfWriter()
    broken = writer.add_blank_page(100, 100)
    stream = DecodedStreamObject()
    # an inline image with no end: pypdf's text extraction raises on it
    stream.set_data(b"BT /F1 12 Tf (x) Tj ET BI /W 5 /H 5 /BPC 8 /CS /RGB ID \x00\x01")
    broken[NameObject("/Contents")] = writer._add_object(stream)
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
        }
    )
    broken[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/Font"): DictionaryObject({NameObject("/F1"): writer._add_object(font)})}
    )
    for _ in range(44):
        writer.add_blank_page(100, 100)
    result = extract("pdf", written(writer))
    assert result.not_read == (
        "the text of page 1 (it could not be extracted)",
        "pages 31 to 45 (only the first 30 are read)",
    )


def test_an_encrypted_pdf_is_reported_as_encrypted() -> None:
    writer = PdfWriter()
    writer.add_blank_page(100, 100)
    writer.encrypt(user_password="secret", algorithm="AES-128")
    assert (
        extract("pdf", written(writer)).unreadable == "the PDF is encrypted (it needs a password)"
    )
    open_writer = PdfWriter()  # encrypted with an empty user password: readable, so read
    open_writer.add_blank_page(100, 100)
    open_writer.encrypt(user_password="", owner_password="owner", algorithm="AES-128")
    assert extract("pdf", written(open_writer)).unreadable == ""


def test_attached_files_past_their_caps_are_named() -> None:
    # More files than are read, a file past the bytes read for all of them together, and a
    # card inside an attached PDF (one level is read): each is named, none is dropped.
    many = PdfWriter()
    many.add_blank_page(100, 100)
    for number in range(MAX_ATTACHMENTS + 1):
        many.add_attachment(f"note{number:02}.txt", b"Nothing personal here.")
    assert extract("pdf", written(many)).not_read == (
        f"the attached files after the first {MAX_ATTACHMENTS}",
    )
    large = PdfWriter()
    large.add_blank_page(100, 100)
    large.add_attachment("card.vcf", b"BEGIN:VCARD\r\nTEL:07700 900123\r\nEND:VCARD\r\n")
    large.add_attachment("zz-big.txt", b"x" * (MAX_ATTACHMENT_BYTES + 1))
    result = extract("pdf", written(large))
    assert result.not_read == ("the attached file zz-big.txt (it is too large)",)
    assert "phone" in places(written(large)).get(
        "in the file card.vcf attached to the PDF, the contact card's phone number (TEL)", set()
    )
    outer = PdfWriter()
    outer.add_blank_page(100, 100)
    inner = PdfWriter()
    inner.add_blank_page(100, 100)
    inner.add_attachment("card.vcf", b"BEGIN:VCARD\r\nTEL:07700 900123\r\nEND:VCARD\r\n")
    outer.add_attachment("inner.pdf", written(inner))
    assert extract("pdf", written(outer)).not_read == (
        "the attached file card.vcf (inside an attached PDF) of the attached file inner.pdf",
    )


def with_a_broken_attachment() -> bytes:
    """A leaflet with two attached files: a contact card, and notes whose stream says it is
    hex-encoded (``/ASCIIHexDecode``) but is not, so pypdf cannot unpack it (it raises)."""
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.add_attachment("card.vcf", b"BEGIN:VCARD\r\nTEL:07700 900123\r\nEND:VCARD\r\n")
    writer.add_attachment("notes.txt", b"Alex lives at 12 Acacia Avenue, Ashcombe.")
    stream = embedded_stream(writer, "notes.txt")
    stream[NameObject("/Filter")] = NameObject("/ASCIIHexDecode")
    return written(writer)


def test_an_attached_file_pypdf_cannot_unpack_is_named_and_the_rest_read() -> None:
    data = with_a_broken_attachment()
    assert extract("pdf", data).not_read == (
        "the attached file notes.txt (its contents could not be unpacked)",
    )
    assert places(data) == {  # the card beside it is still read; the notes' address is not
        "in the file card.vcf attached to the PDF, the contact card's phone number (TEL)": {"phone"}
    }


async def test_a_document_with_an_attached_file_that_cannot_be_unpacked_is_partly_checked(
    world: Any, corpus: Any
) -> None:
    host = "api.leaks.example"
    start = f"https://{host}/"
    world.web.route(host, "/", corpus.page("Home", '<a href="/leaflet.pdf">Our leaflet</a>'))
    world.web.route(
        host, "/leaflet.pdf", corpus.binary(with_a_broken_attachment(), "application/pdf")
    )
    profile = corpus.corpus_profile(websites=(start,), extra_pages=())
    async with world.services() as services:
        report = await Engine.from_checks([DocumentsCheck]).run(profile, services)
    assert "/leaflet.pdf" in [r.path for r in world.web.requests_to(host)]
    everything = [(f.status, f.subject, f.message) for f in report.findings]
    assert not [f for f in report.findings if f.status is Status.PASS], everything
    [partly] = [f for f in report.findings if f.subject == "partly-checked"]
    assert partly.status is Status.ERROR and partly.status.could_not_check
    assert partly.location == f"{start}leaflet.pdf"
    assert partly.message == (
        "Partly checked: on this document, the attached file notes.txt (its contents could not "
        "be unpacked) could not be read, so it was not checked."
    ), everything


def with_a_flate_attachment(packed: bytes) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.add_attachment("card.vcf", b"BEGIN:VCARD\r\nTEL:07700 900123\r\nEND:VCARD\r\n")
    writer.add_attachment("notes.txt", b"")
    stream = embedded_stream(writer, "notes.txt")
    stream[NameObject("/Filter")] = NameObject("/FlateDecode")
    stream.set_data(packed)  # written as it is: the Flate bytes of the file
    return written(writer)


def test_an_attached_file_whose_flate_stream_is_cut_short_is_named() -> None:
    # pypdf unpacks what it can of a damaged stream and says so only in its log: the notes
    # would read as whole, the address in their lost part unseen, with nothing said.
    packed = zlib.compress(b"Alex's campaign notes. " * 40 + b"Alex lives at 12 Acacia Avenue.")
    damaged = bytearray(packed)
    damaged[len(packed) // 2 :] = b"\x00" * (len(packed) - len(packed) // 2)
    for broken in (packed[: len(packed) // 2], bytes(damaged)):
        data = with_a_flate_attachment(broken)
        assert extract("pdf", data).not_read == (
            "the rest of the attached file notes.txt (it is damaged)",
        )
        assert "home-address" not in {k for kinds in places(data).values() for k in kinds}
    whole = with_a_flate_attachment(packed)
    assert extract("pdf", whole).not_read == ()  # read whole: nothing to say
    where = "in the file notes.txt attached to the PDF, a text file offered for download"
    assert "home-address" in places(whole)[where]


def with_flate_page_text(lines: list[str], cut: bool) -> bytes:
    writer = PdfWriter()
    page = helvetica_page(writer)
    # A text object a line: cut between two, what comes before still extracts without error.
    operations = [
        f"BT /F1 12 Tf 72 {760 - 12 * n} Td ({line}) Tj ET" for n, line in enumerate(lines)
    ]
    packed = zlib.compress("\n".join(operations).encode("latin-1"))
    stream = DecodedStreamObject()
    stream.set_data(packed[: len(packed) // 2] if cut else packed)  # written as it is
    stream[NameObject("/Filter")] = NameObject("/FlateDecode")
    page[NameObject("/Contents")] = writer._add_object(stream)
    return written(writer)


def test_a_page_whose_flate_text_is_cut_short_is_named() -> None:
    lines = [f"Campaign news item {n}." for n in range(60)] + ["Alex lives at 12 Acacia Avenue."]
    cut = with_flate_page_text(lines, cut=True)
    result = extract("pdf", cut)
    assert "Campaign news item 0." in result.segments[0].text  # the part unpacked is read
    assert result.not_read == ("the rest of the text of page 1 (it is damaged)",)
    assert "home-address" not in {k for kinds in places(cut).values() for k in kinds}
    whole = with_flate_page_text(lines, cut=False)
    assert extract("pdf", whole).not_read == ()
    assert places(whole) == {"in the text of page 1": {"home-address"}}
