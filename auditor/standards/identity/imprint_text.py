"""Find election imprints ("Promoted by NAME on behalf of X, of ADDRESS") in text. Pure,
bounded, never raises."""

from __future__ import annotations

import re
from dataclasses import dataclass

from auditor.standards.identity.matchers import normalise_text

ELLIPSIS = "…"
MAX_IMPRINT = 300  # characters after "… by" that belong to one imprint
_START = re.compile(
    r"\b(promoted|published|printed(?:\s{1,3}and\s{1,3}published)?)\s{1,3}by\b", re.IGNORECASE
)


@dataclass(frozen=True)
class Imprint:
    text: str  # "Promoted by Sam Agent on behalf of Alex Example, at 40 Acacia Avenue, …"
    start: int  # span in the normalised text
    end: int


def find_imprints(text: str, limit: int = 50) -> list[Imprint]:
    """Each imprint in ``text`` (normalised first), cut at the next imprint or MAX_IMPRINT.

    An imprint cut at MAX_IMPRINT ends in "…": the masker hides what is left of an
    identifier beside an ellipsis (auditor/masking.py), so half an address at the cut is
    hidden, and a reader sees that the text goes on."""
    text = normalise_text(text)
    starts = [m.start() for m in _START.finditer(text)][:limit]
    found: list[Imprint] = []
    for index, start in enumerate(starts):
        end = min(start + MAX_IMPRINT, len(text))
        if index + 1 < len(starts):
            end = min(end, starts[index + 1])
        cut = end == start + MAX_IMPRINT and end < len(text)
        shown = text[start:end].strip() + (ELLIPSIS if cut else "")
        found.append(Imprint(shown, start, end))
    return found
