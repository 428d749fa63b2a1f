"""The binary files on the demo site, made in memory: a leaflet PDF and a geotagged photo."""

from __future__ import annotations

import functools
import io

from PIL import Image

from auditor.demo import candidate as c


def _pdf_string(text: str) -> str:
    return "(" + text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ")"


@functools.cache
def leaflet_pdf() -> bytes:
    """A one-page leaflet whose imprint gives the home address (and whose metadata names
    the candidate as Author), written by hand so it needs no PDF library to build."""
    lines = [
        f"Alex Marlowe for {c.WARD}",
        "Fixing the potholes on Station Road. Saving the Hollin Vale library.",
        f"Contact the campaign: {c.CAMPAIGN_EMAIL} or {c.OFFICE_PHONE_DISPLAY}",
        f"Promoted by {c.AGENT} on behalf of {c.NAME}, both of {c.HOME_ONE_LINE}.",
    ]
    text_ops = ["BT", "/F1 11 Tf", "14 TL", "50 780 Td"]
    for line in lines:
        text_ops += [f"{_pdf_string(line)} Tj", "T*"]
    text_ops.append("ET")
    stream = "\n".join(text_ops).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        (
            f"<< /Title {_pdf_string('Hollin Vale spring leaflet')} "
            f"/Author {_pdf_string(c.NAME)} /Creator {_pdf_string('Writer')} >>"
        ).encode("latin-1"),
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R /Info 6 0 R >>\nstartxref\n%d\n%%%%EOF\n"
        % (len(objects) + 1, xref)
    )
    return out.getvalue()


def _dms(value: float) -> tuple[float, float, float]:
    value = abs(value)
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = round((value - degrees - minutes / 60) * 3600, 2)
    return float(degrees), float(minutes), seconds


@functools.cache
def canvassing_photo() -> bytes:
    """A tiny JPEG whose EXIF GPS puts it about 20 m from the candidate's front door."""
    latitude, longitude = c.HOME_LAT + 0.00015, c.HOME_LON + 0.0001
    image = Image.new("RGB", (32, 24), (118, 158, 92))
    exif = Image.Exif()
    exif[0x010F] = "DemoPhone"  # Make
    exif[0x0110] = "DemoPhone 12"  # Model
    exif[0x0132] = "2026:09:14 10:21:07"  # DateTime
    # The GPS IFD is assigned as a whole: with Pillow 10 and 11.0 the dict from get_ifd() is a copy,
    # and what is written into it never reaches the saved file.
    exif[0x8825] = {
        1: "N" if latitude >= 0 else "S",
        2: _dms(latitude),
        3: "E" if longitude >= 0 else "W",
        4: _dms(longitude),
    }
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif, quality=60)
    return buffer.getvalue()


BIMI_LOGO = (
    '<svg xmlns="http://www.w3.org/2000/svg" version="1.2" baseProfile="tiny-ps" '
    'viewBox="0 0 64 64"><title>Alex Marlowe</title>'
    '<rect width="64" height="64" fill="#2a6f4e"/>'
    '<text x="10" y="42" font-size="30" fill="#fff">AM</text></svg>'
)
