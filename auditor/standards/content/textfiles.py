"""Text-like downloads (``.txt``, ``.csv``, ``.json``): their words, one line per CSV row (so
an address split over cells reads as one line) and the string values of a JSON file."""

from __future__ import annotations

import csv
import io

from auditor.standards.content.extract import PageContent
from auditor.standards.content.maps import script_points
from auditor.standards.content.scripts import MAX_SCRIPT, script_text
from auditor.standards.content.unread import amount

MAX_TEXT = 1_000_000
MAX_ROWS = 20_000


def extract_text_file(text: str, content_type: str = "", url: str = "") -> PageContent:
    page = PageContent()
    lowered = (content_type + " " + url.lower().partition("?")[0]).lower()
    if "json" in lowered or text.lstrip()[:1] in ("{", "["):
        # The JSON reader's own cap is the tighter one: one note, in the file's words.
        if len(text) > MAX_SCRIPT:
            page.not_read.append(f"the file after its first {amount(MAX_SCRIPT)}")
        text = text[:MAX_SCRIPT]
        what = "the data file"
        where = "in a data file (JSON) offered for download"
        page.add("download", script_text(text, page.not_read, what), where)
        page.points.extend(script_points(text, page.not_read, what))
        return page
    if len(text) > MAX_TEXT:
        page.not_read.append(f"the file after its first {MAX_TEXT:,} characters")
    text = text[:MAX_TEXT]
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
