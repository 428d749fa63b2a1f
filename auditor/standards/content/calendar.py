"""Calendar files (iCalendar, ``.ics``): where events take place, as text and as map points.

``LOCATION`` (with its escapes), ``GEO:lat;lon``, Apple's ``X-APPLE-STRUCTURED-LOCATION``
(an address in ``X-ADDRESS`` and ``X-TITLE`` parameters and a ``geo:`` value), and the event's
``DESCRIPTION`` and ``SUMMARY``, where venues are often written out too."""

from __future__ import annotations

from auditor.standards.content.extract import PageContent, add_point
from auditor.standards.content.vformat import content_lines, unescape

_PLACES = {
    "LOCATION": "in the calendar event's location",
    "DESCRIPTION": "in the calendar event's description",
    "SUMMARY": "in the calendar event's title",
    "COMMENT": "in the calendar event's comment",
    "CONTACT": "in the calendar event's contact",
    "X-APPLE-STRUCTURED-LOCATION": "in the calendar event's map location (Apple)",
}


def extract_calendar(text: str) -> PageContent:
    page = PageContent()
    for line in content_lines(text, page.not_read, "the calendar file"):
        name = line.name
        if name in ("LOCATION", "DESCRIPTION", "SUMMARY", "COMMENT", "CONTACT"):
            page.add("calendar", unescape(line.value), _PLACES[name])
        elif name == "GEO":
            lat, _, lon = line.value.replace(",", ";").partition(";")
            add_point(page, lat, lon, "calendar", "in the calendar event's location (GEO)")
        elif name == "X-APPLE-STRUCTURED-LOCATION":
            where = _PLACES[name]
            texts = [line.params.get(k, "") for k in ("X-TITLE", "X-ADDRESS")]
            page.add("calendar", unescape(" , ".join(t for t in texts if t)), where)
            value = line.value.strip()
            if value.lower().startswith("geo:"):
                lat, _, lon = value[4:].partition(",")
                add_point(page, lat, lon.split(";")[0], "calendar", where)
    return page
