"""HTML as the standard library's parser can read it safely."""

from __future__ import annotations

# Closes whatever construct a page leaves open at its end (a tag, a quote, a comment, CDATA).
# Python's html.parser (before 3.13.4/3.12.11, gh-135462) re-scans an unterminated construct
# from every later '<' at end of input: 50 KB of "<a " costs minutes, 5 MB costs days.
_HTML_CLOSER = "\n-->]]>>"


def parseable_html(html: str) -> str:
    """``html`` made safe for html.parser's end-of-input handling (linear time)."""
    return html + _HTML_CLOSER


def strip_closer(text: str) -> str:
    """``text`` without what is left of the closer at its end: the data a parser reports last
    may end with any tail of it ("]]>>", ">"), which is not the page's."""
    for size in range(len(_HTML_CLOSER), 0, -1):
        if text.endswith(_HTML_CLOSER[-size:]):
            return text[:-size]
    return text
