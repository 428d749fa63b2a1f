"""Pure reading of ``/.well-known/security.txt`` (RFC 9116): its contacts, its expiry and
what is wrong with it.

``parse_security_txt(text, now)`` never raises: every problem (no Contact, a Contact that is
not a mailto:/https:/tel: URI, not exactly one Expires, an Expires that is not an RFC 3339
date-time — ``T`` and ``Z`` in either case — or one in the past) is one plain phrase in
``problems``. ``delivery_problems`` says what is wrong with how the file is served (section
3: https to the end of redirects, text/plain with charset=utf-8). Work is bounded: the first
32 KiB and 1000 lines are read. Not scored with the headers (observatory.py); web.headers
reports it as its own finding.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

# RFC 3339 5.6 date-time; "T" and "Z" may be lower case (its 5.6 note), and RFC 9116 2.5.5
# takes exactly this format (not ISO 8601's other forms: no space, no date alone).
_DATE_TIME = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt]([0-9]{2}):([0-9]{2}):([0-9]{2})(\.[0-9]{1,9})?"
    r"(?:([Zz])|([+-])([0-9]{2}):([0-9]{2}))"
)


@dataclass(frozen=True)
class SecurityTxt:
    contacts: tuple[str, ...]
    expires: datetime | None
    problems: tuple[str, ...]


def parse_security_txt(text: str, now: datetime) -> SecurityTxt:
    contacts: list[str] = []
    expires: list[str] = []
    problems: list[str] = []
    for raw in text[:32768].splitlines()[:1000]:
        line = raw.strip()
        if not line or line.startswith(("#", "-----", "Hash:")):
            continue
        key, sep, value = line.partition(":")
        if not sep:
            continue
        key, value = key.strip().lower(), value.strip()
        if key == "contact":
            contacts.append(value[:300])
        elif key == "expires":
            expires.append(value[:100])
    if not contacts:
        problems.append("it has no Contact field")
    for contact in contacts:
        if not contact.lower().startswith(("mailto:", "https:", "tel:")):
            problems.append(f"the Contact {contact[:60]!r} is not a mailto:, https: or tel: URI")
    when: datetime | None = None
    if len(expires) != 1:
        problems.append(
            "it must have exactly one Expires field" if expires else "it has no Expires field"
        )
    if expires:
        when = rfc3339_date_time(expires[0])
        if when is None:
            problems.append(
                f"the Expires value {expires[0][:40]!r} is not an RFC 3339 date and time "
                "with a time zone"
            )
        elif when < now:
            problems.append(f"it expired on {when.date().isoformat()}")
    return SecurityTxt(tuple(contacts), when, tuple(problems))


def rfc3339_date_time(text: str) -> datetime | None:
    """An RFC 3339 ``date-time`` (``2026-01-01T00:00:00Z``, ``…t…z``, ``…+01:00``), or None."""
    found = _DATE_TIME.fullmatch(text.strip())
    if not found:
        return None
    year, month, day, hour, minute, second = (int(found.group(i)) for i in range(1, 7))
    if found.group(8):
        zone = UTC
    else:
        offset = timedelta(hours=int(found.group(10)), minutes=int(found.group(11)))
        if offset >= timedelta(hours=24):
            return None
        zone = timezone(-offset if found.group(9) == "-" else offset)
    try:
        # A leap second (:60) is the last second of its minute here.
        return datetime(year, month, day, hour, minute, min(second, 59), tzinfo=zone)
    except ValueError:
        return None


def delivery_problems(final_url: str, content_type: str) -> list[str]:
    """What RFC 9116 section 3 asks of how the file is served: over https to the end of any
    redirects, as ``text/plain`` with ``charset=utf-8``. ``content_type`` is the header."""
    problems = []
    if not final_url.lower().startswith("https://"):
        problems.append(f"it is served from {final_url[:100]} after redirects, not over https")
    mime, *params = (part.strip() for part in content_type.split(";"))
    charsets = [
        value.strip().strip('"').lower()
        for key, _sep, value in (p.partition("=") for p in params)
        if key.strip().lower() == "charset"
    ]
    if mime.lower() == "text/plain" and charsets != ["utf-8"]:
        shown = f"charset={charsets[0]}" if charsets else "no charset"
        problems.append(f"it is served as text/plain with {shown}, not charset=utf-8")
    return problems
