"""Masking the person's own identifiers in anything a report shows.

Reports leave the machine (printed for an agent, emailed to a volunteer), so the home
address, phones and personal emails are masked unless the user passes --reveal. Matching
is forgiving about case and spacing so "ab1 2cd" and "AB12CD" are masked like "AB1 2CD".
"""

from __future__ import annotations

import re
from collections.abc import Iterable

MASK = "[hidden]"


def _pattern_for(value: str) -> str:
    # Any run of spaces in the value may appear as any (or no) whitespace in the text;
    # phones also appear in national form, so match their last 6 digits with separators.
    compact = re.sub(r"\s+", "", value)
    if compact.startswith("+") and compact[1:].isdigit():
        tail = compact[-6:]
        return r"\s?".join(re.escape(c) for c in tail)
    pieces = [re.escape(c) for c in compact]
    return r"\s*".join(pieces)


def compile_masker(sensitive: Iterable[str]) -> re.Pattern[str] | None:
    values = sorted(
        {v.strip() for v in sensitive if v and len(v.strip()) >= 3}, key=len, reverse=True
    )
    if not values:
        return None
    return re.compile("|".join(f"(?:{_pattern_for(v)})" for v in values), re.IGNORECASE)


def mask_text(text: str, masker: re.Pattern[str] | None) -> str:
    if masker is None or not text:
        return text
    return masker.sub(MASK, text)
