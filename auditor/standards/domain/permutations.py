"""A fast, pure, deterministic generator of lookalike domain names (typosquats).

Given ``candidate.org.uk`` it yields names a voter could mistake for it, ranked by how likely a
person is to mistype it or be fooled by it, so a bounded run looks up the likeliest first:

1. other endings people in the UK really register, and a dropped dot (``candidateorg.uk``);
2. look-alike letters (rn/m, cl/d, vv/w, 0/o, 1/l, ...), dropped, doubled and swapped letters,
   hyphens, and campaign words (``vote-candidate``, ``candidatenews``);
3. neighbouring keys on a UK keyboard (replaced, or added on either side of the key), vowel
   swaps, an added letter or plural, single bit flips, and the other commonly registered endings;
4. two look-alike letters at once, the words of general phishing kits, neighbouring keys on
   QWERTZ and AZERTY keyboards, and the likeliest typos combined with another ending.

The kinds are dnstwist's (PyPI), measured side by side in benchmarks/lookalikes_vs_dnstwist.py.
Only names a registry can register are produced: valid host labels, and internationalised
(Cyrillic) names only as a whole label in an ending whose registry accepts Cyrillic — no
registry following ICANN's IDN guidelines takes a label mixing scripts, and Nominet (.uk)
takes no IDNs at all. The label is capped at 63 characters, so the work stays bounded.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import chain, zip_longest

from auditor.net.domains import idna_ascii, organisational_domain, public_suffix

# Endings commonly registered in the UK, most plausible first.
UK_SUFFIXES = (
    "co.uk", "uk", "org.uk", "com", "org", "net", "info", "london", "me.uk", "ltd.uk",
    "co", "eu", "uk.com", "uk.net", "scot", "wales", "cymru", "online", "vote",
)  # fmt: skip
# Other endings open to anyone, the most registered and most visited first, tried after the UK
# ones. Restricted endings (gov, edu, mil, int, and ccTLDs for residents only) are left out:
# nobody can squat there.
OTHER_SUFFIXES = (
    "biz", "io", "me", "app", "site", "xyz", "top", "shop", "store", "live", "blog", "news",
    "online", "website", "tech", "club", "world", "digital", "email", "party", "link", "pro",
    "tv", "cc", "ws", "pw", "de", "nl", "es", "ch", "at", "be", "se", "fi", "dk", "pl", "cz",
    "pt", "ro", "gr", "hu", "bg", "ee", "lt", "lv", "si", "sk", "hr", "is", "li", "ru", "ua",
    "by", "kz", "cn", "tw", "hk", "in", "id", "my", "ph", "sg", "th", "vn", "la", "tk", "ga",
    "gq", "ml", "cf", "al", "ly", "rs", "za", "to", "fm", "ms", "mobi", "cat", "wiki", "tips",
    "jobs",
    "xxx", "mx", "ar", "cl", "pe", "co.za", "com.br", "nz", "ug", "ng", "ae", "sa", "il", "tr",
    "ir", "jp", "kr", "ca", "au", "us", "ie", "fr", "it", "no", "com.au", "co.nz", "co.in",
)  # fmt: skip
# Words that phishing campaigns against candidates and parties add to the name, likeliest
# first; then the words general phishing kits add (account, login, secure, verify, ...).
CAMPAIGN_WORDS = (
    "vote", "team", "news", "donate", "secure", "login", "support", "elect", "campaign",
    "official", "info", "join", "help", "people", "for", "uk", "the",
)  # fmt: skip
PHISHING_WORDS = (
    "account", "mail", "my", "online", "verify", "update", "pay", "payment", "payments",
    "portal", "signin", "signup", "security", "service", "services", "safe", "confirm",
    "confirmation", "auth", "access", "admin", "agree", "blue", "business", "cdn", "choose",
    "claim", "cl", "click", "connect", "download", "enroll", "find", "group", "http", "https",
    "https-www", "install", "mobile", "recovery", "register", "ssl", "summary", "user",
    "verification", "view", "ww", "www", "web",
)  # fmt: skip
# Endings whose registry accepts a label written wholly in Cyrillic (Verisign, PIR, EURid).
CYRILLIC_SUFFIXES = frozenset({"com", "net", "org", "eu"})

# Keyboard rows; neighbours are the keys beside, above and below (as the keys are staggered).
UK_KEYBOARD_ROWS = ("1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm")
OTHER_KEYBOARD_ROWS = (
    ("1234567890", "qwertzuiop", "asdfghjkl", "yxcvbnm"),  # QWERTZ (German)
    ("1234567890", "azertyuiop", "qsdfghjklm", "wxcvbn"),  # AZERTY (French)
)

# Letters (and pairs) that look alike in an address bar or an email client.
ASCII_LOOKALIKES: dict[str, tuple[str, ...]] = {
    "0": ("o",), "1": ("l", "i"), "3": ("8",), "6": ("9",), "8": ("3",), "9": ("6",),
    "b": ("d", "lb"), "c": ("e",), "d": ("b", "cl", "dl"), "e": ("c",), "g": ("q",),
    "h": ("lh",), "i": ("1", "l"), "k": ("lc",), "l": ("1", "i"), "m": ("n", "nn", "rn"),
    "n": ("m", "r"), "o": ("0",), "q": ("g",), "u": ("v",), "v": ("u",), "w": ("vv",),
    "rn": ("m",), "cl": ("d",), "vv": ("w",), "nn": ("m",),
}  # fmt: skip
CYRILLIC = {
    "a": "а", "b": "ь", "c": "с", "d": "ԁ", "e": "е", "g": "ԍ", "h": "һ", "i": "і", "j": "ј",
    "k": "к", "l": "ӏ", "m": "м", "o": "о", "p": "р", "q": "ԛ", "s": "ѕ", "t": "т", "v": "ѵ",
    "w": "ԝ", "x": "х", "y": "у",
}  # fmt: skip
VOWELS = "aeiou"
ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"
MAX_LABEL = 63


def keyboard_neighbours(rows: tuple[str, ...]) -> dict[str, str]:
    """Each key's neighbours: left and right, the two above and the two below it."""
    near: dict[str, str] = {}
    for r, row in enumerate(rows):
        for i, key in enumerate(row):
            keys = [row[j] for j in (i - 1, i + 1) if 0 <= j < len(row)]
            if r > 0:
                keys += [rows[r - 1][j] for j in (i, i + 1) if j < len(rows[r - 1])]
            if r + 1 < len(rows):
                keys += [rows[r + 1][j] for j in (i - 1, i) if 0 <= j < len(rows[r + 1])]
            near[key] = "".join(dict.fromkeys(keys))
    return near


KEYBOARD = keyboard_neighbours(UK_KEYBOARD_ROWS)
OTHER_KEYBOARDS = tuple(keyboard_neighbours(rows) for rows in OTHER_KEYBOARD_ROWS)


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


# -- the kinds: each yields label variants ------------------------------------------------


def _lookalike_swaps(label: str) -> Iterator[str]:
    """One look-alike substitution: a single character, or within a window of two."""
    for i, char in enumerate(label):
        for glyph in ASCII_LOOKALIKES.get(char, ()):
            yield label[:i] + glyph + label[i + 1 :]
    for i in range(len(label) - 1):
        window = label[i : i + 2]
        for part in dict.fromkeys((window[0], window[1], window)):
            for glyph in ASCII_LOOKALIKES.get(part, ()):
                yield label[:i] + window.replace(part, glyph) + label[i + 2 :]


def _double_lookalikes(label: str) -> Iterator[str]:
    singles = dict.fromkeys(_lookalike_swaps(label))
    for single in singles:
        yield from _lookalike_swaps(single)


def _omission(label: str) -> Iterator[str]:
    return (label[:i] + label[i + 1 :] for i in range(len(label)))


def _repetition(label: str) -> Iterator[str]:
    return (label[:i] + label[i] + label[i:] for i in range(len(label)))


def _transposition(label: str) -> Iterator[str]:
    n = len(label)
    return (label[:i] + label[i + 1] + label[i] + label[i + 2 :] for i in range(n - 1))


def _hyphenation(label: str) -> Iterator[str]:
    return (label[:i] + "-" + label[i:] for i in range(1, len(label)))


def _dictionary(label: str, words: tuple[str, ...]) -> Iterator[str]:
    for word in words:
        if word != label:
            yield from (f"{word}-{label}", f"{label}-{word}", f"{word}{label}", f"{label}{word}")
    if "-" in label:
        head, tail = label.rsplit("-", 1)[0], label.split("-", 1)[1]
        for word in words:
            yield from (f"{head}-{word}", f"{word}-{tail}")


def _replacement(label: str, keyboard: dict[str, str]) -> Iterator[str]:
    for i, char in enumerate(label):
        for near in keyboard.get(char, ""):
            yield label[:i] + near + label[i + 1 :]


def _insertion(label: str, keyboard: dict[str, str]) -> Iterator[str]:
    """A neighbouring key pressed with the intended one: before it or after it."""
    for i, char in enumerate(label):
        for near in keyboard.get(char, ""):
            yield label[:i] + near + label[i:]
            yield label[: i + 1] + near + label[i + 1 :]


def _vowel_swap(label: str) -> Iterator[str]:
    for i, char in enumerate(label):
        if char in VOWELS:
            yield from (label[:i] + v + label[i + 1 :] for v in VOWELS if v != char)


def _addition(label: str) -> Iterator[str]:
    yield from (label + char for char in ALPHABET)
    parts = label.split("-")
    for cut in range(1, len(parts)):
        head, tail = "-".join(parts[:cut]), "-".join(parts[cut:])
        yield from (f"{head}{char}-{tail}" for char in ALPHABET)


def _plural(label: str) -> Iterator[str]:
    for i in range(2, len(label) - 2):
        ending = "es" if label[i] in "sxz" else "s"
        yield label[: i + 1] + ending + label[i + 1 :]


def _bitsquatting(label: str) -> Iterator[str]:
    for i, char in enumerate(label):
        for bit in range(8):
            flipped = chr(ord(char) ^ (1 << bit))
            if flipped in ALPHABET or flipped == "-":
                yield label[:i] + flipped + label[i + 1 :]


def _round_robin(*streams: Iterable[tuple[str, str]]) -> Iterator[tuple[str, str]]:
    """One of each kind in turn, so a cut-off budget keeps every kind of the tier."""
    for group in zip_longest(*streams):
        yield from (item for item in group if item is not None)


def _tagged(kind: str, variants: Iterable[str]) -> Iterator[tuple[str, str]]:
    return ((variant, kind) for variant in variants)


def _punycode(label: str) -> str | None:
    try:
        encoded = idna_ascii(label)  # IDNA 2008, as the audited names are
    except (UnicodeError, ValueError):
        return None
    return encoded if _valid_label(encoded) else None


# -- the ranked generator -------------------------------------------------------------------


def permutations(
    domain: str, *, limit: int | None = None, bitsquatting: bool = True
) -> list[Lookalike]:
    """Lookalikes of ``domain``'s registrable name, likeliest first, without repeats."""
    label, suffix = split_domain(domain)
    seen = {f"{label}.{suffix}"}
    found: list[Lookalike] = []

    def add(name: str, kind: str, display: str = "") -> bool:
        """Keep a new name; True once ``limit`` names are found."""
        if name not in seen:
            seen.add(name)
            found.append(Lookalike(name, kind, display))
        return limit is not None and len(found) >= limit

    def add_variants(items: Iterable[tuple[str, str]], ending: str = suffix, tag: str = "") -> bool:
        return any(
            add(f"{variant}.{ending}", kind + tag)
            for variant, kind in items
            if _valid_label(variant)
        )

    def add_endings(suffixes: Iterable[str]) -> bool:
        return any(add(f"{label}.{other}", "tld-swap") for other in suffixes if other != suffix)

    # 1. Other UK endings, and the dot dropped (candidateorg.uk; candidatecom.com).
    if add_endings(UK_SUFFIXES) or any(
        add(n, "dot-omission") for n in _dot_omissions(label, suffix)
    ):
        return found
    # 2. Look-alike letters, slips of one letter, hyphens, campaign words; whole-label Cyrillic.
    likely = _round_robin(
        _tagged("homoglyph", _lookalike_swaps(label)),
        _tagged("omission", _omission(label)),
        _tagged("repetition", _repetition(label)),
        _tagged("transposition", _transposition(label)),
        _tagged("hyphenation", _hyphenation(label)),
        _tagged("dictionary", _dictionary(label, CAMPAIGN_WORDS)),
    )
    if add_variants(likely):
        return found
    if suffix in CYRILLIC_SUFFIXES and all(c in CYRILLIC for c in label):
        cyrillic = "".join(CYRILLIC[c] for c in label)
        encoded = _punycode(cyrillic)
        if encoded and add(f"{encoded}.{suffix}", "idn-homoglyph", f"{cyrillic}.{suffix}"):
            return found
    # 3. Neighbouring keys, vowels, an added letter or plural, bit flips; other endings.
    typos = _round_robin(
        _tagged("replacement", _replacement(label, KEYBOARD)),
        _tagged("insertion", _insertion(label, KEYBOARD)),
        _tagged("vowel-swap", _vowel_swap(label)),
        _tagged("addition", _addition(label)),
        _tagged("plural", _plural(label)),
        _tagged("bitsquatting", _bitsquatting(label) if bitsquatting else ()),
    )
    if add_variants(typos) or add_endings(OTHER_SUFFIXES):
        return found
    # 4. Two look-alike letters, other keyboards; the likeliest slips under other endings.
    unlikely = _round_robin(
        _tagged("homoglyph", _double_lookalikes(label)),
        _tagged("dictionary", _dictionary(label, PHISHING_WORDS)),
        *(_tagged("replacement", _replacement(label, k)) for k in OTHER_KEYBOARDS),
        *(_tagged("insertion", _insertion(label, k)) for k in OTHER_KEYBOARDS),
    )
    if add_variants(unlikely):
        return found
    for other in UK_SUFFIXES[:4]:
        if other == suffix:
            continue
        combined = chain(
            _tagged("homoglyph", _lookalike_swaps(label)),
            _tagged("hyphenation", _hyphenation(label)),
            _tagged("omission", _omission(label)),
        )
        if add_variants(combined, ending=other, tag="+tld-swap"):
            return found
    return found


def _dot_omissions(label: str, suffix: str) -> Iterator[str]:
    """candidate.org.uk -> candidateorg.uk; candidate.com -> candidatecom.com;
    candidate.org -> candidateorg.com and candidate-org.com."""
    if "." in suffix:
        head, rest = suffix.split(".", 1)
        names = [f"{label}{head}.{rest}"]
    else:
        names = [f"{label}{suffix}.{suffix}"]
        if suffix != "com":
            names += [f"{label}{suffix}.com", f"{label}-{suffix}.com"]
    return (name for name in names if _valid_label(name.split(".", 1)[0]))
