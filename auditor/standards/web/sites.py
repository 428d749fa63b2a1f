"""A website target's origins, and how its plain http:// address behaves (the redirect kinds
that web.https reports and the Observatory-style grading scores)."""

from __future__ import annotations

from typing import Literal
from urllib.parse import urlsplit

from auditor.net.http import FetchResult

REDIRECT_CODES = (301, 302, 303, 307, 308)
RedirectKind = Literal["no-http", "missing", "not-to-https", "off-host", "to-https"]


def site_origins(target: str) -> tuple[str, str, str]:
    """(host, https://host[:port]/, http://host/) of a website URL or bare host name."""
    parts = urlsplit(target if "://" in target else f"https://{target}")
    host = (parts.hostname or "").lower()
    port = f":{parts.port}" if parts.port and parts.scheme == "https" else ""
    return host, f"https://{host}{port}/", f"http://{host}/"


def is_redirect(plain: FetchResult) -> bool:
    return plain.status_code in REDIRECT_CODES and bool(plain.headers.get("location"))


def redirect_kind(
    host: str, plain: FetchResult, followed: FetchResult | None
) -> RedirectKind | None:
    """How http://host/ behaves, from its first answer (``plain``, not followed) and, when that
    redirects, the followed chain; None when it could not be seen (a failed fetch)."""
    if plain.error:
        return "no-http" if plain.error_kind == "connect" else None
    if not is_redirect(plain):
        return "missing"
    if followed is None or followed.error:
        return None
    if urlsplit(followed.final_url).scheme != "https":
        return "not-to-https"
    hops = [*followed.redirects[1:], followed.final_url]
    first_hop = urlsplit(hops[0]) if hops else None
    if first_hop is not None and (first_hop.hostname or "").lower() != host:
        return "off-host"
    return "to-https"
