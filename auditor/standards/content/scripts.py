"""The text a page script carries: string literals of inline JSON blobs (plugin settings written
by ``wp_localize_script``, ``__NEXT_DATA__``, ``application/json`` islands) and of plain
JavaScript, with object keys left out so that ``{"number": "12", "street": "Acacia Avenue"}``
reads "12 , Acacia Avenue". A hand-written scanner, linear in the input: an unterminated
string is skipped to the end of its line, never re-scanned from every later quote.
"""

from __future__ import annotations

import re

from auditor.standards.content.unread import amount, note

MAX_SCRIPT = 512 * 1024
MAX_STRINGS = 20_000
_OPEN = re.compile(r"[\"'`]")
_BODY = {
    '"': re.compile(r'"((?:[^"\\\n]|\\.)*)"'),
    "'": re.compile(r"'((?:[^'\\\n]|\\.)*)'"),
    "`": re.compile(r"`((?:[^`\\\n]|\\.)*)`"),
}
_ESCAPE = re.compile(r"\\(u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|.)", re.DOTALL)
_SIMPLE = {"n": " ", "r": " ", "t": " ", "b": "", "f": "", "v": " ", "0": ""}
_KEY_AFTER = re.compile(r"\s{0,20}:")


def _unescape(body: str) -> str:
    def one(hit: re.Match[str]) -> str:
        code = hit.group(1)
        if code[0] in "ux" and len(code) > 1:
            try:
                return chr(int(code[1:], 16))
            except ValueError:
                return ""
        return _SIMPLE.get(code, code)

    return _ESCAPE.sub(one, body) if "\\" in body else body


def script_strings(
    script: str, not_read: list[str] | None = None, what: str = "a page script"
) -> list[str]:
    """The string values of a script or JSON text, in order, keys left out; what a cap left
    unread of ``what`` goes into ``not_read``."""
    if len(script) > MAX_SCRIPT:
        note(not_read, f"{what} after its first {amount(MAX_SCRIPT)}")
        script = script[:MAX_SCRIPT]
    found: list[str] = []
    position = 0
    length = len(script)
    while position < length:
        if len(found) >= MAX_STRINGS:
            if _OPEN.search(script, position):  # more strings the cap leaves unread
                note(not_read, f"{what} after its first {MAX_STRINGS:,} pieces of text")
            break
        opening = _OPEN.search(script, position)
        if opening is None:
            break
        start = opening.start()
        hit = _BODY[opening.group()].match(script, start)
        if hit is None:  # unterminated: skip the rest of the line
            newline = script.find("\n", start + 1)
            position = length if newline < 0 else newline + 1
            continue
        position = hit.end()
        if _KEY_AFTER.match(script, position):
            continue  # an object key, not a value
        value = _unescape(hit.group(1)).strip()
        if value:
            found.append(value)
    return found


def script_text(script: str, not_read: list[str] | None = None, what: str = "a page script") -> str:
    """One line: every string value of the script, separated by " , "."""
    return " , ".join(script_strings(script, not_read, what))
