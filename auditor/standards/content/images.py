"""Everything a photo says about where it was taken and who took it: the GPS position (EXIF
or XMP) as a map point. Never raises anything but ImageUnreadable."""

from __future__ import annotations

from dataclasses import dataclass, field

from auditor.standards.content.exif_gps import read_gps
from auditor.standards.content.extract import Segment
from auditor.standards.content.maps import MapPoint


@dataclass
class ImageContent:
    segments: list[Segment] = field(default_factory=list)
    points: list[MapPoint] = field(default_factory=list)
    not_read: list[str] = field(default_factory=list)


def read_image(data: bytes, content_type: str = "", url: str = "") -> ImageContent:
    content = ImageContent()
    gps = read_gps(data)
    if gps is not None:
        where = (
            "in the photo's location (GPS) " + ("XMP" if gps.source == "xmp" else "EXIF") + " data"
        )
        content.points.append(MapPoint(gps.latitude, gps.longitude, gps.source, where, gps.raw))
    return content
