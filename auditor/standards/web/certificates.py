"""Pure helpers about a server's TLS certificate: when it expires and who it names.

Shared by the STARTTLS and HTTPS checks. ``ssl.getpeercert()`` only returns a dictionary
for a verified certificate, so an untrusted one is read from its DER bytes instead.
"""

from __future__ import annotations

import ssl
from datetime import UTC, datetime
from typing import Any

from cryptography import x509

EXPIRY_WARNING_DAYS = 14


def not_after_from_peercert(cert: dict[str, Any] | None) -> datetime | None:
    """The expiry of a certificate as ``getpeercert()`` returns it, or None."""
    if not cert:
        return None
    text = cert.get("notAfter")
    if not isinstance(text, str):
        return None
    try:
        return datetime.fromtimestamp(ssl.cert_time_to_seconds(text), UTC)
    except (ValueError, OverflowError):
        return None


def not_after_from_der(der: bytes | None) -> datetime | None:
    """The expiry read from DER bytes (works for untrusted certificates too), or None."""
    if not der:
        return None
    try:
        return x509.load_der_x509_certificate(der).not_valid_after_utc
    except ValueError:
        return None


def names_from_der(der: bytes | None) -> list[str]:
    """The DNS names a certificate is valid for (subjectAltName), for evidence."""
    if not der:
        return []
    try:
        cert = x509.load_der_x509_certificate(der)
        extension = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName)
    except (ValueError, x509.ExtensionNotFound):
        return []
    return [str(name) for name in extension.value.get_values_for_type(x509.DNSName)][:50]


def issuer_from_der(der: bytes | None) -> str:
    if not der:
        return ""
    try:
        return x509.load_der_x509_certificate(der).issuer.rfc4514_string()[:300]
    except ValueError:
        return ""


def days_left(not_after: datetime, now: datetime) -> float:
    return (not_after - now).total_seconds() / 86400


def expiry_problem(not_after: datetime | None, now: datetime) -> str:
    """A sentence when the certificate has expired or expires within 14 days, else ""."""
    if not_after is None:
        return ""
    left = days_left(not_after, now)
    day = not_after.date().isoformat()
    if left < 0:
        return f"the certificate expired on {day}"
    if left < EXPIRY_WARNING_DAYS:
        return f"the certificate expires on {day}, in {int(left)} day(s)"
    return ""
