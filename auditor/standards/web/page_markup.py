"""The parts of a page's HTML that act like headers: ``<meta http-equiv>``, ``<meta
name="referrer">`` and the ``<script>`` elements (for subresource integrity).

A streaming scan with the standard library's tokenizer: no tree is built, and the number of
elements kept is capped, so a hostile page costs time linear in its (already capped) size.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

MAX_ELEMENTS = 2000


@dataclass
class PageMarkup:
    http_equiv: dict[str, list[str]] = field(default_factory=dict)  # lower-case name -> contents
    scripts: list[dict[str, str | None]] = field(default_factory=list)  # attributes per <script>


class _Scanner(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.markup = PageMarkup()
        self.seen = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ("meta", "script") or self.seen >= MAX_ELEMENTS:
            return
        self.seen += 1
        attributes: dict[str, str | None] = {}
        for name, value in attrs:
            attributes.setdefault(name, value)  # the first of a repeated attribute counts
        if tag == "script":
            self.markup.scripts.append(attributes)
            return
        content = attributes.get("content")
        equiv = attributes.get("http-equiv")
        if equiv is not None and content is not None:
            if content and equiv.strip().lower() == "content-security-policy":
                self.markup.http_equiv.setdefault("content-security-policy", []).append(content)
        elif (attributes.get("name") or "").strip().lower() == "referrer" and content:
            # Browsers honour the last <meta name="referrer"> (HTML, "referrer" metadata name).
            self.markup.http_equiv["referrer-policy"] = [content]

    handle_startendtag = handle_starttag


def scan_markup(html: str) -> PageMarkup:
    scanner = _Scanner()
    try:
        scanner.feed(html)
        scanner.close()
    except (AssertionError, ValueError):  # the tokenizer's own complaints about broken markup
        pass
    return scanner.markup
