"""BIMI assertion records (draft-brand-indicators-for-message-identification): a pure,
bounded parser. ``parse_bimi`` raises only ``BimiSyntaxError``; problems that leave the
record readable are listed in ``BimiRecord.problems``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

MAX_RECORD_CHARS = 2048
MAX_TAGS = 16

_TAG_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,31}")
_CANDIDATE = re.compile(r"\s*v\s*=\s*bimi1\s*(?:;|$)", re.IGNORECASE)


class BimiSyntaxError(ValueError):
    """The record cannot be read as BIMI; the message says why."""


@dataclass(frozen=True)
class BimiRecord:
    raw: str
    tags: tuple[tuple[str, str], ...]
    logo_url: str  # l=; "" when absent or empty
    authority_url: str  # a= (the VMC/CMC certificate); "" when absent or empty
    avp: str = ""  # avp= (brand | personal), newer drafts
    problems: tuple[str, ...] = ()
    unknown_tags: tuple[str, ...] = ()

    @property
    def declined(self) -> bool:
        """An empty l= and a=: the domain says it has no BIMI logo."""
        return not self.logo_url and not self.authority_url


def is_bimi_candidate(text: str) -> bool:
    return bool(_CANDIDATE.match(text[:64]))


def parse_bimi(text: str) -> BimiRecord:
    if not isinstance(text, str):
        raise BimiSyntaxError("the record is not text")
    if len(text) > MAX_RECORD_CHARS:
        raise BimiSyntaxError(f"the record is longer than {MAX_RECORD_CHARS} characters")
    parts = [part.strip(" \t\r\n") for part in text.split(";")]
    if parts and parts[-1] == "":
        parts.pop()
    if len(parts) > MAX_TAGS:
        raise BimiSyntaxError(f"the record has more than {MAX_TAGS} tags")
    tags: list[tuple[str, str]] = []
    for part in parts:
        name, sep, value = part.partition("=")
        name = name.strip(" \t\r\n")
        if not part or not sep or not _TAG_NAME.fullmatch(name):
            raise BimiSyntaxError(f"{_show(part)} is not of the form tag=value")
        lower = name.lower()
        if any(existing == lower for existing, _ in tags):
            raise BimiSyntaxError(f"the tag {lower}= appears more than once")
        tags.append((lower, value.strip(" \t\r\n")))
    if not tags or tags[0][0] != "v":
        raise BimiSyntaxError("the record must start with v=BIMI1")
    if tags[0][1] != "BIMI1":
        raise BimiSyntaxError(f"v= must be exactly BIMI1, not {_show(tags[0][1])}")
    values = dict(tags)
    problems: list[str] = []
    logo = values.get("l", "")
    if "," in logo:
        problems.append("l= lists more than one URL; mail clients use one logo URL")
        logo = logo.split(",", 1)[0].strip()
    if logo:
        problems.extend(_url_problems(logo, "l=", want_svg=True))
    authority = values.get("a", "")
    if authority and authority.lower() != "self":
        problems.extend(_url_problems(authority, "a=", want_svg=False))
    avp = values.get("avp", "").lower()
    if avp and avp not in ("brand", "personal"):
        problems.append(f"avp= should be brand or personal, not {_show(avp)}")
    if "l" not in values:
        problems.append("the record has no l= tag (the logo URL)")
    known = {"v", "l", "a", "avp", "s"}
    return BimiRecord(
        raw=text,
        tags=tuple(tags),
        logo_url=logo,
        authority_url=authority,
        avp=avp,
        problems=tuple(problems),
        unknown_tags=tuple(name for name, _ in tags if name not in known),
    )


def _url_problems(url: str, tag: str, *, want_svg: bool) -> list[str]:
    try:
        parts = urlsplit(url)
    except ValueError:
        return [f"{tag} is not a valid URL"]
    problems: list[str] = []
    if parts.scheme.lower() != "https" or not parts.hostname:
        problems.append(f"{tag} must be an https:// URL")
    elif want_svg and not parts.path.lower().endswith(".svg"):
        problems.append(f"{tag} should point at an SVG file (SVG Tiny PS)")
    elif not want_svg and not parts.path.lower().endswith(".pem"):
        problems.append(f"{tag} should point at a .pem certificate file")
    return problems


def _show(value: str) -> str:
    shown = value if len(value) <= 40 else value[:37] + "…"
    return repr(shown)
