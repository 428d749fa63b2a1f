"""A photo's hidden text fields and position (issue 15), in every format a campaign site
serves, written by Pillow (EXIF, PNG chunks, WebP, TIFF tags) with XMP packets in the form
Adobe's tools write; and the photo oddities of issue 13 (a zero EXIF denominator, Pillow's
decompression warning)."""

from __future__ import annotations

import io
import struct
import subprocess
import sys
import zlib

import pytest
from PIL import Image, PngImagePlugin, TiffImagePlugin, features

from auditor.standards.content.images import ImageUnreadable, read_image
from auditor.standards.content.pipeline import extract
from tests.exposure.test_places import MATCHER

# An XMP packet as Lightroom and Photoshop write it (attributes on rdf:Description, language
# alternatives for dc:description and dc:title, IPTC Core contact details as a structure).
XMP = """<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="Adobe XMP Core 7.0-c000">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/"
    xmlns:Iptc4xmpCore="http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/"
    xmlns:exif="http://ns.adobe.com/exif/1.0/"
    photoshop:City="Ashcombe" photoshop:State="Shire"
    exif:GPSLatitude="{lat}" exif:GPSLongitude="{lon}">
   <dc:description><rdf:Alt><rdf:li xml:lang="x-default">{description}</rdf:li></rdf:Alt>
   </dc:description>
   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">Garden</rdf:li></rdf:Alt></dc:title>
   <Iptc4xmpCore:CreatorContactInfo
     Iptc4xmpCore:CiAdrExtadr="{street}" Iptc4xmpCore:CiAdrCity="Ashcombe"
     Iptc4xmpCore:CiAdrPcode="{postcode}" Iptc4xmpCore:CiTelWork="{phone}"
     Iptc4xmpCore:CiEmailWork="{email}"/>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>"""


def xmp(
    description: str = "Summer party",
    street: str = "",
    postcode: str = "",
    phone: str = "",
    email: str = "",
    lat: str = "28,17.496N",
    lon: str = "16,37.746W",
) -> bytes:
    return XMP.format(
        description=description,
        street=street,
        postcode=postcode,
        phone=phone,
        email=email,
        lat=lat,
        lon=lon,
    ).encode()


def exif(
    description: str = "", title: str = "", comment: bytes = b"", artist: str = ""
) -> Image.Exif:
    tags = Image.Exif()
    if description:
        tags[0x010E] = description
    if artist:
        tags[0x013B] = artist
    if title:
        tags[0x9C9B] = title.encode("utf-16-le") + b"\x00\x00"
        tags[0x9C9F] = title.encode("utf-16-le") + b"\x00\x00"
    if comment:
        tags[0x8769] = {0x9286: comment}
    return tags


def jpeg_with_app(segment_marker: bytes, body: bytes, tags: Image.Exif | None = None) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (90, 140, 60)).save(buffer, "JPEG", exif=tags or Image.Exif())
    data = buffer.getvalue()
    segment = segment_marker + (len(body) + 2).to_bytes(2, "big") + body
    return data[:2] + segment + data[2:]


def iptc_block(fields: dict[int, str]) -> bytes:
    """A Photoshop APP13 segment with an IPTC-NAA (IIM) resource, as Photoshop writes it."""
    iim = b"".join(
        b"\x1c\x02" + bytes([number]) + len(value.encode()).to_bytes(2, "big") + value.encode()
        for number, value in fields.items()
    )
    resource = b"8BIM" + (0x0404).to_bytes(2, "big") + b"\x00\x00" + struct.pack(">I", len(iim))
    resource += iim + (b"\x00" if len(iim) % 2 else b"")
    return b"Photoshop 3.0\x00" + resource


def kinds(data: bytes) -> dict[str, set[str]]:
    content = read_image(data)
    found: dict[str, set[str]] = {}
    for segment in content.segments:
        matched = {m.kind for m in MATCHER.find(segment.text)}
        if matched:
            found.setdefault(segment.where, set()).update(matched)
    return found


def test_exif_text_fields_in_a_jpeg() -> None:
    tags = exif(
        description="Garden party at 12 Acacia Avenue",
        title="Ashcombe AB1 2CD",
        comment=b"UNICODE\x00" + "Call 07700 900123".encode("utf-16-le"),
        artist="alex.home@example.net",
    )
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buffer, "JPEG", exif=tags)
    assert kinds(buffer.getvalue()) == {
        "in the photo's description field (EXIF ImageDescription)": {"home-address"},
        "in the photo's title (Windows XPTitle)": {"postcode"},
        "in the photo's subject (Windows XPSubject)": {"postcode"},
        "in the photo's user comment (EXIF UserComment)": {"phone"},
        "in the photo's author field (EXIF Artist)": {"email"},
    }


def test_ascii_user_comment() -> None:
    buffer = io.BytesIO()
    tags = exif(comment=b"ASCII\x00\x00\x00Taken at 12 Acacia Avenue")
    Image.new("RGB", (8, 8)).save(buffer, "JPEG", exif=tags)
    assert kinds(buffer.getvalue()) == {
        "in the photo's user comment (EXIF UserComment)": {"home-address"}
    }


def test_xmp_description_and_creator_contact_in_a_jpeg() -> None:
    packet = xmp(
        description="On the doorstep, 12 Acacia Ave",
        street="Flat 3, 12 Acacia Avenue",
        postcode="AB1 2CD",
        phone="+44 7700 900123",
        email="alex.home@example.net",
    )
    data = jpeg_with_app(b"\xff\xe1", b"http://ns.adobe.com/xap/1.0/\x00" + packet)
    assert kinds(data) == {
        "in the photo's description field (XMP dc:description)": {"home-address"},
        "in the photographer's contact details (XMP IPTC CreatorContactInfo)": {
            "home-address",
            "phone",
            "email",
        },
    }


def test_a_far_away_gps_in_xmp_is_read_as_where_it_is() -> None:
    data = jpeg_with_app(b"\xff\xe1", b"http://ns.adobe.com/xap/1.0/\x00" + xmp())
    content = read_image(data)
    (point,) = content.points
    assert (round(point.latitude, 3), round(point.longitude, 3), point.source) == (
        28.292,
        -16.629,
        "xmp",
    )
    assert kinds(data) == {}  # "Ashcombe" alone is a town, not the home


def test_xmp_gps_as_elements() -> None:
    packet = (
        b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF><rdf:Description>'
        b"<exif:GPSLatitude>51,30.06N</exif:GPSLatitude>"
        b"<exif:GPSLongitude>0,8.52W</exif:GPSLongitude></rdf:Description></rdf:RDF></x:xmpmeta>"
    )
    data = jpeg_with_app(b"\xff\xe1", b"http://ns.adobe.com/xap/1.0/\x00" + packet)
    (point,) = read_image(data).points
    assert (round(point.latitude, 3), round(point.longitude, 3)) == (51.501, -0.142)


def test_iptc_iim_caption_city_and_contact() -> None:
    block = iptc_block({120: "Coffee at 12 Acacia Avenue", 90: "Ashcombe", 118: "07700 900123"})
    data = jpeg_with_app(b"\xff\xed", block)
    assert kinds(data) == {
        "in the photo's caption (IPTC)": {"home-address"},
        "in the photo's contact field (IPTC)": {"phone"},
    }


def test_png_exif_chunk_and_itxt_xmp() -> None:
    info = PngImagePlugin.PngInfo()
    info.add_itxt("XML:com.adobe.xmp", xmp(description="Drinks at 12 Acacia Avenue").decode())
    buffer = io.BytesIO()
    tags = exif(artist="alex.home@example.net")
    Image.new("RGB", (8, 8)).save(buffer, "PNG", pnginfo=info, exif=tags)
    assert kinds(buffer.getvalue()) == {
        "in the photo's description field (XMP dc:description)": {"home-address"},
        "in the photo's author field (EXIF Artist)": {"email"},
    }


def test_webp_exif_and_xmp() -> None:
    assert features.check("webp"), "this Pillow has no WebP support"
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8)).save(
        buffer,
        "WEBP",
        exif=exif(description="At 12 Acacia Avenue").tobytes(),
        xmp=xmp(email="alex.home@example.net"),
    )
    assert kinds(buffer.getvalue()) == {
        "in the photo's description field (EXIF ImageDescription)": {"home-address"},
        "in the photographer's contact details (XMP IPTC CreatorContactInfo)": {"email"},
    }


def test_tiff_tags_and_xml_packet() -> None:
    info = TiffImagePlugin.ImageFileDirectory_v2()
    info[0x010E] = "Front door, 12 Acacia Avenue"
    info[700] = xmp(phone="07700 900123")
    info.tagtype[700] = 1  # BYTE, as the TIFF XMP spec says
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buffer, "TIFF", tiffinfo=info)
    assert kinds(buffer.getvalue()) == {
        "in the photo's description field (EXIF ImageDescription)": {"home-address"},
        "in the photographer's contact details (XMP IPTC CreatorContactInfo)": {"phone"},
    }


def heic(payload: bytes) -> bytes:
    """An ISO base media file branded HEIC (ftyp) whose item data holds ``payload``."""
    ftyp = b"ftypheic" + b"\x00\x00\x00\x00" + b"mif1heic"
    mdat = b"mdat" + payload
    return struct.pack(">I", len(ftyp) + 4) + ftyp + struct.pack(">I", len(mdat) + 4) + mdat


def test_heic_metadata_is_read_from_the_raw_bytes() -> None:
    tags = exif(description="Taken at 12 Acacia Avenue")
    tags[0x8825] = {1: "N", 2: (51.0, 30.0, 3.6), 3: "W", 4: (0.0, 8.0, 31.2)}
    data = heic(b"\x00\x00\x00\x06" + tags.tobytes())
    content = read_image(data)
    assert kinds(data) == {
        "in the photo's description field (EXIF ImageDescription)": {"home-address"}
    }
    (point,) = content.points
    assert (round(point.latitude, 3), round(point.longitude, 3)) == (51.501, -0.142)
    assert content.not_read == []


def test_heic_without_findable_metadata_says_so() -> None:
    content = read_image(heic(b"\x00" * 64))
    assert content.not_read == [
        "the photo's hidden details (a HEIC photo's metadata could not be found without a "
        "HEIF decoder)"
    ]


def test_a_zero_exif_denominator_never_makes_the_position_nan() -> None:
    tags = Image.Exif()
    zero = TiffImagePlugin.IFDRational(1, 0)
    tags[0x8825] = {1: "N", 2: (51.0, 30.0, zero), 3: "W", 4: (0.0, 8.0, 31.2)}
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buffer, "JPEG", exif=tags)
    result = extract("image", buffer.getvalue())
    (point,) = result.points
    assert (round(point.latitude, 1), round(point.longitude, 3)) == (51.5, -0.142)
    assert result.not_read == (
        "the photo's exact GPS position (part of it is written with a zero divisor)",
    )
    tags[0x8825] = {1: "N", 2: (zero, 30.0, 1.0), 3: "W", 4: (0.0, 8.0, 31.2)}
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buffer, "JPEG", exif=tags)
    broken = extract("image", buffer.getvalue())
    assert broken.points == () and broken.not_read


def _huge_png() -> bytes:
    """A PNG header claiming 12,000 x 12,000 pixels (over Pillow's warning size), tiny body."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", 12_000, 12_000, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IEND", b"")


def test_pillows_decompression_warning_never_reaches_stderr() -> None:
    code = (
        "import sys; from auditor.standards.content.pipeline import extract; "
        "print(extract('image', sys.stdin.buffer.read()).unreadable or 'read')"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], input=_huge_png(), capture_output=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == b""
    assert done.stdout.strip() == b"read"


def test_broken_images_raise_only_image_unreadable() -> None:
    for data in (b"", b"\xff\xd8\xff\xe1\x00\x10Exif\x00\x00MM", b"GIF89a" + b"\x00" * 20):
        with pytest.raises(ImageUnreadable):
            read_image(data)
