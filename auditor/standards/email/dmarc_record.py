"""DMARC policy records (RFC 7489 §6.3, DMARCbis RFC 9989 §4.7): a pure, bounded parser.

``parse_dmarc`` raises only ``DmarcSyntaxError``. Problems that do not stop a receiver from
applying the policy (a reporting URI it cannot use, a tag it does not know) are collected
in ``DmarcRecord.problems`` and ``unknown_tags`` instead of raising, because receivers
ignore them too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from auditor.standards.digits import ascii_int

MAX_RECORD_CHARS = 4096  # a DMARC record is a few hundred characters; TXT allows far more
MAX_TAGS = 64
MAX_URIS = 32

POLICIES = ("none", "quarantine", "reject")
POLICY_STRENGTH = {"none": 0, "quarantine": 1, "reject": 2}

_TAG_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,31}")
_CANDIDATE = re.compile(r"\s*v\s*=\s*dmarc1\s*(?:;|$)", re.IGNORECASE)
_SIZE_SUFFIX = re.compile(r"!([0-9]{1,15})([kmgt]?)", re.IGNORECASE)
_LOCAL_PART = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}")
_HOST_LABEL = re.compile(r"(?!-)[A-Za-z0-9_-]{1,63}(?<!-)")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]{0,31}")


class DmarcSyntaxError(ValueError):
    """The record cannot be used as a DMARC policy; the message says why, in plain words."""


@dataclass(frozen=True)
class ReportUri:
    """One ``rua``/``ruf`` destination: ``mailto:dmarc@example.org!10m``."""

    raw: str
    scheme: str  # lower-case: "mailto", "https", ...
    address: str = ""  # for mailto: the e-mail address
    domain: str = ""  # for mailto: the address's domain, lower-case
    size_limit: str = ""  # "10m" when given
    problem: str = ""  # why a receiver cannot use it; empty when fine


@dataclass(frozen=True)
class DmarcRecord:
    raw: str
    tags: tuple[tuple[str, str], ...]  # (lower-case name, value) in record order
    policy: str | None  # p=, lower-case; None when absent (then treated as "none")
    subdomain_policy: str | None = None  # sp=
    nonexistent_policy: str | None = None  # np= (DMARCbis)
    pct: int | None = None  # RFC 7489 only; DMARCbis removed it
    testing: bool | None = None  # t=y / t=n (DMARCbis)
    psd: str | None = None  # y / n / u (DMARCbis)
    adkim: str | None = None
    aspf: str | None = None
    rua: tuple[ReportUri, ...] = ()
    ruf: tuple[ReportUri, ...] = ()
    unknown_tags: tuple[str, ...] = ()
    problems: tuple[str, ...] = field(default=())  # usable record, but something is off

    @property
    def effective_policy(self) -> str:
        """p= as receivers apply it; a record without p= acts as p=none."""
        return self.policy or "none"

    def policy_for(self, *, subdomain: bool, nonexistent: bool = False) -> str:
        """The policy that applies to the organisational domain itself or to a subdomain.

        DMARCbis: a non-existent subdomain gets np=, falling back to sp=, then p=.
        """
        if not subdomain:
            return self.effective_policy
        if nonexistent and self.nonexistent_policy:
            return self.nonexistent_policy
        return self.subdomain_policy or self.effective_policy

    def tag(self, name: str) -> str | None:
        for key, value in self.tags:
            if key == name:
                return value
        return None


def is_dmarc_candidate(text: str) -> bool:
    """Does this TXT record claim to be DMARC (start with ``v=DMARC1``, any case)?

    Receivers discard other TXT records at ``_dmarc``; a mis-cased version is kept here so
    that it is reported as a syntax error instead of silently counting as "no record".
    """
    return bool(_CANDIDATE.match(text[:64]))


def parse_dmarc(text: str) -> DmarcRecord:
    """Parse one DMARC TXT record (its strings already joined)."""
    if not isinstance(text, str):
        raise DmarcSyntaxError("the record is not text")
    if len(text) > MAX_RECORD_CHARS:
        raise DmarcSyntaxError(f"the record is longer than {MAX_RECORD_CHARS} characters")
    raw = text
    parts = [part.strip(" \t\r\n") for part in text.split(";")]
    if parts and parts[-1] == "":
        parts.pop()  # a trailing ";" is allowed
    if len(parts) > MAX_TAGS:
        raise DmarcSyntaxError(f"the record has more than {MAX_TAGS} tags")
    tags: list[tuple[str, str]] = []
    for index, part in enumerate(parts):
        if part == "":
            raise DmarcSyntaxError(f"empty tag at position {index + 1} (two ';' in a row)")
        name, sep, value = part.partition("=")
        name, value = name.strip(" \t\r\n"), value.strip(" \t\r\n")
        if not sep:
            raise DmarcSyntaxError(f"{_show(part)} is not of the form tag=value")
        if not _TAG_NAME.fullmatch(name):
            raise DmarcSyntaxError(f"{_show(name)} is not a valid tag name")
        lower = name.lower()
        if any(existing == lower for existing, _ in tags):
            raise DmarcSyntaxError(f"the tag {lower}= appears more than once")
        tags.append((lower, value))
    if not tags or tags[0][0] != "v":
        raise DmarcSyntaxError("the record must start with v=DMARC1")
    if tags[0][1] != "DMARC1":
        raise DmarcSyntaxError(f"v= must be exactly DMARC1, not {_show(tags[0][1])}")
    return _build(raw, tuple(tags))


def _build(raw: str, tags: tuple[tuple[str, str], ...]) -> DmarcRecord:
    values = dict(tags)
    problems: list[str] = []
    unknown: list[str] = []
    known = {"v", "p", "sp", "np", "pct", "t", "psd", "rua", "ruf", "adkim", "aspf", "fo"}
    known |= {"rf", "ri"}
    for name, _ in tags:
        if name not in known:
            unknown.append(name)
    policy = _policy(values, "p")
    subdomain_policy = _policy(values, "sp")
    nonexistent_policy = _policy(values, "np")
    if policy is None:
        problems.append("the record has no p= tag, so receivers treat it as p=none")
    pct: int | None = None
    if "pct" in values:
        text = values["pct"]
        pct = ascii_int(text, max_digits=3)
        if pct is None or pct > 100:
            raise DmarcSyntaxError(f"pct= must be a whole number from 0 to 100, not {_show(text)}")
    testing = _flag(values, "t", {"y": True, "n": False})
    psd_value = values.get("psd")
    if psd_value is not None and psd_value.lower() not in ("y", "n", "u"):
        raise DmarcSyntaxError(f"psd= must be y, n or u, not {_show(psd_value)}")
    adkim = _choice(values, "adkim", ("r", "s"))
    aspf = _choice(values, "aspf", ("r", "s"))
    fo = values.get("fo")
    if fo is not None and not all(
        option.strip() in ("0", "1", "d", "s") for option in fo.lower().split(":")
    ):
        problems.append(f"fo={_show(fo)} has options other than 0, 1, d and s")
    ri = values.get("ri")
    if ri is not None and ascii_int(ri, max_digits=10) is None:
        problems.append(f"ri={_show(ri)} is not a whole number of seconds")
    rua = _uris(values.get("rua"), "rua", problems)
    ruf = _uris(values.get("ruf"), "ruf", problems)
    return DmarcRecord(
        raw=raw,
        tags=tags,
        policy=policy,
        subdomain_policy=subdomain_policy,
        nonexistent_policy=nonexistent_policy,
        pct=pct,
        testing=testing,
        psd=psd_value.lower() if psd_value is not None else None,
        adkim=adkim,
        aspf=aspf,
        rua=rua,
        ruf=ruf,
        unknown_tags=tuple(unknown),
        problems=tuple(problems),
    )


def _policy(values: dict[str, str], name: str) -> str | None:
    value = values.get(name)
    if value is None:
        return None
    lower = value.lower()
    if lower not in POLICIES:
        raise DmarcSyntaxError(f"{name}= must be none, quarantine or reject, not {_show(value)}")
    return lower


def _flag(values: dict[str, str], name: str, allowed: dict[str, bool]) -> bool | None:
    value = values.get(name)
    if value is None:
        return None
    if value.lower() not in allowed:
        choices = " or ".join(allowed)
        raise DmarcSyntaxError(f"{name}= must be {choices}, not {_show(value)}")
    return allowed[value.lower()]


def _choice(values: dict[str, str], name: str, allowed: tuple[str, ...]) -> str | None:
    value = values.get(name)
    if value is None:
        return None
    if value.lower() not in allowed:
        raise DmarcSyntaxError(f"{name}= must be {' or '.join(allowed)}, not {_show(value)}")
    return value.lower()


def _uris(text: str | None, tag: str, problems: list[str]) -> tuple[ReportUri, ...]:
    if text is None:
        return ()
    items = [item.strip(" \t\r\n") for item in text.split(",")]
    if len(items) > MAX_URIS:
        problems.append(f"{tag}= lists more than {MAX_URIS} addresses; only the first are read")
        items = items[:MAX_URIS]
    uris: list[ReportUri] = []
    for item in items:
        if not item:
            problems.append(f"{tag}= has an empty entry")
            continue
        uri = parse_report_uri(item)
        if uri.problem:
            problems.append(f"{tag}={_show(item)}: {uri.problem}")
        uris.append(uri)
    return tuple(uris)


def parse_report_uri(text: str) -> ReportUri:
    """One reporting URI with its optional ``!size``; never raises, fills ``problem``."""
    raw = text
    body = text
    size = ""
    bang = text.rfind("!")
    if bang != -1:
        match = _SIZE_SUFFIX.fullmatch(text[bang:])
        if match is None:
            return ReportUri(raw, "", problem="the size limit after '!' is not a number")
        body, size = text[:bang], match.group(1) + match.group(2).lower()
    scheme, colon, rest = body.partition(":")
    if not colon or not _SCHEME.fullmatch(scheme):
        return ReportUri(raw, "", size_limit=size, problem="not a URI (mailto:... expected)")
    scheme = scheme.lower()
    if scheme != "mailto":
        return ReportUri(
            raw,
            scheme,
            size_limit=size,
            problem=f"receivers only send reports to mailto: addresses, not {scheme}:",
        )
    address = rest.split("?", 1)[0]
    local, at, domain = address.rpartition("@")
    domain = domain.rstrip(".").lower()
    if not at or not _LOCAL_PART.fullmatch(local) or not _valid_host(domain):
        return ReportUri(
            raw, scheme, address=address, size_limit=size, problem="not a valid email address"
        )
    return ReportUri(raw, scheme, address=address, domain=domain, size_limit=size)


def _valid_host(name: str) -> bool:
    if not name or len(name) > 253:
        return False
    labels = name.split(".")
    return len(labels) >= 2 and all(_HOST_LABEL.fullmatch(label) for label in labels)


def _show(value: str) -> str:
    shown = value if len(value) <= 40 else value[:37] + "…"
    return repr(shown)
