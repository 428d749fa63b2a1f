"""RDAP (RFC 9083) domain answers: the contacts (jCard, RFC 7095) of the registrant and
administrative entities, with redaction recognised; and the IANA bootstrap file (RFC 9224).
Pure; raises only RdapFormatError."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from auditor.standards.content.unread import note

ROLES = ("registrant", "administrative")
REDACTION_WORDS = (
    "redacted", "data protected", "not disclosed", "withheld", "privacy", "gdpr masked",
    "non-public data", "statutory masking", "please query the rdds service",
)  # fmt: skip
MAX_ENTITIES = 100
MAX_ENTITY_DEPTH = 4  # entities inside entities (a registrar's abuse contact is one level)


class RdapFormatError(ValueError):
    """The answer is not an RDAP domain object (or not a bootstrap file)."""


@dataclass(frozen=True)
class RdapContact:
    roles: tuple[str, ...]
    name: str = ""
    org: str = ""
    address: str = ""  # the address lines joined with ", "
    phones: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    redacted: tuple[str, ...] = ()  # fields seen redacted ("name", "address", …)

    @property
    def exposed(self) -> dict[str, str]:
        """The fields with real data in them."""
        fields = {"name": self.name, "address": self.address}
        fields |= {f"phone {i}": p for i, p in enumerate(self.phones, 1)}
        fields |= {f"email {i}": e for i, e in enumerate(self.emails, 1)}
        return {k: v for k, v in fields.items() if v and not is_redacted(v)}


@dataclass(frozen=True)
class RdapDomain:
    name: str
    contacts: tuple[RdapContact, ...]
    redacted_extension: tuple[str, ...] = ()  # "redacted" member names (RFC 9537)
    not_read: tuple[str, ...] = ()  # what a cap left unread, in plain words


def is_redacted(value: str) -> bool:
    lowered = " ".join(value.lower().split())
    return not lowered or any(word in lowered for word in REDACTION_WORDS)


def parse_domain(data: Any) -> RdapDomain:
    if not isinstance(data, dict):
        raise RdapFormatError("the answer is not a JSON object")
    if data.get("objectClassName") not in ("domain", None) or "ldhName" not in data:
        raise RdapFormatError("the answer is not an RDAP domain object")
    contacts: list[RdapContact] = []
    not_read: list[str] = []
    for entity in _entities(data.get("entities"), 0, not_read):
        listed = entity.get("roles")
        listed = listed if isinstance(listed, list) else []  # null or a bare string: no roles
        roles = tuple(r.lower() for r in listed if isinstance(r, str))
        if not set(roles) & set(ROLES):
            continue
        contacts.append(_contact(roles, entity.get("vcardArray")))
    redacted = []
    for item in data.get("redacted", []) if isinstance(data.get("redacted"), list) else []:
        if isinstance(item, dict):
            name = item.get("name")
            name = name if isinstance(name, dict) else {}
            redacted.append(str(name.get("type") or name.get("description") or "field"))
    name = str(data.get("ldhName", "")).lower()
    return RdapDomain(name, tuple(contacts), tuple(redacted), tuple(not_read))


def _entities(value: Any, depth: int, not_read: list[str]) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        return []
    if depth > MAX_ENTITY_DEPTH:
        note(not_read, f"the contacts nested deeper than {MAX_ENTITY_DEPTH} levels")
        return []
    found: list[dict[str, Any]] = []
    for entity in value[:MAX_ENTITIES]:
        if isinstance(entity, dict):
            found.append(entity)
            found.extend(_entities(entity.get("entities"), depth + 1, not_read))
    if len(value) > MAX_ENTITIES or len(found) > MAX_ENTITIES:
        note(not_read, f"the contacts after the first {MAX_ENTITIES}")
    return found[:MAX_ENTITIES]


def _text(value: Any) -> str:
    # Silent by design: a jCard value of 20+ parts or 500+ characters is no registry's
    # (an address is seven parts of a few dozen characters).
    if isinstance(value, list):
        parts = [_text(v) for v in value[:20]]
        return ", ".join(p for p in parts if p)
    if isinstance(value, str | int | float):
        return " ".join(str(value).split())[:500]
    return ""


def _contact(roles: tuple[str, ...], vcard: Any) -> RdapContact:
    name = org = address = ""
    phones: list[str] = []
    emails: list[str] = []
    redacted: list[str] = []
    properties = vcard[1] if isinstance(vcard, list) and len(vcard) > 1 else []
    for prop in properties if isinstance(properties, list) else []:
        if not isinstance(prop, list) or len(prop) < 4 or not isinstance(prop[0], str):
            continue
        key = prop[0].lower()
        params = prop[1] if isinstance(prop[1], dict) else {}
        value = _text(prop[3:] if len(prop) > 4 else prop[3])
        if key == "adr":
            label = _text(params.get("label", ""))
            value = value or label
        if key in ("fn", "org", "adr", "tel", "email") and is_redacted(value):
            redacted.append({"fn": "name", "adr": "address"}.get(key, key))
            continue
        if key == "fn":
            name = value
        elif key == "org":
            org = value
        elif key == "adr":
            address = value
        elif key == "tel":
            phones.append(value.removeprefix("tel:"))
        elif key == "email":
            emails.append(value)
    return RdapContact(
        roles, name, org, address, tuple(phones), tuple(emails), tuple(dict.fromkeys(redacted))
    )


def parse_bootstrap(data: Any) -> dict[str, str]:
    """TLD -> RDAP base URL (the first https one) from IANA's dns.json."""
    if not isinstance(data, dict) or not isinstance(data.get("services"), list):
        raise RdapFormatError("not an RDAP bootstrap file (no services list)")
    bases: dict[str, str] = {}
    for service in data["services"]:
        if not isinstance(service, list) or len(service) < 2:
            continue
        tlds, urls = service[0], service[1]
        if not isinstance(tlds, list) or not isinstance(urls, list):
            continue
        url = next((u for u in urls if isinstance(u, str) and u.startswith("https://")), None)
        url = url or next((u for u in urls if isinstance(u, str)), None)
        if url:
            for tld in tlds:
                if isinstance(tld, str):
                    bases.setdefault(
                        tld.lower().strip("."), url if url.endswith("/") else url + "/"
                    )
    return bases


def base_for(bootstrap: dict[str, str], domain: str) -> str | None:
    """The RDAP base for ``domain``: the longest matching suffix in the bootstrap."""
    labels = domain.lower().rstrip(".").split(".")
    for index in range(len(labels)):
        suffix = ".".join(labels[index:])
        if suffix in bootstrap:
            return bootstrap[suffix]
    return None
