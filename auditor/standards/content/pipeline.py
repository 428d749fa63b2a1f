"""The one extraction pipeline every exposure check shares: the bytes of one fetched resource,
its content type and URL in, the text segments (each saying in plain words where it was) and
map points out, with what a cap left unread, or why nothing could be read.

Kinds are the crawl's: ``html``, ``vcard``, ``calendar``, ``text`` (``.txt``/``.csv``/
``.json``), ``pdf``, ``image``. Pure, bounded and CPU-heavy by design: callers run it off the
event loop (``asyncio.to_thread``). Never raises.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from urllib.parse import unquote_plus

from auditor.standards.content.calendar import extract_calendar
from auditor.standards.content.cards import extract_vcard
from auditor.standards.content.exif_gps import ImageUnreadable
from auditor.standards.content.extract import PageContent, Segment, extract_html
from auditor.standards.content.images import read_image
from auditor.standards.content.maps import MapPoint, is_map_url, map_points, map_text
from auditor.standards.content.pdf_text import PdfUnreadable, read_pdf
from auditor.standards.content.textfiles import extract_text_file

TEXT_KINDS = ("html", "vcard", "calendar", "text")
_CHARSET = re.compile(
    rb"""<meta[^>]{0,200}charset\s{0,5}=\s{0,5}["']?([A-Za-z0-9_.:-]{1,40})""", re.I
)
_HEADER_CHARSET = re.compile(r"charset\s{0,5}=\s{0,5}[\"']?([A-Za-z0-9_.:-]{1,40})", re.I)


@dataclass(frozen=True)
class Extraction:
    kind: str
    segments: tuple[Segment, ...] = ()
    points: tuple[MapPoint, ...] = ()
    places: tuple[tuple[str, str], ...] = ()  # (what3words address, where)
    not_read: tuple[str, ...] = ()  # what a cap or a broken part left unread, in plain words
    unreadable: str = ""  # why nothing could be read ("the PDF is encrypted")

    @property
    def read(self) -> bool:
        return not self.unreadable


def decode(body: bytes, content_type: str = "", kind: str = "html") -> str:
    """The text of a body: a byte-order mark first, then the Content-Type charset, then (HTML)
    a ``<meta charset>``; UTF-8 when valid, else Windows-1252 (what browsers assume)."""
    for bom, codec in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                       (codecs.BOM_UTF16_BE, "utf-16-be")):  # fmt: skip
        if body.startswith(bom):
            return body[len(bom) :].decode(codec, errors="replace")
    names: list[str] = []
    header = _HEADER_CHARSET.search(content_type or "")
    if header:
        names.append(header.group(1))
    if kind == "html":
        meta = _CHARSET.search(body[:4096])
        if meta:
            names.append(meta.group(1).decode("ascii", errors="replace"))
    for name in names:
        try:
            codec = codecs.lookup(name).name
        except LookupError:
            continue
        if codec in ("latin-1", "iso8859-1", "ascii"):
            codec = "cp1252"  # what browsers do with these labels (WHATWG Encoding)
        return body.decode(codec, errors="replace")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return body.decode("cp1252", errors="replace")


def _from_page(kind: str, page: PageContent) -> Extraction:
    return Extraction(
        kind, tuple(page.segments), tuple(page.points), tuple(page.places), tuple(page.not_read)
    )


def extract(kind: str, body: bytes, content_type: str = "", url: str = "") -> Extraction:
    """Everything the exposure matchers should read in one resource."""
    try:
        if kind in TEXT_KINDS:
            text = decode(body, content_type, kind)
            if kind == "html":
                return _from_page(kind, extract_html(text, url))
            if kind == "vcard":
                return _from_page(kind, extract_vcard(text))
            if kind == "calendar":
                return _from_page(kind, extract_calendar(text))
            return _from_page(kind, extract_text_file(text, content_type, url))
        if kind == "pdf":
            return _pdf(body)
        if kind == "image":
            return _image(body, content_type, url)
    except Exception as exc:  # a bug on hostile input must not end the audit
        return Extraction(kind, unreadable=f"it could not be read ({type(exc).__name__})")
    return Extraction(kind)


_KIND_BY_SUFFIX = (
    ((".htm", ".html", ".xhtml"), "html"),
    ((".vcf", ".vcard"), "vcard"),
    ((".ics", ".ical"), "calendar"),
    ((".txt", ".csv", ".json", ".md"), "text"),
    ((".pdf",), "pdf"),
    ((".jpg", ".jpeg", ".png", ".webp", ".tif", ".tiff", ".heic", ".heif"), "image"),
)


def kind_of_file(name: str) -> str:
    """The pipeline kind of a file known only by its name (a PDF's attachment)."""
    lowered = name.lower()
    for suffixes, kind in _KIND_BY_SUFFIX:
        if lowered.endswith(suffixes):
            return kind
    return "text"


def _pdf(body: bytes, *, depth: int = 0) -> Extraction:
    try:
        content = read_pdf(body)
    except PdfUnreadable as exc:
        return Extraction("pdf", unreadable=str(exc))
    segments = [
        Segment("pdf-text", text, f"in the text of page {number}")
        for number, text in enumerate(content.pages, 1)
    ]
    segments += [Segment(s, t, w) for s, t, w in content.parts]
    points: list[MapPoint] = []
    not_read = list(content.not_read)
    for url, where in content.links:
        if is_map_url(url):
            text = map_text(url, not_read) or url
            segments.append(Segment("pdf-hidden", text, f"{where} (a map)"))
            points += [
                MapPoint(p.latitude, p.longitude, "pdf-hidden", f"{where} (a map)", p.raw, p.weak)
                for p in map_points(url, not_read=not_read)
            ]
        else:
            segments.append(Segment("pdf-hidden", unquote_plus(url), where))
    for name, data in content.attachments:
        kind = kind_of_file(name)
        if depth > 0:  # one level of attachments is read
            not_read.append(f"the attached file {name} (inside an attached PDF)")
            continue
        inner = _pdf(data, depth=1) if kind == "pdf" else extract(kind, data, "", name)
        where = f"in the file {name} attached to the PDF"
        if inner.unreadable:
            not_read.append(f"the attached file {name} ({inner.unreadable})")
            continue
        segments += [
            Segment("pdf-hidden", s.text, f"{where}, {s.where.removeprefix('in ')}")
            for s in inner.segments
        ]
        points += [
            MapPoint(p.latitude, p.longitude, "pdf-hidden", where, p.raw, p.weak)
            for p in inner.points
        ]
        not_read += [f"{n} of the attached file {name}" for n in inner.not_read]
    return Extraction("pdf", tuple(segments), tuple(points), not_read=tuple(not_read))


def _image(body: bytes, content_type: str, url: str) -> Extraction:
    try:
        content = read_image(body, content_type, url)
    except ImageUnreadable as exc:
        return Extraction("image", unreadable=str(exc))
    return Extraction(
        "image", tuple(content.segments), tuple(content.points), not_read=tuple(content.not_read)
    )
