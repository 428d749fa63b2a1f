"""Everything a photo says about where it was taken and who took it, read without decoding the
picture: the GPS position (EXIF or XMP) as a map point, and the text fields a person or an app
writes (EXIF ImageDescription, Artist, Copyright, the Windows XPTitle/XPComment/XPSubject/
XPAuthor/XPKeywords in UTF-16LE, UserComment with its charset prefix; XMP dc:description,
dc:title, dc:creator, photoshop:City/State/Country, the IPTC Core creator's contact details;
IPTC IIM captions, by-line, city and contact), in JPEG, PNG (eXIf, iTXt XMP), WebP and TIFF.

HEIC/HEIF photos cannot be opened by Pillow alone: their EXIF block and XMP packet are found
in the raw bytes instead (they are stored uncompressed), and the result says so when neither
could be found. Pillow's warnings (corrupt EXIF, decompression-bomb sizes) are silenced for its
modules: they are about the file, not for the person's terminal. Never raises anything but
ImageUnreadable.
"""

from __future__ import annotations

import io
import math
import re
import warnings
from dataclasses import dataclass, field
from typing import Any

from auditor.standards.content.extract import Segment
from auditor.standards.content.maps import MapPoint
from auditor.standards.content.unread import amount, note

# A photo's oddities are the file's business, never a line on the person's terminal; a filter
# (not catch_warnings, which is not thread-safe) scoped to Pillow's own modules.
warnings.filterwarnings("ignore", module=r"PIL(\.|$)")

MAX_XMP = 256 * 1024
MAX_FIELD = 4000
MAX_RAW_SCAN = 16 * 1024 * 1024  # bytes of a HEIC (or an oversized photo) searched for metadata
MAX_EXIF = 1024 * 1024  # an EXIF block: a JPEG's fits one 64 KB segment
MAX_TEXT_FIELDS = 200
MAX_XMP_VALUES = 20  # values of one XMP property (a list of keywords, a title per language)
GPS_IFD = 0x8825
EXIF_IFD = 0x8769

_EXIF_TEXT = (
    (0x010E, "in the photo's description field (EXIF ImageDescription)"),
    (0x013B, "in the photo's author field (EXIF Artist)"),
    (0x8298, "in the photo's copyright field (EXIF Copyright)"),
)
_XP_TEXT = (
    (0x9C9B, "in the photo's title (Windows XPTitle)"),
    (0x9C9C, "in the photo's comment (Windows XPComment)"),
    (0x9C9D, "in the photo's author field (Windows XPAuthor)"),
    (0x9C9E, "in the photo's keywords (Windows XPKeywords)"),
    (0x9C9F, "in the photo's subject (Windows XPSubject)"),
)
_USER_COMMENT = 0x9286
_XMP_FIELDS = (
    ("dc:description", "in the photo's description field (XMP dc:description)"),
    ("dc:title", "in the photo's title (XMP dc:title)"),
    ("dc:creator", "in the photo's author field (XMP dc:creator)"),
    ("dc:rights", "in the photo's copyright field (XMP dc:rights)"),
    ("photoshop:Headline", "in the photo's headline (XMP photoshop:Headline)"),
    ("exif:UserComment", "in the photo's user comment (XMP exif:UserComment)"),
)
_XMP_PLACE = ("Iptc4xmpCore:Location", "photoshop:City", "photoshop:State", "photoshop:Country")
_XMP_CONTACT = (
    "Iptc4xmpCore:CiAdrExtadr",
    "Iptc4xmpCore:CiAdrCity",
    "Iptc4xmpCore:CiAdrRegion",
    "Iptc4xmpCore:CiAdrPcode",
    "Iptc4xmpCore:CiAdrCtry",
    "Iptc4xmpCore:CiTelWork",
    "Iptc4xmpCore:CiEmailWork",
    "Iptc4xmpCore:CiUrlWork",
)
_IPTC_FIELDS = (
    ((2, 120), "in the photo's caption (IPTC)"),
    ((2, 80), "in the photo's by-line (IPTC)"),
    ((2, 105), "in the photo's headline (IPTC)"),
    ((2, 116), "in the photo's copyright notice (IPTC)"),
    ((2, 118), "in the photo's contact field (IPTC)"),
    ((2, 5), "in the photo's title (IPTC object name)"),
)
_IPTC_PLACE = ((2, 92), (2, 90), (2, 95), (2, 101))  # sublocation, city, state, country
_TAG_RE = re.compile(r"<[^<>]{0,500}>")
_ENTITY = {"&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&apos;": "'", "&#10;": " "}
_ENTITY_RE = re.compile(r"&(?:amp|lt|gt|quot|apos|#10);")
_HEIF_BRANDS = (b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1", b"avif")
_XMP_COORD = re.compile(
    r"(?:exif|drone-dji|Camera):(?:GPS)?(Latitude|Longitude)"
    r"(?:\s{0,5}=\s{0,5}\"|>)\s{0,5}"
    r"([+-]?[0-9]{1,3}(?:[.,][0-9]{1,12})?(?:,[0-9]{1,2}(?:\.[0-9]{1,12})?){0,2})\s{0,3}([NSEW]?)"
    r"[\"<]",
    re.IGNORECASE,
)


class ImageUnreadable(ValueError):
    """Not an image Pillow can open."""


@dataclass(frozen=True)
class GpsPoint:
    latitude: float
    longitude: float
    source: str  # "exif" | "xmp"
    raw: str  # as written in the file


@dataclass
class ImageContent:
    segments: list[Segment] = field(default_factory=list)
    points: list[MapPoint] = field(default_factory=list)
    not_read: list[str] = field(default_factory=list)
    gps: GpsPoint | None = None

    def add(self, text: str, where: str) -> None:
        if len(text) > MAX_FIELD:
            note(
                self.not_read, f"a text field of the photo after its first {MAX_FIELD:,} characters"
            )
        text = " ".join(text[:MAX_FIELD].split())
        if not text:
            return
        if len(self.segments) < MAX_TEXT_FIELDS:
            self.segments.append(Segment("photo-text", text, where))
        else:
            note(self.not_read, f"the photo's text fields after the first {MAX_TEXT_FIELDS}")


def is_heif(data: bytes) -> bool:
    return data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS


def read_image(data: bytes, content_type: str = "", url: str = "") -> ImageContent:
    """The photo's GPS point and text fields. Raises ImageUnreadable."""
    content = ImageContent()
    if is_heif(data):
        _read_raw(data, content)
        if (
            not content.segments
            and content.gps is None
            and b"Exif\x00\x00" not in data[:MAX_RAW_SCAN]
        ):
            content.not_read.append(
                "the photo's hidden details (a HEIC photo's metadata could not be found without "
                "a HEIF decoder)"
            )
        _finish(content)
        return content
    try:
        from PIL import Image, UnidentifiedImageError
    except ImportError as exc:  # pragma: no cover - Pillow is a dependency
        raise ImageUnreadable("Pillow is not installed") from exc
    try:
        with Image.open(io.BytesIO(data)) as image:
            exif = _exif_without_decoding(image, data, content)
            _read_exif(exif, content)
            _read_png_text(image, content)
            xmp = _image_xmp(image, exif)
            _read_iptc(image, content)
    except Image.DecompressionBombError:
        # Too many pixels to open safely; the metadata sits in the raw bytes all the same.
        _read_raw(data, content)
        _finish(content)
        return content
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise ImageUnreadable(f"not a readable image ({type(exc).__name__})") from exc
    except Exception as exc:  # Pillow's plugins raise assorted errors on hostile files
        raise ImageUnreadable(f"not a readable image ({type(exc).__name__})") from exc
    if not xmp:
        _read_xmp(_raw_xmp(data, content), content)
    else:
        if len(xmp) > MAX_XMP:
            note(content.not_read, _long_xmp())
        _read_xmp(bytes(xmp[:MAX_XMP]).decode("utf-8", errors="replace"), content)
    _finish(content)
    return content


def _long_xmp() -> str:
    return f"the photo's XMP details after their first {amount(MAX_XMP)}"


def _raw_xmp(data: bytes, content: ImageContent) -> str:
    """The XMP packet found in the raw bytes, up to MAX_XMP (named when it runs on)."""
    start = data.find(b"<x:xmpmeta")
    if start < 0:
        return ""
    packet = data[start : start + MAX_XMP]
    if b"</x:xmpmeta" not in packet and len(data) > start + MAX_XMP:
        note(content.not_read, _long_xmp())
    return packet.decode("utf-8", errors="replace")


def read_gps(data: bytes) -> GpsPoint | None:
    """The photo's GPS position, or None when it carries none. Raises ImageUnreadable."""
    return read_image(data).gps


def _finish(content: ImageContent) -> None:
    gps = content.gps
    if gps is not None:
        kind = "XMP" if gps.source == "xmp" else "EXIF"
        where = f"in the photo's location (GPS) {kind} data"
        content.points.append(MapPoint(gps.latitude, gps.longitude, gps.source, where, gps.raw))


# -- EXIF ------------------------------------------------------------------------------------


def _read_exif(exif: Any, content: ImageContent) -> None:
    for tag, where in _EXIF_TEXT:
        content.add(_text(exif.get(tag)), where)
    for tag, where in _XP_TEXT:
        content.add(_utf16(exif.get(tag)), where)
    try:
        sub = exif.get_ifd(EXIF_IFD)
    except Exception:  # a broken sub-IFD must not hide the rest
        sub = {}
    comment = _user_comment(sub.get(_USER_COMMENT)) if hasattr(sub, "get") else ""
    content.add(comment, "in the photo's user comment (EXIF UserComment)")
    try:
        gps = exif.get_ifd(GPS_IFD)
    except Exception:
        gps = {}
    if content.gps is None:
        point, problem = exif_point(gps)
        content.gps = point
        if problem:
            content.not_read.append(problem)


def _exif_without_decoding(image: Any, data: bytes, content: ImageContent) -> Any:
    """The EXIF tags, never by decoding the picture: Pillow's PNG reader decodes every pixel
    to reach an eXIf chunk written after the image data (a decompression bomb's way in), so
    for a PNG the chunk is taken from the raw bytes instead."""
    from PIL import Image

    if image.format != "PNG" or "exif" in image.info:
        return image.getexif()
    exif = Image.Exif()
    start = data.find(b"eXIf", 8, MAX_RAW_SCAN)
    if start < 0 and len(data) > MAX_RAW_SCAN:
        note(content.not_read, _long_scan())
    if start >= 4:
        size = int.from_bytes(data[start - 4 : start], "big")
        if size > MAX_EXIF:
            note(content.not_read, f"the photo's EXIF details after their first {amount(MAX_EXIF)}")
        block = data[start + 4 : start + 4 + min(size, MAX_EXIF)]
        try:
            exif.load(block if block.startswith(b"Exif") else b"Exif\x00\x00" + block)
        except Exception:  # a broken chunk: no tags
            return Image.Exif()
    return exif


_PNG_TEXT = (
    ("Description", "in the picture's description (PNG text)"),
    ("Title", "in the picture's title (PNG text)"),
    ("Author", "in the picture's author field (PNG text)"),
    ("Comment", "in the picture's comment (PNG text)"),
    ("Copyright", "in the picture's copyright field (PNG text)"),
)


def _read_png_text(image: Any, content: ImageContent) -> None:
    if image.format != "PNG":
        return
    for key, where in _PNG_TEXT:
        value = image.info.get(key)
        content.add(value if isinstance(value, str) else "", where)


def _text(value: object) -> str:
    if isinstance(value, bytes):
        value = value.split(b"\x00", 1)[0]
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            return value.decode("latin-1")
    return value if isinstance(value, str) else ""


def _utf16(value: object) -> str:
    """Windows XP* tags: UTF-16LE bytes (Pillow gives bytes, or a tuple of byte values)."""
    if isinstance(value, tuple) and all(isinstance(v, int) for v in value):
        value = bytes(v & 0xFF for v in value)
    if isinstance(value, bytes):
        return value.decode("utf-16-le", errors="replace").split("\x00", 1)[0]
    return value if isinstance(value, str) else ""


def _user_comment(value: object) -> str:
    """UserComment: an 8-byte character code ("ASCII", "UNICODE", "JIS", or none) and text."""
    if isinstance(value, str):
        return value
    if not isinstance(value, bytes) or len(value) < 8:
        return ""
    prefix, body = value[:8].rstrip(b"\x00 ").upper(), value[8:]
    if prefix == b"UNICODE":
        codec = "utf-16-be" if body[:1] == b"\x00" else "utf-16-le"
        return body.decode(codec, errors="replace").split("\x00", 1)[0]
    if prefix == b"JIS":
        return body.decode("shift_jis", errors="replace").split("\x00", 1)[0]
    return body.decode("utf-8", errors="replace").split("\x00", 1)[0]


def _rational(value: object) -> float:
    """One EXIF rational; ZeroDivisionError for a zero denominator (never NaN)."""
    numerator = getattr(value, "numerator", None)
    denominator = getattr(value, "denominator", None)
    if isinstance(value, tuple) and len(value) == 2:
        numerator, denominator = value
    if numerator is not None and denominator is not None:
        if not denominator:
            raise ZeroDivisionError("zero denominator")
        result = float(numerator) / float(denominator)
    else:
        result = float(value)  # type: ignore[arg-type]
    if not math.isfinite(result):
        raise ValueError("not a finite number")
    return result


def _dms(values: object, ref: object) -> tuple[float | None, bool]:
    """Degrees from (degrees, minutes, seconds); True when a part was unreadable."""
    try:
        items = list(values)  # type: ignore[call-overload]
    except TypeError:
        return None, False
    if not items:
        return None, False
    parts: list[float] = []
    broken = False
    for index, item in enumerate(items[:3]):
        try:
            parts.append(_rational(item))
        except (TypeError, ValueError, ZeroDivisionError, OverflowError):
            if index == 0:
                return None, True
            broken = True
            parts.append(0.0)
    parts = [*parts, 0.0, 0.0][:3]
    degrees = parts[0] + parts[1] / 60 + parts[2] / 3600
    if isinstance(ref, bytes):
        ref = ref.decode("ascii", errors="replace")
    if str(ref).strip().upper()[:1] in ("S", "W"):
        degrees = -degrees
    return degrees, broken


def exif_point(gps: object) -> tuple[GpsPoint | None, str]:
    """The GPS IFD's position, and a note naming what could not be read of it."""
    if not hasattr(gps, "get"):
        return None, ""
    get = gps.get
    if get(2) is None and get(4) is None:
        return None, ""
    lat, lat_broken = _dms(get(2), get(1))
    lon, lon_broken = _dms(get(4), get(3))
    problem = ""
    if lat_broken or lon_broken or lat is None or lon is None:
        problem = "the photo's exact GPS position (part of it is written with a zero divisor)"
    if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None, problem or "the photo's GPS position (it is out of range)"
    if lat == 0 and lon == 0:
        return None, problem  # a zeroed GPS block: no fix
    return GpsPoint(lat, lon, "exif", f"{lat:.6f}, {lon:.6f}"), problem


# -- XMP and IPTC ----------------------------------------------------------------------------


def _image_xmp(image: Any, exif: Any) -> bytes:
    info = image.info
    xmp = info.get("xmp") or info.get("XML:com.adobe.xmp") or b""
    if not xmp:
        tag = getattr(image, "tag_v2", None)
        xmp = tag.get(700, b"") if tag is not None else b""  # TIFF XMLPacket
    if isinstance(xmp, tuple):
        xmp = bytes(v & 0xFF for v in xmp if isinstance(v, int))
    if isinstance(xmp, str):
        xmp = xmp.encode("utf-8", errors="replace")
    return xmp if isinstance(xmp, bytes) else b""


def _unentity(text: str) -> str:
    return _ENTITY_RE.sub(lambda m: _ENTITY[m.group()], text)


def xmp_values(xmp: str, name: str, not_read: list[str] | None = None) -> list[str]:
    """Values of an XMP property, written as an attribute or an element (rdf:Alt/Seq/Bag);
    what a cap left unread goes into ``not_read``."""
    values: list[str] = []
    long_value = f"an XMP field after its first {MAX_FIELD:,} characters"
    escaped = re.escape(name)
    attribute = rf"{escaped}\s{{0,5}}=\s{{0,5}}\"([^\"]{{0,{MAX_FIELD}}})(\")?"
    for hit in re.finditer(attribute, xmp):
        if hit.group(2) is None and len(xmp) > hit.end():  # the value runs past the cap
            note(not_read, long_value)
        values.append(_unentity(hit.group(1)))
    # An element's attributes are xml:lang or rdf:parseType; 500 characters of them is no XMP
    # writer's, so such an opening is junk and is passed over without a note.
    opening = re.compile(rf"<{escaped}(?:\s[^<>]{{0,500}})?>")
    closing = f"</{name}>"
    position = 0
    while tag := opening.search(xmp, position):
        end = xmp.find(closing, tag.end())
        if end < 0:  # nothing closes it, nor any later opening: the packet ends here
            break
        body = xmp[tag.end() : end]
        if len(body) > MAX_FIELD:
            note(not_read, long_value)
            body = body[:MAX_FIELD]
        values.append(_unentity(_TAG_RE.sub(" ", body)))
        position = end + len(closing)
    found = [" ".join(v.split()) for v in values if v.strip()]
    if len(found) > MAX_XMP_VALUES:
        note(not_read, f"the values of an XMP field after its first {MAX_XMP_VALUES}")
    return found[:MAX_XMP_VALUES]


def _read_xmp(xmp: str, content: ImageContent) -> None:
    if not xmp:
        return
    unread = content.not_read
    for name, where in _XMP_FIELDS:
        for value in xmp_values(xmp, name, unread):
            content.add(value, where)
    place = [v for name in _XMP_PLACE for v in xmp_values(xmp, name, unread)]
    content.add(" , ".join(place), "in the photo's place fields (XMP city, state, country)")
    contact = [v for name in _XMP_CONTACT for v in xmp_values(xmp, name, unread)]
    content.add(
        " , ".join(contact), "in the photographer's contact details (XMP IPTC CreatorContactInfo)"
    )
    if content.gps is None:
        content.gps = xmp_point(xmp)


def xmp_point(xmp: str) -> GpsPoint | None:
    """GPS from XMP: exif:GPSLatitude="51,30.06N" (degrees, minutes) or decimal forms, as an
    attribute or an element."""
    values: dict[str, float] = {}
    for hit in _XMP_COORD.finditer(xmp[:MAX_XMP]):
        axis, number, ref = hit.group(1).lower(), hit.group(2), hit.group(3).upper()
        parts = number.split(",")
        try:
            if len(parts) >= 2 and "." not in parts[0]:
                numbers = [float(p) for p in parts]
                value = (
                    numbers[0] + numbers[1] / 60 + (numbers[2] / 3600 if len(numbers) > 2 else 0)
                )
            else:
                value = float(number.replace(",", "."))
        except ValueError:
            continue
        if ref in ("S", "W"):
            value = -value
        values.setdefault(axis, value)
    lat, lon = values.get("latitude"), values.get("longitude")
    if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return GpsPoint(lat, lon, "xmp", f"{lat:.6f}, {lon:.6f}")


def _read_iptc(image: Any, content: ImageContent) -> None:
    try:
        from PIL import IptcImagePlugin

        info = IptcImagePlugin.getiptcinfo(image) or {}
    except Exception:  # a broken IPTC block must not hide the rest
        return

    def text(key: tuple[int, int]) -> str:
        value = info.get(key)
        values = value if isinstance(value, list) else [value]
        return " , ".join(_text(v) for v in values if isinstance(v, bytes))

    for key, where in _IPTC_FIELDS:
        content.add(text(key), where)
    place = [text(key) for key in _IPTC_PLACE]
    content.add(" , ".join(p for p in place if p), "in the photo's place fields (IPTC)")


# -- raw bytes (HEIC, oversized photos) ----------------------------------------------------


def _long_scan() -> str:
    return f"the photo's hidden details after its first {amount(MAX_RAW_SCAN)}"


def _read_raw(data: bytes, content: ImageContent) -> None:
    if len(data) > MAX_RAW_SCAN:
        note(content.not_read, _long_scan())
        data = data[:MAX_RAW_SCAN]
    start = data.find(b"Exif\x00\x00")
    if start >= 0:
        try:
            from PIL import Image

            exif = Image.Exif()
            # The block's length is not written before it here; MAX_EXIF holds any real one.
            exif.load(data[start : start + MAX_EXIF])
            _read_exif(exif, content)
        except Exception:  # a broken block: what was read stays
            pass
    _read_xmp(_raw_xmp(data, content), content)
