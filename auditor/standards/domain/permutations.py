"""A fast, pure, deterministic generator of lookalike domain names (typosquats).

Given ``candidate.org.uk`` it yields names a voter could mistake for it, the most plausible
first: other UK-common endings, look-alike letters, hyphens, dropped, doubled and swapped
letters, neighbouring keys on a UK keyboard, Cyrillic homoglyphs (as punycode), added
letters, and optionally bit flips. Only valid host names are produced; the label is capped
at 63 characters, so the work is bounded by a few thousand candidates.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from auditor.net.domains import organisational_domain, public_suffix

# Endings commonly registered in the UK, most plausible first.
UK_SUFFIXES = (
    "co.uk", "uk", "org.uk", "com", "org", "net", "info", "london", "me.uk", "ltd.uk",
    "co", "eu", "uk.com", "uk.net", "scot", "wales", "cymru", "online", "vote",
)  # fmt: skip

# UK QWERTY neighbours of each key (letters and digits only).
KEYBOARD = {
    "1": "2q", "2": "13qw", "3": "24we", "4": "35er", "5": "46rt", "6": "57ty",
    "7": "68yu", "8": "79ui", "9": "80io", "0": "9op",
    "q": "12wa", "w": "23qeas", "e": "34wrsd", "r": "45etdf", "t": "56ryfg",
    "y": "67tugh", "u": "78yihj", "i": "89uojk", "o": "90ipkl", "p": "0ol",
    "a": "qwsz", "s": "weadzx", "d": "erfcxs", "f": "rtgvcd", "g": "tyhbvf",
    "h": "yujnbg", "j": "uikmnh", "k": "iolmj", "l": "opk",
    "z": "asx", "x": "zsdc", "c": "xdfv", "v": "cfgb", "b": "vghn", "n": "bhjm", "m": "njk",
}  # fmt: skip

# Letters that look alike in a browser address bar or an email client.
ASCII_LOOKALIKES = (
    ("rn", "m"), ("m", "rn"), ("l", "1"), ("1", "l"), ("i", "l"), ("l", "i"), ("o", "0"),
    ("0", "o"), ("vv", "w"), ("w", "vv"), ("cl", "d"), ("d", "cl"), ("nn", "m"), ("g", "q"),
)  # fmt: skip
CYRILLIC = {"a": "а", "c": "с", "e": "е", "i": "і", "j": "ј", "o": "о", "p": "р", "s": "ѕ",
            "x": "х", "y": "у"}  # fmt: skip
VOWELS = "aeiou"
ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"
MAX_LABEL = 63


@dataclass(frozen=True)
class Lookalike:
    name: str  # ASCII (punycode) form, what DNS is asked about
    kind: str  # tld-swap | homoglyph | idn-homoglyph | hyphenation | omission | ...
    display: str = ""  # the Unicode form for IDN homoglyphs

    @property
    def shown(self) -> str:
        return self.display or self.name


def split_domain(domain: str) -> tuple[str, str]:
    """(registrable label, public suffix) of a domain or any name under it."""
    org = organisational_domain(domain.strip().rstrip(".").lower())
    suffix = public_suffix(org)
    return org[: -len(suffix) - 1], suffix


def _valid_label(label: str) -> bool:
    if not 0 < len(label) <= MAX_LABEL or label[0] == "-" or label[-1] == "-":
        return False
    if label[2:4] == "--" and not label.startswith("xn--"):
        return False
    return all(c in ALPHABET or c == "-" for c in label)


def _homoglyphs(label: str) -> Iterator[tuple[str, str]]:
    for old, new in ASCII_LOOKALIKES:
        start = label.find(old)
        while start != -1:
            yield label[:start] + new + label[start + len(old) :], "homoglyph"
            start = label.find(old, start + 1)


def _label_variants(label: str, *, bitsquatting: bool) -> Iterator[tuple[str, str]]:
    yield from _homoglyphs(label)
    n = len(label)
    for i in range(1, n):
        yield label[:i] + "-" + label[i:], "hyphenation"
    for i in range(n):
        yield label[:i] + label[i + 1 :], "omission"
    for i in range(n):
        yield label[:i] + label[i] + label[i:], "repetition"
    for i in range(n - 1):
        yield label[:i] + label[i + 1] + label[i] + label[i + 2 :], "transposition"
    for i, char in enumerate(label):
        if char in VOWELS:
            for vowel in VOWELS:
                if vowel != char:
                    yield label[:i] + vowel + label[i + 1 :], "vowel-swap"
    for i, char in enumerate(label):
        for near in KEYBOARD.get(char, ""):
            yield label[:i] + near + label[i + 1 :], "replacement"
    for i, char in enumerate(label):
        for near in KEYBOARD.get(char, ""):
            yield label[:i] + near + label[i:], "insertion"
    for char in ALPHABET:
        yield label + char, "addition"
    if bitsquatting:
        for i, char in enumerate(label):
            for bit in range(8):
                flipped = chr(ord(char) ^ (1 << bit))
                if flipped in ALPHABET or flipped == "-":
                    yield label[:i] + flipped + label[i + 1 :], "bitsquatting"


def _idn_variants(label: str) -> Iterator[tuple[str, str]]:
    """Single-letter Cyrillic swaps, then all swappable letters at once (punycode)."""
    positions = [i for i, c in enumerate(label) if c in CYRILLIC]
    for i in positions:
        yield label[:i] + CYRILLIC[label[i]] + label[i + 1 :], "idn-homoglyph"
    if len(positions) > 1:
        yield "".join(CYRILLIC.get(c, c) for c in label), "idn-homoglyph"


def _punycode(label: str) -> str | None:
    try:
        encoded = label.encode("idna").decode("ascii")
    except UnicodeError:
        return None
    return encoded if _valid_label(encoded) else None


def permutations(
    domain: str, *, limit: int | None = None, bitsquatting: bool = False
) -> list[Lookalike]:
    """Lookalikes of ``domain``'s registrable name, most plausible first, without repeats."""
    label, suffix = split_domain(domain)
    original = f"{label}.{suffix}"
    seen = {original}
    found: list[Lookalike] = []

    def add(name: str, kind: str, display: str = "") -> bool:
        if name not in seen:
            seen.add(name)
            found.append(Lookalike(name, kind, display))
        return limit is not None and len(found) >= limit

    for other in UK_SUFFIXES:
        if other != suffix and add(f"{label}.{other}", "tld-swap"):
            return found
    # A dot dropped or moved: candidateorg.uk for candidate.org.uk.
    if "." in suffix:
        head, rest = suffix.split(".", 1)
        if _valid_label(label + head) and add(f"{label}{head}.{rest}", "dot-omission"):
            return found
    for variant, kind in _homoglyphs(label):
        if _valid_label(variant) and add(f"{variant}.{suffix}", kind):
            return found
    for variant, kind in _idn_variants(label):
        encoded = _punycode(variant)
        if encoded and add(f"{encoded}.{suffix}", kind, f"{variant}.{suffix}"):
            return found
    for variant, kind in _label_variants(label, bitsquatting=bitsquatting):
        if _valid_label(variant) and add(f"{variant}.{suffix}", kind):
            return found
    # Likely swaps combined with the commonest other endings.
    for other in UK_SUFFIXES[:4]:
        if other == suffix:
            continue
        for variant, kind in _label_variants(label, bitsquatting=False):
            plausible = kind in ("homoglyph", "hyphenation", "omission")
            if (
                plausible
                and _valid_label(variant)
                and add(f"{variant}.{other}", f"{kind}+tld-swap")
            ):
                return found
    return found
