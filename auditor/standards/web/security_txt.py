"""Pure reading of ``/.well-known/security.txt`` (RFC 9116): its contacts, its expiry and
what is wrong with it.

``parse_security_txt(text, now)`` never raises: every problem (no Contact, a Contact that is
not a mailto:/https:/tel: URI, not exactly one Expires, an Expires that is not an ISO date
and time with a time zone, or one in the past) is one plain phrase in ``problems``. Work is
bounded: the first 32 KiB and 1000 lines are read. Not scored with the headers
(auditor/standards/web/observatory.py); web.headers reports it as its own finding.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


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
        try:
            when = datetime.fromisoformat(expires[0].replace("Z", "+00:00"))
        except ValueError:
            problems.append(f"the Expires value {expires[0][:40]!r} is not a date and time")
        else:
            if when.tzinfo is None:
                problems.append("the Expires value has no time zone")
                when = None
            elif when < now:
                problems.append(f"it expired on {when.date().isoformat()}")
    return SecurityTxt(tuple(contacts), when, tuple(problems))
