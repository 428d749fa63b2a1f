"""Text-like downloads (``.txt``, ``.csv``, ``.json``): their words, one line per CSV row (so
an address split over cells reads as one line) and the string values of a JSON file."""

from __future__ import annotations

import csv
import io

from auditor.standards.content.extract import PageContent
from auditor.standards.content.maps import script_points
from auditor.standards.content.scripts import script_text

MAX_TEXT = 1_000_000
MAX_ROWS = 20_000


def extract_text_file(text: str, content_type: str = "", url: str = "") -> PageContent:
    page = PageContent()
    if len(text) > MAX_TEXT:
        page.not_read.append(f"the file after its first {MAX_TEXT:,} characters")
    text = text[:MAX_TEXT]
    lowered = (content_type + " " + url.lower().partition("?")[0]).lower()
    stripped = text.lstrip()
    if "json" in lowered or stripped[:1] in ("{", "["):
        page.add("download", script_text(text), "in a data file (JSON) offered for download")
        page.points.extend(script_points(text))
        return page
    if "csv" in lowered:
        rows: list[str] = []
        try:
            for number, row in enumerate(csv.reader(io.StringIO(text))):
                if number >= MAX_ROWS:
                    page.not_read.append(f"the rows after the first {MAX_ROWS:,}")
                    break
                rows.append(" , ".join(cell for cell in row if cell.strip()))
        except csv.Error:
            rows = text.splitlines()
        where = "in a spreadsheet (CSV) offered for download"
        page.add("download", " | ".join(row for row in rows if row), where)
        return page
    page.add("download", text, "in a text file offered for download")
    return page
