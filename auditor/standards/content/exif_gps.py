"""Where a photo was taken: EXIF GPS tags and XMP GPS properties, read without decoding the
picture. Never raises anything but ImageUnreadable."""

from __future__ import annotations

import io
import re
import warnings
from dataclasses import dataclass

MAX_XMP = 256 * 1024
GPS_IFD = 0x8825
_XMP_COORD = re.compile(
    r"(?:exif|drone-dji|Camera):(?:GPS)?(Latitude|Longitude)\s{0,5}=\s{0,5}\"\s{0,5}"
    r"([+-]?[0-9]{1,3}(?:[.,][0-9]{1,12})?(?:,[0-9]{1,2}(?:\.[0-9]{1,12})?){0,2})\s{0,3}([NSEW]?)\"",
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


def read_gps(data: bytes) -> GpsPoint | None:
    """The photo's GPS position, or None when it carries none."""
    try:
        from PIL import Image, UnidentifiedImageError
    except ImportError as exc:  # pragma: no cover - Pillow is a dependency
        raise ImageUnreadable("Pillow is not installed") from exc
    try:
        # Corrupt EXIF is what hostile or sloppy files carry; Pillow warns, we just read on.
        with warnings.catch_warnings(), Image.open(io.BytesIO(data)) as image:
            warnings.simplefilter("ignore")
            point = _exif_point(image.getexif().get_ifd(GPS_IFD))
            if point is not None:
                return point
            xmp = image.info.get("xmp") or image.info.get("XML:com.adobe.xmp") or b""
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise ImageUnreadable(f"not a readable image ({type(exc).__name__})") from exc
    except Exception as exc:  # Pillow's plugins raise assorted errors on hostile files
        raise ImageUnreadable(f"not a readable image ({type(exc).__name__})") from exc
    if isinstance(xmp, str):
        xmp = xmp.encode("utf-8", errors="replace")
    if not xmp:
        start = data.find(b"<x:xmpmeta")
        xmp = data[start : start + MAX_XMP] if start >= 0 else b""
    return xmp_point(bytes(xmp[:MAX_XMP]).decode("utf-8", errors="replace"))


def _rational(value: object) -> float:
    if isinstance(value, tuple) and len(value) == 2:
        numerator, denominator = value
        return float(numerator) / float(denominator) if denominator else 0.0
    return float(value)  # type: ignore[arg-type]


def _dms(values: object, ref: object) -> float | None:
    try:
        parts = [_rational(v) for v in values]  # type: ignore[attr-defined]
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    if not parts:
        return None
    parts = [*parts, 0.0, 0.0][:3]
    degrees = parts[0] + parts[1] / 60 + parts[2] / 3600
    if isinstance(ref, bytes):
        ref = ref.decode("ascii", errors="replace")
    if str(ref).strip().upper()[:1] in ("S", "W"):
        degrees = -degrees
    return degrees


def _exif_point(gps: object) -> GpsPoint | None:
    if not isinstance(gps, dict) and not hasattr(gps, "get"):
        return None
    get = gps.get
    lat = _dms(get(2), get(1))
    lon = _dms(get(4), get(3))
    if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    if lat == 0 and lon == 0:
        return None  # a zeroed GPS block: no fix
    return GpsPoint(lat, lon, "exif", f"{lat:.6f}, {lon:.6f}")


def xmp_point(xmp: str) -> GpsPoint | None:
    """GPS from XMP: exif:GPSLatitude="51,30.06N" (degrees, minutes) or decimal forms."""
    values: dict[str, float] = {}
    raws: list[str] = []
    for hit in _XMP_COORD.finditer(xmp):
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
        raws.append(hit.group(0))
    lat, lon = values.get("latitude"), values.get("longitude")
    if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return GpsPoint(lat, lon, "xmp", f"{lat:.6f}, {lon:.6f}")
