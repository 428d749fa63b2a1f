"""Pwned Passwords by k-anonymity: has this password appeared in a known breach?

The password is hashed with SHA-1 here; only the first five hex characters of the hash
leave the machine (``GET <endpoint><PREFIX>`` with ``Add-Padding: true``, so the size of
the answer says nothing either). The answer lists hash suffixes with breach counts; padded
lines (count 0) are fake and ignored. The password is a parameter held in memory only: it
is never logged, stored, or put in an error message.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from auditor.net.http import HttpClient

PREFIX_LENGTH = 5
MAX_RESPONSE_BYTES = 2 * 1024 * 1024  # real answers are ~40 KB; padded ones well under 100 KB
MAX_LINES = 100_000
_LINE = re.compile(r"^([0-9A-F]{35}):([0-9]{1,12})$")


@dataclass(frozen=True)
class PwnedError:
    """Could not check (returned, not raised): ``kind`` is timeout, connect, tls, http,
    bad-response, ...; ``message`` is one line for a human."""

    kind: str
    message: str


class RangeParseError(ValueError):
    """The range response is not the documented ``SUFFIX:COUNT`` lines."""


def hash_parts(password: str) -> tuple[str, str]:
    """(5-character prefix, 35-character suffix) of the upper-case SHA-1 hex digest."""
    digest = hashlib.sha1(password.encode("utf-8"), usedforsecurity=False).hexdigest().upper()
    return digest[:PREFIX_LENGTH], digest[PREFIX_LENGTH:]


def parse_range(body: bytes | str, suffix: str) -> int:
    """The breach count for ``suffix`` in a range response (0 when absent or padding).

    Raises RangeParseError when the body is not the documented format.
    """
    if len(body) > MAX_RESPONSE_BYTES:
        raise RangeParseError("the response is larger than expected")
    text = body.decode("utf-8", errors="replace") if isinstance(body, bytes) else body
    wanted = suffix.upper()
    found = 0
    lines = 0
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        lines += 1
        if lines > MAX_LINES:
            raise RangeParseError("the response has more lines than expected")
        match = _LINE.match(line.upper())
        if match is None:
            raise RangeParseError(f"line {lines} is not SUFFIX:COUNT")
        count = int(match.group(2))
        if count and hmac.compare_digest(match.group(1), wanted):
            found = count
    if lines == 0:
        raise RangeParseError("the response is empty")
    return found


async def breach_count(http: HttpClient, endpoint: str, password: str) -> int | PwnedError:
    """How many times the password appears in Pwned Passwords, or a PwnedError.

    ``endpoint`` is the range API base ending in "/" (services endpoint "pwned_passwords").
    """
    if not password:
        return PwnedError("empty", "there is no password to check")
    prefix, suffix = hash_parts(password)
    result = await http.fetch(
        endpoint + prefix,
        headers={"Add-Padding": "true"},
        follow_redirects=False,
        max_bytes=MAX_RESPONSE_BYTES,
    )
    if not result.ok:
        return PwnedError(result.error_kind or "connect", result.error or "no answer")
    if result.status_code != 200:
        return PwnedError("http", f"Pwned Passwords answered HTTP {result.status_code}")
    if result.truncated:
        return PwnedError("bad-response", "the answer was larger than expected")
    try:
        return parse_range(result.body, suffix)
    except RangeParseError as exc:
        return PwnedError("bad-response", f"unexpected answer from Pwned Passwords: {exc}")
