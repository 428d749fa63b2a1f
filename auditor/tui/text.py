"""Safe text for the screen: attacker-controlled strings are shown as plain text, never markup.

TXT records, page titles and snippets come from the outside world. They are wrapped in
``rich.text.Text`` (which never parses markup) after terminal control characters are
replaced, so a record cannot restyle the screen, move the cursor or fake a status line.
Status words are spelled out next to their glyphs so they read without colour (NO_COLOR).
"""

from __future__ import annotations

from rich.text import Text

from auditor.model import Status
from auditor.standards.text import visible
from auditor.wording import status_with_symbol

MAX_SHOWN = 2000  # characters of one outside string shown at most

# The status words and symbols are auditor.wording's (status_with_symbol); only the colour
# is the screen's own.
STATUS_STYLE: dict[Status, str] = {
    Status.PASS: "green",
    Status.FAIL: "bold red",
    Status.WARN: "yellow",
    Status.ERROR: "magenta",
    Status.TIMEOUT: "magenta",
    Status.SKIPPED: "dim",
    Status.MANUAL: "cyan",
    Status.NOT_APPLICABLE: "dim",
}
RUNNING_LABEL = "… running"
WAITING_LABEL = "· waiting"


def clean(text: object, limit: int = MAX_SHOWN) -> str:
    """One line with every control character made visible (auditor.standards.text)."""
    return visible(str(text)[:limit])


def plain(text: object, style: str = "", limit: int = MAX_SHOWN) -> Text:
    """A Text that shows ``text`` literally (no markup, no control characters)."""
    return Text(clean(text, limit), style=style, no_wrap=False, end="")


def status_text(status: Status, *, colour: bool = True) -> Text:
    return Text(status_with_symbol(status), style=STATUS_STYLE[status] if colour else "", end="")


def one_line(error: BaseException | str, limit: int = 200) -> str:
    """The first line of an error, for a dialog: never a traceback."""
    if isinstance(error, BaseException):
        message = str(error).strip()
        first = message.splitlines()[0] if message else type(error).__name__
    else:
        first = error.strip().splitlines()[0] if error.strip() else "something went wrong"
    return clean(first, limit)


def lines(*parts: Text | str) -> Text:
    """Join pieces with line breaks; str pieces are treated as plain text too."""
    out = Text(end="")
    for index, part in enumerate(parts):
        if index:
            out.append("\n")
        out.append(part if isinstance(part, Text) else plain(part))
    return out
