"""Text from the internet made safe to show or to put in a spreadsheet.

One definition for every surface (terminal lines, the TUI, Markdown, HTML, CSV): a control
character (C0, C1, DEL), a format character (bidi overrides, zero-width marks) or a private
or surrogate code point is shown as U+FFFD instead of acting on the terminal or hiding text.
The zero-width joiner is kept: emoji sequences need it and it cannot reorder or hide text.
"""

from __future__ import annotations

import unicodedata

REPLACEMENT = "\ufffd"
_INVISIBLE = frozenset({"Cc", "Cf", "Cs", "Co"})
_LINE_BREAKS = "\n\r\t"
# Spreadsheets run a cell that starts with one of these as a formula (OWASP CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def visible(text: object, *, one_line: bool = True, limit: int | None = None) -> str:
    """``text`` with every invisible or terminal-driving character made visible.

    ``one_line`` turns tabs and line breaks into spaces (otherwise newlines and tabs stay and
    a carriage return still becomes a space, so a line cannot be overwritten). ``limit`` cuts
    to that many characters, the last one an ellipsis.
    """
    raw = str(text)
    if limit is not None and len(raw) > limit:
        raw = raw[: max(limit - 1, 0)] + "…"
    if raw.isprintable():
        # No control, format, surrogate or private-use character, no line break or tab (all
        # non-printable to Python): nothing to replace. Most text is; this skips the loop.
        return raw
    out: list[str] = []
    for ch in raw:
        if ch in _LINE_BREAKS:
            out.append(ch if not one_line and ch != "\r" else " ")
        elif ch != "\u200d" and unicodedata.category(ch) in _INVISIBLE:
            out.append(REPLACEMENT)
        else:
            out.append(ch)
    return "".join(out)


def spreadsheet_cell(value: object) -> str:
    """One CSV cell: visible text on one line that a spreadsheet will not run as a formula."""
    text = visible(value)
    if text.startswith(FORMULA_START) or text.lstrip().startswith(FORMULA_START[:4]):
        return "'" + text
    return text
