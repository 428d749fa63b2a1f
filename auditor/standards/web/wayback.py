"""The Internet Archive's Wayback Machine, as data: CDX queries and their JSON answers, and
the playback URLs of captures. Pure: building URLs and reading answers, no I/O.

The format follows the CDX server's own documentation (internetarchive/wayback,
wayback-cdx-server/README.md; see docs/web-archives.md): ``/cdx/search/cdx?url=…`` with
``matchType`` (exact, prefix, host, domain), ``output=json`` (an array of arrays of
strings whose first row names the fields: urlkey, timestamp, original, mimetype,
statuscode, digest, length), ``filter=statuscode:200``, ``collapse=digest`` (adjacent
captures with the same content digest are returned once) and ``limit=N``. An empty result
is ``[]``; ``showResumeKey`` adds an empty row and then the key, which ends the rows. A
capture's original bytes, without the archive's toolbar or link rewriting, are at
``/web/<timestamp>id_/<original>``; the page a person would look at is
``/web/<timestamp>/<original>``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlencode

from auditor.standards.digits import is_ascii_digits

REQUIRED_FIELDS = ("timestamp", "original")
MAX_ROWS = 100_000  # rows read from one answer, whatever the server sends
MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip
REMOVAL_URL = "https://help.archive.org/help/how-do-i-request-to-remove-something-from-archive-org/"


class CdxMalformed(ValueError):
    """A CDX answer that is not the documented JSON shape; the message names what is wrong."""


@dataclass(frozen=True)
class Capture:
    """One row of a CDX answer: a capture of ``original`` at ``timestamp``."""

    timestamp: str  # 14 ASCII digits (yyyyMMddhhmmss), possibly fewer
    original: str
    mimetype: str = ""
    statuscode: str = ""
    digest: str = ""
    length: str = ""

    @property
    def when(self) -> datetime | None:
        """The capture time (UTC), or None when the timestamp is not a date."""
        digits = (self.timestamp + "0101000000"[max(0, len(self.timestamp) - 4) :])[:14]
        if len(self.timestamp) < 4 or not is_ascii_digits(digits):
            return None
        try:
            return datetime.strptime(digits, "%Y%m%d%H%M%S").replace(tzinfo=UTC)
        except ValueError:
            return None

    @property
    def month(self) -> str:
        """ "May 2019", as a person says when a copy was taken."""
        when = self.when
        return f"{MONTHS[when.month - 1]} {when.year}" if when else self.timestamp[:14]

    @property
    def date(self) -> str:
        when = self.when
        return when.date().isoformat() if when else ""


def cdx_url(base: str, url: str, match_type: str = "exact", limit: int = 1000) -> str:
    """The CDX query for the captures of ``url`` (``match_type`` exact, prefix, host or
    domain): JSON, HTTP 200 captures only, identical adjacent captures collapsed."""
    if match_type not in ("exact", "prefix", "host", "domain"):
        raise ValueError(f"unknown CDX matchType {match_type!r}")
    query = [("url", url)]
    if match_type != "exact":
        query.append(("matchType", match_type))
    query += [
        ("output", "json"),
        ("filter", "statuscode:200"),
        ("collapse", "digest"),
        ("limit", str(limit)),
    ]
    return f"{_base(base)}cdx/search/cdx?{urlencode(query)}"


def raw_capture_url(base: str, capture: Capture) -> str:
    """The capture's original bytes (the ``id_`` flag: no toolbar, no rewritten links)."""
    return f"{_base(base)}web/{capture.timestamp}id_/{_original(capture.original)}"


def view_capture_url(base: str, capture: Capture) -> str:
    """The capture as a person looks at it in the Wayback Machine."""
    return f"{_base(base)}web/{capture.timestamp}/{_original(capture.original)}"


def parse_cdx(data: Any) -> list[Capture]:
    """The captures in a CDX JSON answer (already decoded). Raises CdxMalformed."""
    if not isinstance(data, list):
        raise CdxMalformed("the answer is not a JSON array")
    if not data:
        return []  # no captures at all
    header = data[0]
    if not isinstance(header, list) or not all(isinstance(name, str) for name in header):
        raise CdxMalformed("the first row does not name the fields")
    missing = [name for name in REQUIRED_FIELDS if name not in header]
    if missing:
        raise CdxMalformed(f"the fields do not include {', '.join(missing)}")
    index = {name: header.index(name) for name in header}
    captures: list[Capture] = []
    for number, row in enumerate(data[1 : MAX_ROWS + 1], 2):
        if row == []:
            break  # what follows is the resume key (showResumeKey=true)
        if not isinstance(row, list) or len(row) != len(header):
            raise CdxMalformed(f"row {number} does not have the {len(header)} fields named")
        if not all(isinstance(value, str) for value in row):
            raise CdxMalformed(f"row {number} holds something other than strings")

        def field(name: str, values: list[str] = row) -> str:
            return values[index[name]] if name in index else ""

        timestamp = field("timestamp")
        if not (1 <= len(timestamp) <= 14 and is_ascii_digits(timestamp)):
            raise CdxMalformed(f"row {number} has a timestamp that is not 1 to 14 digits")
        captures.append(
            Capture(
                timestamp,
                field("original"),
                field("mimetype").lower(),
                field("statuscode"),
                field("digest"),
                field("length"),
            )
        )
    return captures


def _base(base: str) -> str:
    return base if base.endswith("/") else base + "/"


def _original(url: str) -> str:
    # The original goes into the path as the Wayback Machine writes it: unescaped except
    # for what would end the path (a space, a fragment) or be read as our own query.
    return quote(url, safe=":/?&=%@+,;~!$'()*[]-._")
