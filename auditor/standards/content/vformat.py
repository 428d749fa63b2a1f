"""Content lines of vCard (RFC 2426, RFC 6350) and iCalendar (RFC 5545) files.

``NAME;PARAM=value;PARAM="quoted; value":VALUE`` after unfolding (a line break followed by a
space or tab continues the line), with the text escapes ``\\n``, ``\\,``, ``\\;`` and
``\\\\`` undone and vCard 2.1's quoted-printable values decoded. Linear in the input and
bounded in lines and characters.
"""

from __future__ import annotations

import quopri
import re
from dataclasses import dataclass, field

from auditor.standards.content.unread import amount, note

MAX_TEXT = 512 * 1024
MAX_LINES = 5000
_FOLD = re.compile(r"\r?\n[ \t]")
_QP_SOFT = re.compile(r"=\r?\n")
_ESCAPE = re.compile(r"\\([nN,;:\\])")


@dataclass(frozen=True)
class ContentLine:
    name: str  # upper case, group dropped ("item1.ADR" -> "ADR")
    params: dict[str, str] = field(default_factory=dict)  # upper-case names, unquoted values
    value: str = ""  # raw (escapes kept: components are split on unescaped ';')


def unescape(value: str) -> str:
    return _ESCAPE.sub(lambda m: ", " if m.group(1) in "nN" else m.group(1), value)


def components(value: str) -> list[str]:
    """A structured value (ADR, GEO in vCard 3) split on unescaped ';', each unescaped."""
    parts: list[str] = []
    current: list[str] = []
    escaped = False
    for char in value:
        if escaped:
            current.append("\\" + char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == ";":
            parts.append(unescape("".join(current)))
            current = []
        else:
            current.append(char)
    parts.append(unescape("".join(current)))
    return parts


def _split(line: str) -> ContentLine | None:
    """NAME *(;PARAM) : VALUE, with ':' and ';' inside quoted parameter values allowed."""
    pieces: list[str] = []
    current: list[str] = []
    quoted = False
    value = ""
    for index, char in enumerate(line):
        if char == '"':
            quoted = not quoted
            continue
        if not quoted and char in ";:":
            pieces.append("".join(current))
            current = []
            if char == ":":
                value = line[index + 1 :]
                break
            continue
        current.append(char)
    else:
        return None
    name = pieces[0].rpartition(".")[2].strip().upper()
    params: dict[str, str] = {}
    for piece in pieces[1:]:
        key, sep, param = piece.partition("=")
        key = key.strip().upper()
        params[key if sep else "TYPE"] = (param if sep else key).strip()
    return ContentLine(name, params, value)


def content_lines(
    text: str, not_read: list[str] | None = None, what: str = "the file"
) -> list[ContentLine]:
    """The content lines of ``what`` ("the calendar file"); what a cap left unread of it goes
    into ``not_read``."""
    if len(text) > MAX_TEXT:
        note(not_read, f"{what} after its first {amount(MAX_TEXT)}")
        text = text[:MAX_TEXT]
    text = _QP_SOFT.sub("", text) if "QUOTED-PRINTABLE" in text.upper() else text
    found: list[ContentLine] = []
    lines = _FOLD.sub("", text).splitlines()
    if len(lines) > MAX_LINES:
        note(not_read, f"{what} after its first {MAX_LINES:,} lines")
    for raw in lines[:MAX_LINES]:
        line = _split(raw)
        if line is None or not line.name:
            continue
        if line.params.get("ENCODING", "").upper() == "QUOTED-PRINTABLE":
            charset = line.params.get("CHARSET", "utf-8")
            try:
                decoded = quopri.decodestring(line.value.encode("latin-1", "replace"))
                line = ContentLine(line.name, line.params, decoded.decode(charset, "replace"))
            except (LookupError, ValueError):
                pass
        found.append(line)
    return found
