"""Pure parser for the TLS-RPT record (RFC 8460 §3) at ``_smtp._tls.<domain>``.

Only ``TlsRptError`` is raised; input is capped at 4096 characters and 20 report URIs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from auditor.standards.email.mta_sts_policy import starts_with_version

MAX_RECORD = 4096
MAX_URIS = 20
_KEY = re.compile(r"[A-Za-z0-9_.-]{1,32}")
_LOCAL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}")
_HOST = re.compile(r"(?=.{1,253}$)([A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}")


class TlsRptError(ValueError):
    """The record cannot be used, with a human reason."""


@dataclass(frozen=True)
class TlsRptRecord:
    rua: tuple[str, ...]
    problems: tuple[str, ...] = ()  # URIs that are not valid mailto:/https: addresses


def is_tlsrpt_record(text: str) -> bool:
    """Only TXT records beginning with exactly ``v=TLSRPTv1`` are TLS-RPT records (§3):
    ``v=TLSRPTv12`` is not one."""
    return starts_with_version(text, "v=TLSRPTv1")


def parse_tlsrpt(text: str) -> TlsRptRecord:
    if len(text) > MAX_RECORD:
        raise TlsRptError(f"the record is longer than {MAX_RECORD} characters")
    fields = [f.strip() for f in text.strip().split(";")]
    if fields and fields[-1] == "":
        fields.pop()
    if not fields or fields[0] != "v=TLSRPTv1":
        raise TlsRptError('the record must start with "v=TLSRPTv1"')
    rua: list[str] | None = None
    for field in fields[1:]:
        key, sep, value = field.partition("=")
        key = key.strip()
        if not sep or not _KEY.fullmatch(key):
            raise TlsRptError(f"malformed field {field[:60]!r}")
        if key == "rua":
            if rua is not None:
                raise TlsRptError("the rua field appears twice")
            rua = [u.strip() for u in value.split(",") if u.strip()]
    if not rua:
        raise TlsRptError("the record has no rua= address to send reports to")
    if len(rua) > MAX_URIS:
        raise TlsRptError(f"the record lists more than {MAX_URIS} report addresses")
    problems = [p for p in (uri_problem(u) for u in rua) if p]
    if len(problems) == len(rua):
        raise TlsRptError(f"no usable report address: {problems[0]}")
    return TlsRptRecord(tuple(rua), tuple(problems))


def uri_problem(uri: str) -> str:
    """Why a report URI is unusable, or "" when it is a valid mailto: or https: URI."""
    shown = uri[:80]
    scheme, sep, rest = uri.partition(":")
    scheme = scheme.lower()
    if not sep or scheme not in ("mailto", "https"):
        return f"{shown!r} is not a mailto: or https: address"
    if scheme == "mailto":
        address = unquote(rest.split("?", 1)[0])
        local, at, domain = address.rpartition("@")
        if not at or not _LOCAL.fullmatch(local) or not _HOST.fullmatch(domain.rstrip(".")):
            return f"{shown!r} is not a valid email address"
        return ""
    try:
        parts = urlsplit(uri)
    except ValueError:
        return f"{shown!r} is not a valid URL"
    host = parts.hostname or ""
    if not rest.startswith("//") or not host or not (_HOST.fullmatch(host) or host.count(".") == 3):
        return f"{shown!r} is not a valid https URL"
    return ""
