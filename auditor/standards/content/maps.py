"""Where a map URL or a map script points: coordinates and searched-for places.

Map embeds and links write their position in many forms: Google's ``!2d<lon>!3d<lat>`` (embed
``pb=``), ``!3d<lat>!4d<lon>`` (place data), ``@lat,lng,zoom``, ``?q=lat,lng``, ``ll=``,
``center=``; OpenStreetMap's ``mlat=``/``mlon=``, ``#map=z/lat/lon``,
``export/embed.html?bbox=minlon,minlat,maxlon,maxlat&marker=lat,lon``; Apple Maps' ``ll=``,
``sll=``, ``q=``, ``address=``; what3words' ``///word.word.word`` links. A bbox centre alone is
weaker evidence than a marker (the view of a map, not a pin), so it is marked ``weak``.

Map initialisations in page scripts are read too: Leaflet ``setView([lat, lng])`` and
``L.marker([lat, lng])``, Google Maps ``center: {lat: …, lng: …}`` and ``LatLng(lat, lng)``,
Mapbox ``center: [lng, lat]`` (longitude first). All patterns are linear-time with bounded
repeats; input is capped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, unquote_plus, urlsplit

from auditor.standards.content.unread import amount, note

MAX_URL = 4096
MAX_SCRIPT = 512 * 1024
MAX_POINTS = 200

_NUM = r"(-?[0-9]{1,3}(?:\.[0-9]{1,15})?)"
_COORDINATE_PATTERNS = (
    (re.compile(rf"!3d{_NUM}!4d{_NUM}"), False),  # Google place data: !3d<lat>!4d<lon>
    (re.compile(rf"!2d{_NUM}!3d{_NUM}"), True),  # Google embed pb: !2d<lon>!3d<lat>
    (re.compile(rf"!3d{_NUM}!2d{_NUM}"), False),  # the same, written the other way round
    (re.compile(rf"@{_NUM},{_NUM}(?:,|z|$)"), False),  # /maps/@lat,lon,17z
    (re.compile(rf"#map=[0-9]{{1,2}}/{_NUM}/{_NUM}"), False),  # openstreetmap.org/#map=z/lat/lon
    (
        re.compile(
            rf"[?&](?:q|ll|sll|center|query|daddr|destination|cp|marker)=loc:?{_NUM}"
            rf"(?:,|%2C|~){_NUM}",
            re.IGNORECASE,
        ),
        False,
    ),
    (
        re.compile(
            rf"[?&](?:q|ll|sll|center|query|daddr|destination|cp|marker)={_NUM}"
            rf"(?:,|%2C|~)(?:\s|%20|\+)?{_NUM}",
            re.IGNORECASE,
        ),
        False,
    ),
)
_MLAT = re.compile(rf"[?&]mlat={_NUM}")
_MLON = re.compile(rf"[?&]mlon={_NUM}")
_BBOX = re.compile(rf"[?&]bbox={_NUM}(?:,|%2C){_NUM}(?:,|%2C){_NUM}(?:,|%2C){_NUM}", re.IGNORECASE)
_MAP_QUERY_KEYS = ("q", "query", "daddr", "saddr", "destination", "address", "where")
_MAP_PATH = re.compile(rf"/maps/(?:place|search|dir)/([^/@?#]{{1,{MAX_URL}}})")
_W3W = re.compile(
    r"(?:what3words\.com/|w3w\.co/|///)([^\W\d_]{1,30}\.[^\W\d_]{1,30}\.[^\W\d_]{1,30})",
    re.IGNORECASE,
)

# Script map initialisations. Leaflet and Google take latitude first; Mapbox GL's center and
# LngLat take longitude first.
_SP = r"\s{0,20}"
_PAIR = rf"\[{_SP}{_NUM}{_SP},{_SP}{_NUM}{_SP}\]"
_SCRIPT_PATTERNS = (
    (re.compile(rf"\.setView\({_SP}{_PAIR}"), False, "a Leaflet map's view"),
    (
        re.compile(rf"\bL\.(?:marker|circle|circleMarker){_SP}\({_SP}{_PAIR}"),
        False,
        "a Leaflet pin",
    ),
    (
        re.compile(rf"\bL\.latLng\({_SP}{_NUM}{_SP},{_SP}{_NUM}{_SP}\)", re.IGNORECASE),
        False,
        "a Leaflet position",
    ),
    (
        re.compile(rf"\bLatLng\({_SP}{_NUM}{_SP},{_SP}{_NUM}{_SP}\)"),
        False,
        "a Google map's position",
    ),
    (
        re.compile(
            rf"[\"']?lat[\"']?{_SP}:{_SP}[\"']?{_NUM}[\"']?{_SP},{_SP}"
            rf"[\"']?(?:lng|lon|long)[\"']?{_SP}:{_SP}[\"']?{_NUM}",
            re.IGNORECASE,
        ),
        False,
        "a map's position (lat, lng)",
    ),
    (
        re.compile(
            rf"[\"']?latitude[\"']?{_SP}:{_SP}[\"']?{_NUM}[\"']?{_SP},{_SP}"
            rf"[\"']?longitude[\"']?{_SP}:{_SP}[\"']?{_NUM}",
            re.IGNORECASE,
        ),
        False,
        "a map's position (latitude, longitude)",
    ),
    (
        re.compile(
            rf"[\"']?(?:lng|lon|long|longitude)[\"']?{_SP}:{_SP}[\"']?{_NUM}[\"']?{_SP},{_SP}"
            rf"[\"']?(?:lat|latitude)[\"']?{_SP}:{_SP}[\"']?{_NUM}",
            re.IGNORECASE,
        ),
        True,
        "a map's position (lng, lat)",
    ),
    (
        re.compile(rf"\bLngLat\({_SP}{_NUM}{_SP},{_SP}{_NUM}{_SP}\)"),
        True,
        "a Mapbox map's position",
    ),
    (
        re.compile(rf"\.setLngLat\({_SP}{_PAIR}"),
        True,
        "a Mapbox pin",
    ),
    (
        re.compile(rf"[\"']?center[\"']?{_SP}:{_SP}{_PAIR}", re.IGNORECASE),
        None,  # Mapbox GL and MapLibre: [lng, lat]; Leaflet's options: [lat, lng]
        "a map's centre",
    ),
)
_MAPBOX = re.compile(r"mapboxgl|maplibregl|mapbox-gl|maplibre-gl", re.IGNORECASE)


@dataclass(frozen=True)
class MapPoint:
    latitude: float
    longitude: float
    source: str  # map-embed | json-ld | microdata | meta | script | vcard | calendar | exif | xmp
    where: str  # the URL or element it came from
    raw: str  # the coordinates as written
    weak: bool = False  # the centre of a map's view, not a pin


def _valid(lat: float, lon: float) -> bool:
    return -90 <= lat <= 90 and -180 <= lon <= 180 and not (lat == 0 and lon == 0)


def is_map_url(url: str) -> bool:
    try:  # the host and path come first: the cut never changes the answer for a real map
        parts = urlsplit(url[:MAX_URL])
    except ValueError:
        return False
    host = (parts.hostname or "").lower()
    path = parts.path.lower()
    if host.startswith("maps.") or host.endswith(("openstreetmap.org", "osm.org")):
        return True
    if host.endswith(("what3words.com", "w3w.co")):
        return True
    return ("google." in host or host.endswith("bing.com")) and path.startswith("/maps")


def map_points(
    url: str, source: str = "map-embed", not_read: list[str] | None = None
) -> list[MapPoint]:
    """Coordinates written into a map URL; what a cap left unread goes into ``not_read``."""
    if len(url) > MAX_URL:
        note(not_read, f"a map address after its first {MAX_URL:,} characters")
        url = url[:MAX_URL]
    points: list[MapPoint] = []
    for pattern, lon_first in _COORDINATE_PATTERNS:
        for hit in pattern.finditer(url):
            a, b = float(hit.group(1)), float(hit.group(2))
            lat, lon = (b, a) if lon_first else (a, b)
            if _valid(lat, lon):
                points.append(MapPoint(lat, lon, source, url, hit.group()))
    lat_hit, lon_hit = _MLAT.search(url), _MLON.search(url)
    if lat_hit and lon_hit:
        lat, lon = float(lat_hit.group(1)), float(lon_hit.group(1))
        if _valid(lat, lon):
            raw = f"{lat_hit.group()} {lon_hit.group()}"
            points.append(MapPoint(lat, lon, source, url, raw))
    if not points:  # a bbox only counts when nothing better (a marker) is in the URL
        for hit in _BBOX.finditer(url):
            west, south, east, north = (float(hit.group(i)) for i in range(1, 5))
            lat, lon = (south + north) / 2, (west + east) / 2
            if _valid(lat, lon) and abs(north - south) < 1 and abs(east - west) < 1:
                points.append(MapPoint(lat, lon, source, url, hit.group(), weak=True))
    if len(points) > MAX_POINTS:
        note(not_read, f"the positions in a map address after its first {MAX_POINTS}")
    return points[:MAX_POINTS]


def map_text(url: str, not_read: list[str] | None = None) -> str:
    """The place a map URL searches for, decoded ("12 Acacia Avenue, AB1 2CD")."""
    if len(url) > MAX_URL:
        note(not_read, f"a map address after its first {MAX_URL:,} characters")
    try:
        parts = urlsplit(url[:MAX_URL])
        query = parse_qs(parts.query, max_num_fields=50)
    except ValueError:
        return ""
    texts = [v for key in _MAP_QUERY_KEYS for v in query.get(key, [])]
    texts += [unquote_plus(m.group(1)) for m in _MAP_PATH.finditer(parts.path)]
    return " , ".join(texts)


def what3words(text: str, not_read: list[str] | None = None) -> list[str]:
    """The three-word addresses a text or URL names ("filled.count.soap"), lower case."""
    if len(text) > MAX_URL:
        note(not_read, f"a map address after its first {MAX_URL:,} characters")
    found = [m.group(1).lower() for m in _W3W.finditer(unquote(text[:MAX_URL]))]
    if len(found) > MAX_POINTS:
        note(not_read, f"the what3words addresses in a map address after its first {MAX_POINTS}")
    return found[:MAX_POINTS]


def script_points(
    script: str, not_read: list[str] | None = None, what: str = "a page script"
) -> list[MapPoint]:
    """Map positions set by a page script (Leaflet, Google Maps, Mapbox); what a cap left
    unread of ``what`` goes into ``not_read``."""
    if len(script) > MAX_SCRIPT:
        note(not_read, f"{what} after its first {amount(MAX_SCRIPT)}")
        script = script[:MAX_SCRIPT]
    points: list[MapPoint] = []
    mapbox = _MAPBOX.search(script) is not None
    for pattern, order, where in _SCRIPT_PATTERNS:
        lon_first = mapbox if order is None else order
        for hit in pattern.finditer(script):
            a, b = float(hit.group(1)), float(hit.group(2))
            lat, lon = (b, a) if lon_first else (a, b)
            if _valid(lat, lon):
                points.append(MapPoint(lat, lon, "script", where, hit.group()[:200]))
            if len(points) > MAX_POINTS:
                note(not_read, f"the map positions in {what} after its first {MAX_POINTS}")
                return points[:MAX_POINTS]
    return points
