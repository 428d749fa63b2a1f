"""ASCII digits, as the standards mean them (ABNF ``DIGIT = %x30-39``, RFC 5234 B.1).

``str.isdigit()`` is also true for ``²`` and for Arabic-Indic digits, and ``int()`` accepts the
latter (and raises on the former), so a parser that trusts it reads ``max-age=٣١٥٣٦٠٠٠`` as a
year and crashes on ``pct=²``. Every parser of a standard that says DIGIT uses these instead.
"""

from __future__ import annotations

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
