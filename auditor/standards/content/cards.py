"""Contact cards (vCard 2.1, 3 and 4, ``.vcf``): the address, phone, email, location and notes
a downloadable card gives, each with where in the card it was."""

from __future__ import annotations

from auditor.standards.content.extract import PageContent, add_point
from auditor.standards.content.vformat import components, content_lines, unescape

_PLACES = {
    "ADR": "in the contact card's address (ADR)",
    "LABEL": "in the contact card's address label",
    "TEL": "in the contact card's phone number (TEL)",
    "EMAIL": "in the contact card's email (EMAIL)",
    "NOTE": "in the contact card's note",
}


def extract_vcard(text: str) -> PageContent:
    """Address, phone, email, note and geo lines of a vCard (.vcf) file."""
    page = PageContent()
    for line in content_lines(text, page.not_read, "the contact card file"):
        name = line.name
        if name == "ADR":
            parts = [p for p in components(line.value) if p.strip()]
            page.add("vcard", " , ".join(parts), _PLACES["ADR"])
            label = line.params.get("LABEL")  # vCard 4 writes the printed label as a parameter
            if label:
                page.add("vcard", unescape(label), _PLACES["LABEL"])
        elif name in ("LABEL", "NOTE"):
            page.add("vcard", unescape(line.value), _PLACES[name])
        elif name in ("TEL", "EMAIL"):
            value = line.value.strip()
            for prefix in ("tel:", "mailto:"):
                if value.lower().startswith(prefix):
                    value = value[len(prefix) :]
            page.add("vcard", unescape(value), _PLACES[name])
        elif name == "GEO":
            value = line.value.strip()
            if value.lower().startswith("geo:"):  # vCard 4: geo:lat,lon
                lat, _, lon = value[4:].partition(",")
            else:  # vCard 3: lat;lon
                lat, _, lon = value.replace(",", ";").partition(";")
            where = "in the contact card's location (GEO)"
            add_point(page, lat, lon.split(";")[0].split(",")[0], "vcard", where)
    return page
