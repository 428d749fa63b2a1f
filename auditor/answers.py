"""Network answers as evidence and as honest "could not check" statuses, decided once for
every check family: a DNS or HTTP timeout is ``timeout``, any other failure is ``error``
(never "missing", never pass). ``CheckContext`` wraps these for checks."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from auditor.model import Evidence
from auditor.net.dns_types import DnsAnswer, DnsOutcome
from auditor.vocabulary import Status

if TYPE_CHECKING:
    from auditor.net.http import FetchResult

MAX_SNIPPET = 2000
MAX_JSON = 2 * 1024 * 1024


def dns_status(answer: DnsAnswer) -> Status:
    """The could-not-check status of a DNS lookup that got no answer."""
    return Status.TIMEOUT if answer.outcome is DnsOutcome.TIMEOUT else Status.ERROR


def fetch_status(result: FetchResult) -> Status:
    """The could-not-check status of an HTTP fetch that failed."""
    return Status.TIMEOUT if result.timed_out else Status.ERROR


def dns_evidence(answer: DnsAnswer, fetched_at: str, snippet: str | None = None) -> Evidence:
    """What one DNS question returned, as evidence: the name, the raw records, the outcome."""
    text = snippet if snippet is not None else "\n".join(answer.records)
    detail: dict[str, object] = {"outcome": answer.outcome.value}
    if answer.cname_chain:
        detail["cname_chain"] = list(answer.cname_chain)
    if answer.error:
        detail["error"] = answer.error
    return Evidence(
        source="dns",
        location=f"{answer.name} {answer.rdtype}",
        snippet=(text or answer.describe())[:MAX_SNIPPET],
        fetched_at=fetched_at,
        detail=detail,
    )


def fetch_evidence(result: FetchResult, *names: str) -> Evidence:
    """What one HTTP fetch returned, as evidence: the status line and the named headers."""
    shown = {n: result.headers.get(n) for n in names if result.headers.get(n) is not None}
    first = f"HTTP {result.status_code}" if result.status_code else result.error
    lines = [first, *(f"{k}: {v}" for k, v in shown.items())]
    return Evidence(
        source="http-header",
        location=result.url,
        snippet="\n".join(lines)[:MAX_SNIPPET],
        fetched_at=result.fetched_at,
        detail={
            "final_url": result.final_url,
            "redirects": list(result.redirects),
            "error_kind": result.error_kind,
            "tls_version": result.tls_version,
        },
    )


def json_answer(result: FetchResult, service: str) -> tuple[Any, str]:
    """(parsed JSON, "") or (None, a one-line cause) for a third-party API's answer."""
    if not result.ok:
        return None, f"{service} could not be reached: {result.error}"
    status = result.status_code or 0
    if status == 429:
        wait = result.headers.get("retry-after", "")
        later = f" (it asks to wait {wait[:20]} seconds)" if wait else ""
        return None, f"{service} is rate-limiting requests{later}; try again later"
    if status >= 500:
        return None, f"{service} had a server error (HTTP {status}); try again later"
    if status == 404:
        return None, f"{service} has no record of it (HTTP 404)"
    if status in (401, 403):
        return None, f"{service} refused the request (HTTP {status})"
    if status != 200:
        return None, f"{service} answered HTTP {status}"
    kind = result.content_type
    if "html" in kind or result.body[:200].lstrip().startswith(b"<"):
        return None, f"{service} answered with a web page, not data (is the endpoint right?)"
    if result.truncated:
        return None, f"{service} sent an answer too large to read"
    try:
        return json.loads(result.body[:MAX_JSON].decode("utf-8", errors="replace")), ""
    except (ValueError, RecursionError):
        return None, f"{service} answered with something that is not JSON"


def mx_evidence(answer: DnsAnswer, domain: str, fetched_at: str) -> Evidence:
    """The MX answer email.mx read, as evidence for the checks that use its mail servers."""
    return Evidence(
        source="dns",
        location=f"{domain} MX",
        snippet="\n".join(answer.records)[:MAX_SNIPPET] or answer.describe(),
        fetched_at=fetched_at,
    )
