"""Text and metadata of a PDF, bounded: a few pages, a few characters, never an exception
other than PdfUnreadable."""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass, field
from typing import Any

MAX_PAGES = 30
MAX_CHARS = 400_000
METADATA_FIELDS = ("/Title", "/Author", "/Subject", "/Keywords", "/Creator", "/Producer")


class PdfUnreadable(ValueError):
    """The bytes are not a PDF pypdf can read (or it is encrypted)."""


@dataclass(frozen=True)
class PdfContent:
    pages: tuple[str, ...] = ()  # text of each page read
    metadata: dict[str, str] = field(default_factory=dict)  # "Author" -> "…"
    page_count: int = 0
    pages_read: int = 0
    not_read: tuple[str, ...] = ()  # what a cap or a broken page left unread, in plain words
    parts: tuple[tuple[str, str, str], ...] = ()  # (source, text, where) of the hidden parts


def read_pdf(data: bytes, max_pages: int = MAX_PAGES) -> PdfContent:
    """Text of the first ``max_pages`` pages and the document information fields."""
    try:
        from pypdf import PdfReader
    except ImportError as exc:  # pragma: no cover - pypdf is a dependency
        raise PdfUnreadable("pypdf is not installed") from exc
    # pypdf logs every recoverable oddity of a broken file as a warning; they are not ours.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                opened = reader.decrypt("")
            except Exception as exc:
                raise PdfUnreadable("the PDF is encrypted (it needs a password)") from exc
            if not opened:
                raise PdfUnreadable("the PDF is encrypted (it needs a password)")
        count = len(reader.pages)
        texts: list[str] = []
        broken: list[int] = []
        total = 0
        for index in range(min(count, max_pages)):
            try:
                text = reader.pages[index].extract_text() or ""
            except Exception:  # one broken page must not hide the others
                text = ""
                broken.append(index + 1)
            text = text[: MAX_CHARS - total]
            total += len(text)
            texts.append(text)
            if total >= MAX_CHARS:
                break
        not_read: list[str] = []
        if broken:
            numbers = ", ".join(str(n) for n in broken[:10])
            not_read.append(
                f"the text of page{'s' if len(broken) > 1 else ''} {numbers} "
                "(it could not be extracted)"
            )
        if len(texts) < count:
            first = len(texts) + 1
            pages = f"page {first}" if first == count else f"pages {first} to {count}"
            not_read.append(f"{pages} (only the first {len(texts)} are read)")
        metadata: dict[str, str] = {}
        info: Any = reader.metadata or {}
        for key in METADATA_FIELDS:
            value = info.get(key)
            if value:
                metadata[key.lstrip("/")] = str(value)[:2000]
        xmp = _xmp_text(reader)
        if xmp:
            metadata["XMP"] = xmp
    except PdfUnreadable:
        raise
    except Exception as exc:  # pypdf raises many kinds of error on hostile files
        raise PdfUnreadable(f"not a readable PDF ({type(exc).__name__})") from exc
    parts = [
        ("pdf-metadata", v, f"in the PDF's {k} field (document properties)")
        for k, v in metadata.items()
        if k != "XMP"
    ]
    if metadata.get("XMP"):
        parts.append(("pdf-metadata", metadata["XMP"], "in the PDF's XMP metadata"))
    return PdfContent(tuple(texts), metadata, count, len(texts), tuple(not_read), tuple(parts))


def _xmp_text(reader: object) -> str:
    try:
        xmp = reader.xmp_metadata  # type: ignore[attr-defined]
        if xmp is None:
            return ""
        parts = [xmp.dc_creator, xmp.dc_description, xmp.dc_title, xmp.pdf_keywords]
    except Exception:
        return ""
    texts: list[str] = []
    for part in parts:
        if isinstance(part, dict):
            texts.extend(str(v) for v in part.values())
        elif isinstance(part, list | tuple):
            texts.extend(str(v) for v in part)
        elif part:
            texts.append(str(part))
    return " , ".join(texts)[:4000]
