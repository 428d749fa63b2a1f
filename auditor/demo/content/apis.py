"""Loopback stand-ins for the third-party APIs the checks call.

RDAP (with the IANA bootstrap file): the campaign domain's registrant is published in full
(name, home address, mobile: a planted exposure) while the parked domain is redacted the
way RFC 9537 describes. Pwned Passwords: the k-anonymity range API, honouring
``Add-Padding: true``, with the demo password in its range. The 2FA Directory: the v3
``all.json`` shape for the services in the demo profile.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping

from auditor.demo import candidate as c
from auditor.demo.web_server import Request, Response, Route, json_response, text

RDAP_HOST = f"rdap.{c.SERVICES_DOMAIN}"
DATA_HOST = f"data.{c.SERVICES_DOMAIN}"
PWNED_HOST = f"pwned.{c.SERVICES_DOMAIN}"
TWOFA_HOST = f"twofa.{c.SERVICES_DOMAIN}"
RDAP_TYPE = "application/rdap+json"

ENDPOINTS = {
    "rdap_bootstrap": f"https://{DATA_HOST}/rdap/dns.json",
    "rdap_uk": f"https://{RDAP_HOST}/uk/",
    "pwned_passwords": f"https://{PWNED_HOST}/range/",
    "twofa_directory": f"https://{TWOFA_HOST}/v3/all.json",
}

PASSWORD_SHA1 = hashlib.sha1(c.DEMO_PASSWORD.encode()).hexdigest().upper()
PASSWORD_COUNT = 251682
_PREFIX = re.compile(r"[0-9A-Fa-f]{5}")


def _vcard(
    name: str, address: list[str] | None, tel: str | None, email: str | None
) -> list[object]:
    card: list[object] = [["version", {}, "text", "4.0"], ["fn", {}, "text", name]]
    if address is not None:
        card.append(["adr", {}, "text", address])
    if tel:
        card.append(["tel", {"type": "voice"}, "uri", f"tel:{tel}"])
    if email:
        card.append(["email", {}, "text", email])
    return ["vcard", card]


def _domain(
    name: str, registrant: Mapping[str, object], extra: Mapping[str, object]
) -> dict[str, object]:
    return {
        "rdapConformance": ["rdap_level_0", "redacted"],
        "objectClassName": "domain",
        "ldhName": name,
        "status": ["active", "client transfer prohibited"],
        "events": [
            {"eventAction": "registration", "eventDate": "2025-02-11T09:14:00Z"},
            {"eventAction": "expiration", "eventDate": "2027-02-11T09:14:00Z"},
        ],
        "nameservers": [{"objectClassName": "nameserver", "ldhName": f"ns1.{name}"}],
        "entities": [
            {"objectClassName": "entity", "handle": "R-1", "roles": ["registrant"], **registrant},
            {
                "objectClassName": "entity",
                "roles": ["registrar"],
                "vcardArray": _vcard("Demo Registrar Ltd", None, None, None),
            },
        ],
        **extra,
    }


def rdap_records() -> dict[str, dict[str, object]]:
    street, locality, town = c.HOME_LINES
    exposed = {
        "vcardArray": _vcard(
            c.NAME,
            ["", "", f"{street}, {locality}", town, "", c.HOME_POSTCODE, "GB"],
            c.MOBILE.replace("+44", "+44."),
            c.PERSONAL_EMAIL,
        )
    }
    redacted = {"vcardArray": _vcard("", ["", "", "", "", "", "", "GB"], None, None)}
    redactions = {
        "redacted": [
            {
                "name": {"type": "Registrant Name"},
                "prePath": (
                    "$.entities[?(@.roles[0]=='registrant')].vcardArray[1][?(@[0]=='fn')][3]"
                ),
                "method": "emptyValue",
                "reason": {"description": "Server policy"},
            },
            {
                "name": {"type": "Registrant Street"},
                "method": "emptyValue",
                "reason": {"description": "Server policy"},
            },
        ],
        "remarks": [
            {"title": "REDACTED FOR PRIVACY", "description": ["Registrant data withheld."]}
        ],
    }
    records = {
        c.DOMAIN: _domain(c.DOMAIN, exposed, {}),
        c.PARKED_DOMAIN: _domain(c.PARKED_DOMAIN, redacted, redactions),
    }
    for lookalike in c.LOOKALIKES:
        records[lookalike] = _domain(lookalike, redacted, redactions)
    return records


def rdap_handler() -> Route:
    records = rdap_records()

    def serve(request: Request) -> Response:
        name = request.path.rsplit("/domain/", 1)[-1].lower().rstrip(".")
        if "/domain/" in request.path and name in records:
            return json_response(records[name], content_type=RDAP_TYPE)
        error = {"errorCode": 404, "title": "Not Found", "description": [f"{name} is unknown"]}
        return json_response(error, 404, content_type=RDAP_TYPE)

    return serve


def bootstrap() -> Response:
    return json_response(
        {
            "version": "1.0",
            "publication": "2026-11-01T00:00:00Z",
            "description": "Demo world RDAP bootstrap (loopback)",
            "services": [[["example"], [f"https://{RDAP_HOST}/"]]],
        }
    )


def _suffixes(prefix: str, count: int, salt: str) -> list[str]:
    return [
        hashlib.sha1(f"{salt}{prefix}{n}".encode()).hexdigest().upper()[5:] for n in range(count)
    ]


def pwned_range(request: Request) -> Response:
    prefix = request.path.rsplit("/", 1)[-1]
    if not _PREFIX.fullmatch(prefix):
        return text("The hash prefix was not in a valid format", 400)
    prefix = prefix.upper()
    lines = [f"{s}:{(int(s[:4], 16) % 97) + 1}" for s in _suffixes(prefix, 320, "seen")]
    if PASSWORD_SHA1.startswith(prefix):
        lines.append(f"{PASSWORD_SHA1[5:]}:{PASSWORD_COUNT}")
    if request.header("add-padding").lower() == "true":
        lines += [f"{s}:0" for s in _suffixes(prefix, 900 - len(lines), "pad")]
    lines.sort()
    return text("\r\n".join(lines))


def twofa_directory() -> Response:
    entries = [
        ("Google", "google.com", ["sms", "call", "totp", "u2f", "custom-software"]),
        ("Microsoft", "microsoft.com", ["sms", "call", "email", "totp", "u2f", "custom-software"]),
        ("Facebook", "facebook.com", ["sms", "totp", "u2f"]),
        ("X (Twitter)", "x.com", ["sms", "totp", "u2f"]),
        ("WhatsApp", "whatsapp.com", ["custom-software"]),
        ("Instagram", "instagram.com", ["sms", "totp"]),
        ("123 Reg", "123-reg.co.uk", ["sms", "totp", "u2f"]),
        # Only in the directory, not in the built-in table: found through the download.
        ("Fernbridge Councillor Portal", "councillor-portal.example", ["totp", "email"]),
    ]
    data = [
        [
            name,
            {
                "domain": domain,
                "tfa": methods,
                "documentation": f"https://{domain}/help/two-step",
                "categories": ["demo"],
            },
        ]
        for name, domain, methods in entries
    ]
    return json_response(data)


def api_routes() -> tuple[dict[tuple[str, str], Route], dict[tuple[str, str], Route]]:
    """(exact routes, prefix routes) for the API hosts."""
    exact: dict[tuple[str, str], Route] = {
        (DATA_HOST, "/rdap/dns.json"): bootstrap(),
        (TWOFA_HOST, "/v3/all.json"): twofa_directory(),
    }
    rdap = rdap_handler()
    prefixes: dict[tuple[str, str], Route] = {
        (RDAP_HOST, "/domain/"): rdap,
        (RDAP_HOST, "/uk/domain/"): rdap,
        (PWNED_HOST, "/range/"): pwned_range,
    }
    return exact, prefixes
