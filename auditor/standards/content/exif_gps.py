"""Where a photo was taken: EXIF GPS tags and XMP GPS properties, read without decoding the
picture. The reader lives in ``images`` (one pass over a photo's metadata); these names stay
for the callers that only want the position. Never raises anything but ImageUnreadable."""

from __future__ import annotations

from auditor.standards.content.images import (
    GPS_IFD,
    MAX_XMP,
    GpsPoint,
    ImageUnreadable,
    exif_point,
    read_gps,
    xmp_point,
)

__all__ = [
    "GPS_IFD",
    "MAX_XMP",
    "GpsPoint",
    "ImageUnreadable",
    "exif_point",
    "read_gps",
    "xmp_point",
]
