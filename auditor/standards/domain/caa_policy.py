"""CAA (RFC 8659): what a CAA record set allows, read the way a certificate authority reads it.

Pure: ``climb`` names the DNS names to query, ``evaluate`` turns the first non-empty record set
(the Relevant RRset) into a ``CaaPolicy``. The rules that matter, with their clauses:

- the Relevant RRset is the first non-empty CAA set found climbing from the name towards the
  root, through every parent up to and including the TLD (§3);
- ``issue`` governs every name; ``issuewild`` only wildcard names, where it replaces ``issue``
  (§4.3), so a set with only ``issuewild`` does not restrict ordinary certificates at all;
- an ``issue`` value that does not match the grammar authorises nobody but still restricts
  (§4.2), so it is never read as "only X may issue";
- a property with the critical flag (128) and a tag the CA does not know forbids all issuance,
  whatever else the set says (§4.1).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

# RFC 8659 §4.2-4.4, RFC 9495 (issuemail), the BIMI VMC tag and the CA/Browser Forum's
# contact tags: the tags a CA may understand. Anything else marked critical blocks issuance.
KNOWN_TAGS = frozenset(
    {"issue", "issuewild", "iodef", "issuemail", "issuevmc", "contactemail", "contactphone"}
)
MAX_VALUE = 1024
MAX_CLIMB = 16
_TAG = re.compile(r"[A-Za-z0-9]{1,15}")  # §4.1: US-ASCII letters and digits
_LABEL = r"[A-Za-z0-9](?:-*[A-Za-z0-9])*"
_ISSUER = re.compile(rf"{_LABEL}(?:\.{_LABEL})*")
_PARAMETER = re.compile(rf"({_LABEL})[ \t]*=[ \t]*([\x21-\x3a\x3c-\x7e]*)")


@dataclass(frozen=True)
class CaaRecord:
    flags: int
    tag: str
    value: str

    @property
    def critical(self) -> bool:
        return bool(self.flags & 128)

    @property
    def kind(self) -> str:
        return self.tag.lower()  # §4.1: tags match case-insensitively


@dataclass(frozen=True)
class IssueValue:
    issuer: str  # lower-case CA domain; "" authorises nobody
    problem: str = ""  # why the value does not match the §4.2 grammar; then issuer is ""


def parse_issue_value(value: str) -> IssueValue:
    """An ``issue``/``issuewild`` value per RFC 8659 §4.2:
    ``*WSP [issuer-domain-name *WSP] [";" *WSP [parameters *WSP]]``."""
    if len(value) > MAX_VALUE:
        return IssueValue("", f"the value is longer than {MAX_VALUE} characters")
    head, has_parameters, rest = value.partition(";")
    issuer = head.strip(" \t")
    if issuer and not _ISSUER.fullmatch(issuer):
        return IssueValue("", f"{issuer[:80]!r} is not a CA domain name")
    if has_parameters and rest.strip(" \t"):
        # Empty parameters between semicolons ("ca.example; a=b;") are tolerated, as CA
        # parsers do, though the §4.2 grammar has no empty parameter.
        for parameter in filter(None, (p.strip(" \t") for p in rest.split(";"))):
            if not _PARAMETER.fullmatch(parameter):
                return IssueValue("", f"the parameter {parameter[:60]!r} is not key=value")
    return IssueValue(issuer.lower())


def record_problem(record: CaaRecord) -> str:
    """Why one CAA record is malformed or harmful, or ""."""
    if not _TAG.fullmatch(record.tag):
        return f"the tag {record.tag[:40]!r} is not valid"
    if record.kind in ("issue", "issuewild"):
        problem = parse_issue_value(record.value).problem
        return f"{problem}, so this record allows no CA" if problem else ""
    if record.kind == "iodef":
        scheme = record.value.split(":", 1)[0].lower()
        if scheme not in ("mailto", "http", "https") or len(record.value) > MAX_VALUE:
            return f"the iodef {record.value[:80]!r} is not a mailto: or http(s): URL"
        return ""
    if record.kind not in KNOWN_TAGS and record.critical:
        return f"the unknown tag {record.kind!r} is marked critical, so no CA may issue"
    return ""


def climb(name: str) -> list[str]:
    """The name and each parent up to and including the TLD, nearest first (RFC 8659 §3)."""
    labels = name.rstrip(".").lower().split(".")
    return [".".join(labels[i:]) for i in range(len(labels))][:MAX_CLIMB]


@dataclass(frozen=True)
class CaaPolicy:
    """What the Relevant RRset allows. ``issuers`` is None when ordinary (non-wildcard)
    certificates are not restricted; an empty tuple means no CA may issue them. The same for
    ``wildcard_issuers``. ``blocked_by`` names the critical unknown tags (no CA may issue)."""

    issuers: tuple[str, ...] | None
    wildcard_issuers: tuple[str, ...] | None
    blocked_by: tuple[str, ...] = ()
    malformed_issue: tuple[str, ...] = ()  # issue values that authorise nobody
    iodef: tuple[str, ...] = ()
    issuewild_only: bool = False  # issuewild present, issue absent: ordinary names unrestricted

    @property
    def nobody_may_issue(self) -> bool:
        return bool(self.blocked_by) or self.issuers == ()


def _allowed(values: list[str]) -> tuple[str, ...] | None:
    if not values:
        return None
    issuers = (parse_issue_value(v).issuer for v in values)
    return tuple(sorted({i for i in issuers if i}))


def evaluate(records: Iterable[CaaRecord]) -> CaaPolicy:
    records = list(records)
    issue = [r.value for r in records if r.kind == "issue"]
    wild = [r.value for r in records if r.kind == "issuewild"]
    blocked = tuple(sorted({r.kind for r in records if r.critical and r.kind not in KNOWN_TAGS}))
    issuers = _allowed(issue)
    return CaaPolicy(
        issuers=() if blocked else issuers,
        # §4.3: for a wildcard name, issuewild (when present) replaces issue.
        wildcard_issuers=() if blocked else (_allowed(wild) if wild else issuers),
        blocked_by=blocked,
        malformed_issue=tuple(v for v in issue if parse_issue_value(v).problem),
        iodef=tuple(r.value for r in records if r.kind == "iodef"),
        issuewild_only=bool(wild) and not issue,
    )
