"""SPF records (RFC 7208): a pure lexer and parser, and macro expansion.

Nothing here touches the network. ``parse_record`` turns the text of one ``v=spf1``
record into terms, checking the whole ABNF of RFC 7208 §4.6.1, §5, §6 and §7.1 up front
(a syntax error anywhere makes the record a permerror, even after a matching term).
``expand`` applies a parsed macro string to the values of one check. The only exception
any function here raises is ``SpfSyntaxError``; work is linear in the input and the input
is capped at ``MAX_RECORD_CHARS``.
"""

from __future__ import annotations

import functools
import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from auditor.standards.digits import is_ascii_digits

# A TXT RRset cannot carry more than a DNS message (64 KiB); anything longer is not a record.
MAX_RECORD_CHARS = 65_535
MAX_DOMAIN_CHARS = 253

MECHANISMS = ("all", "include", "a", "mx", "ptr", "ip4", "ip6", "exists")
# Terms that cost a DNS lookup towards the limit of 10 (RFC 7208 §4.6.4).
DNS_MECHANISMS = frozenset({"include", "a", "mx", "ptr", "exists"})
QUALIFIERS = "+-?~"
DOMAIN_MACRO_LETTERS = frozenset("slodiphv")
EXPLANATION_MACRO_LETTERS = DOMAIN_MACRO_LETTERS | frozenset("crt")
DELIMITERS = frozenset(".-+,/_=")
UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

_VERSION = re.compile(r"v=spf1(?: |\Z)", re.IGNORECASE)
_MODIFIER_NAME = re.compile(r"[A-Za-z][A-Za-z0-9._-]*\Z")
_TOPLABEL = re.compile(
    r"(?:[A-Za-z0-9]*[A-Za-z][A-Za-z0-9]*|[A-Za-z0-9]+-[A-Za-z0-9-]*[A-Za-z0-9])\Z"
)
_QNUM_IP4 = re.compile(r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])")
_IP4 = re.compile(rf"{_QNUM_IP4.pattern}(?:\.{_QNUM_IP4.pattern}){{3}}\Z")
_IP6_CHARS = re.compile(r"[0-9A-Fa-f:.]+\Z")


class SpfSyntaxError(ValueError):
    """The text is not valid SPF syntax; the message says where and why."""


class Qualifier(StrEnum):
    PASS = "+"
    FAIL = "-"
    SOFTFAIL = "~"
    NEUTRAL = "?"

    @property
    def result(self) -> str:
        return {"+": "pass", "-": "fail", "~": "softfail", "?": "neutral"}[self.value]


@dataclass(frozen=True)
class Macro:
    """``%{letter digits r delimiters}``: one variable with its transformers."""

    letter: str  # lower-case
    url_escape: bool  # the letter was upper-case
    keep: int | None  # rightmost parts to keep (None: all)
    reverse: bool
    delimiters: str  # "" means "."


# A macro string is literal text and macros in order; "%%", "%_" and "%-" are literal.
MacroToken = str | Macro


@dataclass(frozen=True)
class MacroString:
    text: str
    tokens: tuple[MacroToken, ...]
    literal_tail: str = ""  # the raw text after the last macro-expand (%{..}, %%, %_, %-)

    @property
    def has_macros(self) -> bool:
        return any(isinstance(t, Macro) for t in self.tokens)

    def letters(self) -> frozenset[str]:
        return frozenset(t.letter for t in self.tokens if isinstance(t, Macro))

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Mechanism:
    qualifier: Qualifier
    name: str  # lower-case, one of MECHANISMS
    domain: MacroString | None = None  # include, a, mx, ptr, exists
    network: ipaddress.IPv4Network | ipaddress.IPv6Network | None = None  # ip4, ip6
    cidr4: int | None = None  # a, mx
    cidr6: int | None = None  # a, mx
    text: str = ""  # as written

    @property
    def counts_lookup(self) -> bool:
        return self.name in DNS_MECHANISMS


@dataclass(frozen=True)
class Modifier:
    name: str  # lower-case
    value: MacroString
    text: str = ""


@dataclass(frozen=True)
class SpfRecord:
    text: str
    mechanisms: tuple[Mechanism, ...]
    redirect: MacroString | None = None
    explanation: MacroString | None = None
    unknown_modifiers: tuple[Modifier, ...] = ()

    @property
    def all_mechanism(self) -> Mechanism | None:
        return next((m for m in self.mechanisms if m.name == "all"), None)

    @property
    def lookup_terms(self) -> int:
        """DNS-lookup terms in this record alone (redirect included)."""
        own = sum(1 for m in self.mechanisms if m.counts_lookup)
        return own + (1 if self.redirect is not None else 0)

    @property
    def has_macros(self) -> bool:
        specs = [m.domain for m in self.mechanisms if m.domain is not None]
        specs += [s for s in (self.redirect, self.explanation) if s is not None]
        return any(s.has_macros for s in specs)


def is_spf_record(text: str) -> bool:
    """True when the text starts with the version ``v=spf1`` (any case) and a space or its end.

    ``v=spf10`` is not SPF, nor are TXT strings glued into ``v=spf1mx``.
    """
    return _VERSION.match(text) is not None


@functools.lru_cache(maxsize=1024)
def parse_record(text: str) -> SpfRecord:
    """Parse one SPF record; raise ``SpfSyntaxError`` for anything RFC 7208 does not allow.

    Remembered (the record is immutable): in a bulk run thousands of domains include the
    same few provider records, and each walk would parse them again."""
    if len(text) > MAX_RECORD_CHARS:
        raise SpfSyntaxError(f"the record is {len(text)} characters long, too long for DNS")
    if not is_spf_record(text):
        raise SpfSyntaxError("the record does not start with 'v=spf1'")
    for index, char in enumerate(text):
        if not (char == " " or "!" <= char <= "~"):
            raise SpfSyntaxError(
                f"character {char!r} at position {index + 1} is not allowed "
                "(only printable ASCII and spaces)"
            )
    mechanisms: list[Mechanism] = []
    unknown: list[Modifier] = []
    redirect: MacroString | None = None
    explanation: MacroString | None = None
    for term in text[6:].split(" "):
        if not term:
            continue
        modifier = _parse_modifier(term)
        if modifier is None:
            mechanisms.append(_parse_mechanism(term))
            continue
        if modifier.name == "redirect":
            if redirect is not None:
                raise SpfSyntaxError("'redirect=' appears more than once")
            redirect = modifier.value
        elif modifier.name == "exp":
            if explanation is not None:
                raise SpfSyntaxError("'exp=' appears more than once")
            explanation = modifier.value
        else:
            unknown.append(modifier)
    return SpfRecord(text, tuple(mechanisms), redirect, explanation, tuple(unknown))


def _parse_modifier(term: str) -> Modifier | None:
    """The modifier a term spells, or None when the term is a (possibly bad) mechanism."""
    cut = next((i for i, c in enumerate(term) if c in "=:/"), -1)
    if cut < 0 or term[cut] != "=":
        return None
    name = term[:cut]
    if not _MODIFIER_NAME.match(name):
        if name and name[0] in QUALIFIERS:
            return None  # "+redirect=x": a directive, rejected as an unknown mechanism
        raise SpfSyntaxError(f"{term!r}: {name!r} is not a valid modifier name")
    lowered = name.lower()
    value = term[cut + 1 :]
    if lowered in ("redirect", "exp"):
        return Modifier(lowered, parse_domain_spec(value, where=term), term)
    return Modifier(lowered, parse_macro_string(value, where=term), term)


def _parse_mechanism(term: str) -> Mechanism:
    qualifier = Qualifier.PASS
    body = term
    if body[0] in QUALIFIERS:
        qualifier = Qualifier(body[0])
        body = body[1:]
    cut = next((i for i, c in enumerate(body) if c in ":/"), len(body))
    name, rest = body[:cut].lower(), body[cut:]
    if name not in MECHANISMS:
        raise SpfSyntaxError(f"{term!r} is not a known mechanism or modifier")
    if name == "all":
        if rest:
            raise SpfSyntaxError(f"{term!r}: 'all' takes no argument")
        return Mechanism(qualifier, name, text=term)
    if name in ("ip4", "ip6"):
        return Mechanism(qualifier, name, network=_parse_network(name, rest, term), text=term)
    if name in ("include", "exists"):
        if not rest.startswith(":"):
            raise SpfSyntaxError(f"{term!r}: '{name}' needs ':domain'")
        return Mechanism(qualifier, name, domain=parse_domain_spec(rest[1:], where=term), text=term)
    cidr4 = cidr6 = None
    if name in ("a", "mx"):
        rest, cidr4, cidr6 = _split_dual_cidr(rest, term)
    domain = None
    if rest:
        if not rest.startswith(":"):
            raise SpfSyntaxError(f"{term!r}: unexpected {rest!r} after '{name}'")
        domain = parse_domain_spec(rest[1:], where=term)
    return Mechanism(qualifier, name, domain=domain, cidr4=cidr4, cidr6=cidr6, text=term)


def _trailing_digits(text: str) -> int:
    """Index where the run of ASCII digits at the end of ``text`` starts."""
    index = len(text)
    while index > 0 and "0" <= text[index - 1] <= "9":
        index -= 1
    return index


def _split_dual_cidr(rest: str, term: str) -> tuple[str, int | None, int | None]:
    """``[:domain][/n][//m]`` -> the part before the prefix lengths, and the lengths."""
    cidr4 = cidr6 = None
    start = _trailing_digits(rest)
    if start < len(rest) and rest[:start].endswith("//"):
        cidr6 = _cidr(rest[start:], 128, term)
        rest = rest[: start - 2]
        start = _trailing_digits(rest)
    if start < len(rest) and rest[:start].endswith("/") and not rest[:start].endswith("//"):
        cidr4 = _cidr(rest[start:], 32, term)
        rest = rest[: start - 1]
    return rest, cidr4, cidr6


def _cidr(digits: str, limit: int, term: str) -> int:
    if len(digits) > 3 or (len(digits) > 1 and digits[0] == "0"):
        raise SpfSyntaxError(f"{term!r}: prefix length /{digits} is not valid")
    value = int(digits)
    if value > limit:
        raise SpfSyntaxError(f"{term!r}: prefix length /{value} is more than {limit}")
    return value


def _parse_network(
    name: str, rest: str, term: str
) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    if not rest.startswith(":") or len(rest) < 2:
        raise SpfSyntaxError(f"{term!r}: '{name}' needs ':address'")
    address, slash, digits = rest[1:].partition("/")
    limit = 32 if name == "ip4" else 128
    length = limit
    if slash:
        if not is_ascii_digits(digits):
            raise SpfSyntaxError(f"{term!r}: prefix length /{digits} is not valid")
        length = _cidr(digits, limit, term)
    try:
        if name == "ip4":
            if not _IP4.match(address):
                raise ValueError(address)
            return ipaddress.IPv4Network(f"{address}/{length}", strict=False)
        if not _IP6_CHARS.match(address):
            raise ValueError(address)
        return ipaddress.IPv6Network(f"{address}/{length}", strict=False)
    except ValueError:
        kind = "IPv4" if name == "ip4" else "IPv6"
        raise SpfSyntaxError(f"{term!r}: {address!r} is not an {kind} address") from None


def parse_macro_string(text: str, *, where: str = "", explanation: bool = False) -> MacroString:
    """Parse ``macro-string`` (or with ``explanation=True``, an ``explain-string``)."""
    where = where or text
    allowed = EXPLANATION_MACRO_LETTERS if explanation else DOMAIN_MACRO_LETTERS
    tokens: list[MacroToken] = []
    literal: list[str] = []
    index = 0
    tail_start = 0
    length = len(text)
    while index < length:
        char = text[index]
        if char != "%":
            if not ("!" <= char <= "~" or (explanation and char == " ")):
                raise SpfSyntaxError(f"{where!r}: character {char!r} is not allowed")
            literal.append(char)
            index += 1
            continue
        following = text[index + 1] if index + 1 < length else ""
        if following in ("%", "_", "-"):
            literal.append({"%": "%", "_": " ", "-": "%20"}[following])
            index += 2
            tail_start = index
            continue
        if following != "{":
            raise SpfSyntaxError(f"{where!r}: '%' must be followed by '{{', '%', '_' or '-'")
        close = text.find("}", index + 2)
        if close < 0:
            raise SpfSyntaxError(f"{where!r}: a macro '%{{' is not closed")
        if literal:
            tokens.append("".join(literal))
            literal = []
        tokens.append(_parse_macro(text[index + 2 : close], allowed, where))
        index = tail_start = close + 1
    if literal:
        tokens.append("".join(literal))
    return MacroString(text, tuple(tokens), text[tail_start:])


def _parse_macro(body: str, allowed: frozenset[str], where: str) -> Macro:
    if not body or body[0].lower() not in allowed:
        letter = body[:1]
        raise SpfSyntaxError(f"{where!r}: %{{{letter}...}} is not a macro allowed here")
    letter = body[0]
    index = 1
    while index < len(body) and "0" <= body[index] <= "9":
        index += 1
    digits = body[1:index]
    keep: int | None = None
    if digits:
        if digits.strip("0") == "":
            raise SpfSyntaxError(f"{where!r}: the number of parts in a macro must not be zero")
        keep = int(digits) if len(digits) <= 9 else 10**9
    reverse = False
    if index < len(body) and body[index] in "rR":
        reverse = True
        index += 1
    delimiters = body[index:]
    if any(c not in DELIMITERS for c in delimiters):
        raise SpfSyntaxError(f"{where!r}: %{{{body}}} has an invalid transformer or delimiter")
    return Macro(letter.lower(), letter.isupper(), keep, reverse, delimiters)


def parse_domain_spec(text: str, *, where: str = "") -> MacroString:
    """``domain-spec``: a macro string ending in a macro-expand or in ``.toplabel[.]``."""
    where = where or text
    if not text:
        raise SpfSyntaxError(f"{where!r}: the domain is empty")
    spec = parse_macro_string(text, where=where)
    if spec.literal_tail:
        name = spec.literal_tail.removesuffix(".")
        _, dot, toplabel = name.rpartition(".")
        if not dot or not _TOPLABEL.match(toplabel):
            raise SpfSyntaxError(
                f"{where!r}: {text!r} does not end in a valid top-level label "
                "(a domain needs a dot and a top label that is not all digits)"
            )
    return spec


def parse_explanation(text: str) -> MacroString:
    """The TXT text an ``exp=`` points at (RFC 7208 §6.2): macros c, r and t allowed."""
    if len(text) > MAX_RECORD_CHARS:
        raise SpfSyntaxError("the explanation is too long")
    return parse_macro_string(text, where=text[:80], explanation=True)


def url_escape(text: str) -> str:
    """Percent-encode everything outside RFC 3986 ``unreserved`` (for upper-case macros)."""
    out: list[str] = []
    for char in text:
        if char in UNRESERVED:
            out.append(char)
        else:
            out.extend(f"%{byte:02X}" for byte in char.encode("utf-8"))
    return "".join(out)


def expand_macro(macro: Macro, value: str) -> str:
    delimiters = macro.delimiters or "."
    parts: list[str] = []
    current: list[str] = []
    for char in value:
        if char in delimiters:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    if macro.reverse:
        parts.reverse()
    if macro.keep is not None and macro.keep < len(parts):
        parts = parts[-macro.keep :]
    result = ".".join(parts)
    return url_escape(result) if macro.url_escape else result


def expand(spec: MacroString, values: Mapping[str, str]) -> str:
    """The text of a macro string with each macro replaced by its (transformed) value.

    ``values`` maps each lower-case macro letter used to its value; a missing one raises
    ``SpfSyntaxError`` (callers compute the letters a string needs from ``letters()``).
    """
    out: list[str] = []
    for token in spec.tokens:
        if isinstance(token, str):
            out.append(token)
            continue
        if token.letter not in values:
            raise SpfSyntaxError(f"no value for the macro %{{{token.letter}}}")
        out.append(expand_macro(token, values[token.letter]))
    return "".join(out)


def truncate_domain(name: str) -> str:
    """Drop labels from the left until the name fits in 253 characters (RFC 7208 §7.3)."""
    while len(name.rstrip(".")) > MAX_DOMAIN_CHARS and "." in name:
        name = name.split(".", 1)[1]
    return name
