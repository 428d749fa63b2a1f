"""Text and hidden parts of a PDF, bounded: a few pages, a few characters, never an exception
other than PdfUnreadable. Besides the text of each page: the document information fields, the
XMP metadata (Dublin Core, Photoshop place and IPTC contact fields), annotations (comments,
sticky notes, link addresses, which may be map links), form-field values, and attached files
(returned as bytes, for the pipeline to read as what they are)."""

from __future__ import annotations

import io
import logging
import zlib
from dataclasses import dataclass, field
from typing import Any

from auditor.standards.content.unread import amount, note

MAX_PAGES = 30
MAX_CHARS = 400_000
MAX_ANNOTATIONS = 500
MAX_FIELDS = 500
MAX_ATTACHMENTS = 20
MAX_ATTACHMENT_BYTES = 4 * 1024 * 1024  # all attached files together
MAX_FIELD_TEXT = 2000  # one information field, comment or form-field value
MAX_XMP_TEXT = 4000  # the XMP values read, together
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
    links: tuple[tuple[str, str], ...] = ()  # (URL, where) of link annotations
    attachments: tuple[tuple[str, bytes], ...] = ()  # (file name, bytes) of attached files


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
        damaged: list[int] = []  # pages whose packed text stops or breaks before its end
        not_read: list[str] = []
        total = 0
        for index in range(min(count, max_pages)):
            try:
                page = reader.pages[index]
                text = page.extract_text() or ""
            except Exception:  # one broken page must not hide the others
                text = ""
                broken.append(index + 1)
            else:
                if _page_damaged(page):
                    damaged.append(index + 1)
            if total + len(text) > MAX_CHARS:
                not_read.append(
                    f"the text of page {index + 1} after the first {MAX_CHARS:,} characters "
                    "of the PDF's text"
                )
                text = text[: MAX_CHARS - total]
            total += len(text)
            texts.append(text)
            if total >= MAX_CHARS:
                break
        if broken:
            numbers = ", ".join(str(n) for n in broken[:10])
            numbers += f" and {len(broken) - 10} more" if len(broken) > 10 else ""
            not_read.append(
                f"the text of page{'s' if len(broken) > 1 else ''} {numbers} "
                "(it could not be extracted)"
            )
        if damaged:
            numbers = ", ".join(str(n) for n in damaged[:10])
            numbers += f" and {len(damaged) - 10} more" if len(damaged) > 10 else ""
            not_read.append(
                f"the rest of the text of page{'s' if len(damaged) > 1 else ''} {numbers} "
                "(it is damaged)"
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
                metadata[key.lstrip("/")] = _cut(str(value), not_read)
        xmp = _xmp_text(reader, not_read)
        if xmp:
            metadata["XMP"] = xmp
        parts = [
            ("pdf-metadata", v, f"in the PDF's {k} field (document properties)")
            for k, v in metadata.items()
            if k != "XMP"
        ]
        if metadata.get("XMP"):
            parts.append(("pdf-metadata", metadata["XMP"], "in the PDF's XMP metadata"))
        links: list[tuple[str, str]] = []
        _annotations(reader, len(texts), parts, links, not_read)
        _fields(reader, parts, not_read)
        attachments = _attachments(reader, not_read)
    except PdfUnreadable:
        raise
    except Exception as exc:  # pypdf raises many kinds of error on hostile files
        raise PdfUnreadable(f"not a readable PDF ({type(exc).__name__})") from exc
    return PdfContent(
        tuple(texts),
        metadata,
        count,
        len(texts),
        tuple(not_read),
        tuple(parts),
        tuple(links),
        tuple(attachments),
    )


def _cut(text: str, not_read: list[str]) -> str:
    if len(text) > MAX_FIELD_TEXT:
        what = "a field, comment or link of the PDF after its first"
        note(not_read, f"{what} {MAX_FIELD_TEXT:,} characters")
    return text[:MAX_FIELD_TEXT]


def _text(value: Any, not_read: list[str]) -> str:
    try:
        value = value.get_object() if hasattr(value, "get_object") else value
    except Exception:
        return ""
    if isinstance(value, bytes):
        return _cut(value.decode("latin-1"), not_read)
    return _cut(value, not_read) if isinstance(value, str) else ""


def _annotations(
    reader: Any,
    pages: int,
    parts: list[tuple[str, str, str]],
    links: list[tuple[str, str]],
    not_read: list[str],
) -> None:
    """Comments, sticky notes and link addresses on the pages read."""
    seen = 0
    for index in range(pages):
        try:
            annotations = reader.pages[index].get("/Annots") or []
            if hasattr(annotations, "get_object"):
                annotations = annotations.get_object()
            items = list(annotations)
        except Exception:
            not_read.append(f"the comments on page {index + 1} (they could not be read)")
            continue
        for item in items:
            seen += 1
            if seen > MAX_ANNOTATIONS:
                not_read.append(f"the comments after the first {MAX_ANNOTATIONS}")
                return
            try:
                annotation = item.get_object()
                kind = str(annotation.get("/Subtype", ""))
                texts = [
                    _text(annotation.get(k), not_read) for k in ("/Contents", "/T", "/Subj", "/RC")
                ]
                action = annotation.get("/A")
                action = action.get_object() if hasattr(action, "get_object") else action
                uri = _text(action.get("/URI"), not_read) if hasattr(action, "get") else ""
            except Exception:
                continue
            where = f"in a comment on page {index + 1} of the PDF ({kind.lstrip('/') or 'note'})"
            text = " , ".join(t for t in texts if t.strip())
            if text:
                parts.append(("pdf-hidden", text, where))
            if uri:
                links.append((uri, f"in a link on page {index + 1} of the PDF"))


def _fields(reader: Any, parts: list[tuple[str, str, str]], not_read: list[str]) -> None:
    """The values filled into the PDF's form fields."""
    try:
        fields = reader.get_fields() or {}
    except Exception:
        not_read.append("the PDF's form fields (they could not be read)")
        return
    for number, (name, field_value) in enumerate(fields.items()):
        if number >= MAX_FIELDS:
            not_read.append(f"the form fields after the first {MAX_FIELDS}")
            return
        try:
            value = _text(field_value.get("/V"), not_read)
        except Exception:
            continue
        if value.strip() and value not in ("/Off", "/Yes"):
            label = str(name)[:80]
            parts.append(("pdf-hidden", value, f"in the PDF's form field \u201c{label}\u201d"))


def _attachments(reader: Any, not_read: list[str]) -> list[tuple[str, bytes]]:
    """The files attached to the PDF, within a count and size budget."""
    try:
        attached = reader.attachments
        names = list(attached.keys())
    except Exception:
        not_read.append("the PDF's attached files (they could not be read)")
        return []
    found: list[tuple[str, bytes]] = []
    total = 0
    streams = _attachment_streams(reader)
    for name in names:
        if len(found) >= MAX_ATTACHMENTS:
            not_read.append(f"the attached files after the first {MAX_ATTACHMENTS}")
            break
        try:
            contents = attached[name]
        except Exception:
            # A damaged stream, or one packed in a way pypdf cannot unpack (an unknown filter,
            # JBIG2 without its decoder): said as such, so the partly-checked sentence does not
            # read "(it could not be read) could not be read".
            not_read.append(
                f"the attached file {str(name)[:80]} (its contents could not be unpacked)"
            )
            continue
        for data in contents if isinstance(contents, list) else [contents]:
            if not isinstance(data, bytes):
                continue
            if total + len(data) > MAX_ATTACHMENT_BYTES:
                not_read.append(f"the attached file {str(name)[:80]} (it is too large)")
                continue
            total += len(data)
            found.append((str(name)[:200], data))
        if name in streams and _flate_damaged(streams[name]):
            not_read.append(f"the rest of the attached file {str(name)[:80]} (it is damaged)")
    return found


def _page_damaged(page: Any) -> bool:
    """Whether one of a page's content streams is Flate-packed and damaged (see
    ``_flate_damaged``): pypdf extracts the text of the part it could unpack, and no more."""
    try:
        contents = page.get("/Contents")
        contents = contents.get_object() if contents is not None else None
        streams = list(contents)[:100] if isinstance(contents, list) else [contents]
        return any(s is not None and _flate_damaged(s.get_object()) for s in streams)
    except Exception:
        return False


def _attachment_streams(reader: Any) -> dict[str, Any]:
    """The stream of each attached file, by its name in the catalogue's name tree (the names
    ``reader.attachments`` gives); {} where the tree cannot be read. Walked here rather than
    through ``reader.attachment_list``, which pypdf 4.0 (the declared floor) does not have.
    Bounded: nodes and kids a hostile tree may nest or repeat are visited at most once."""
    streams: dict[str, Any] = {}
    try:
        names = reader.trailer["/Root"].get_object().get("/Names")
        tree = names.get_object().get("/EmbeddedFiles") if names is not None else None
        pending = [tree] if tree is not None else []
        seen: set[int] = set()
        while pending and len(seen) < _MAX_NAME_TREE_NODES:
            node = pending.pop().get_object()
            if id(node) in seen:
                continue
            seen.add(id(node))
            pending.extend(node.get("/Kids", [])[:_MAX_NAME_TREE_NODES])
            pairs = node.get("/Names", [])
            for key, spec in zip(pairs[::2], pairs[1::2], strict=False):
                if len(streams) > MAX_ATTACHMENTS:
                    return streams
                try:
                    stream = spec.get_object()["/EF"]["/F"].get_object()
                except Exception:
                    continue
                streams.setdefault(str(key), stream)
    except Exception:
        return streams
    return streams


_MAX_NAME_TREE_NODES = 200


def _flate_damaged(stream: Any) -> bool:
    """Whether a Flate-packed stream stops or breaks before its end. pypdf unpacks what it
    can of a damaged stream and says so only in its log, so a file cut short would read as
    whole (its address in the part lost). Checked within the bytes read of attachments."""
    try:
        filters = stream.get("/Filter")
        first = filters[0] if isinstance(filters, list) and filters else filters
        if first not in ("/FlateDecode", "/Fl"):
            return False
        raw = stream._data
        inflater = zlib.decompressobj()
        produced = 0
        while raw and not inflater.eof and produced <= MAX_ATTACHMENT_BYTES:
            produced += len(inflater.decompress(raw, 1 << 20))
            raw = inflater.unconsumed_tail
    except zlib.error:
        return True
    except Exception:
        return False
    return not inflater.eof and produced <= MAX_ATTACHMENT_BYTES


_XMP_NAMES = (
    "dc:creator", "dc:description", "dc:title", "dc:subject", "pdf:Keywords", "pdf:Author",
    "photoshop:City", "photoshop:State", "Iptc4xmpCore:Location", "Iptc4xmpCore:CiAdrExtadr",
    "Iptc4xmpCore:CiAdrCity", "Iptc4xmpCore:CiAdrPcode", "Iptc4xmpCore:CiTelWork",
    "Iptc4xmpCore:CiEmailWork",
)  # fmt: skip


def _xmp_text(reader: object, not_read: list[str]) -> str:
    """The values of the XMP packet's descriptive, place and contact properties."""
    from auditor.standards.content.images import MAX_XMP, xmp_values

    try:  # the raw packet: pypdf's own XMP reader parses it as XML and gives up on sloppy ones
        stream = reader.trailer["/Root"].get_object().get("/Metadata")  # type: ignore[attr-defined]
        if stream is None:
            return ""
        data = stream.get_object().get_data()
    except Exception:
        return ""
    if len(data) > MAX_XMP:
        note(not_read, f"the PDF's XMP metadata after its first {amount(MAX_XMP)}")
    raw = data[:MAX_XMP].decode("utf-8", errors="replace")
    texts = [value for name in _XMP_NAMES for value in xmp_values(raw, name, not_read)]
    text = " , ".join(texts)
    if len(text) > MAX_XMP_TEXT:
        note(not_read, f"the PDF's XMP metadata after its first {MAX_XMP_TEXT:,} characters read")
    return text[:MAX_XMP_TEXT]
