"""ASCII digits, as the standards mean them (ABNF ``DIGIT = %x30-39``, RFC 5234 B.1).

``str.isdigit()`` is also true for ``²`` and for Arabic-Indic digits, and ``int()`` accepts the
latter (and raises on the former), so a parser that trusts it reads ``max-age=٣١٥٣٦٠٠٠`` as a
year and crashes on ``pct=²``. Every parser of a standard that says DIGIT uses these instead.
"""

from __future__ import annotations

import re

ASCII_DIGITS = frozenset("0123456789")


def is_ascii_digits(text: str) -> bool:
    """True when ``text`` is one or more of 0-9 and nothing else."""
    return bool(text) and text.isascii() and text.isdigit()


def ascii_int(text: str, *, max_digits: int | None = None) -> int | None:
    """``text`` as a number when it is only ASCII digits (at most ``max_digits``), else None."""
    if not is_ascii_digits(text):
        return None
    if max_digits is not None and len(text) > max_digits:
        return None
    return int(text)


# A plain decimal number: what geo meta tags, microdata, vCard GEO and XMP write. float()
# also takes "nan", "inf", "1_0", "1e5" and Arabic-Indic digits.
_DECIMAL = re.compile(r"[+-]?(?:[0-9]{1,15}(?:\.[0-9]{0,17})?|\.[0-9]{1,17})")


def ascii_decimal(text: str) -> float | None:
    """``text`` (surrounding spaces allowed) as a number when it is a plain ASCII decimal."""
    text = text.strip()
    if not _DECIMAL.fullmatch(text):
        return None
    return float(text)
