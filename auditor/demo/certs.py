"""Throwaway TLS certificates for the demo world: one trusted CA, and the broken variants.

The audit trusts the demo CA through ``AuditOptions.ca_pem`` only, so nothing here is ever
trusted outside one audit. The variants are what the web and SMTP checks must tell apart:
a good certificate, an expired one, one for the wrong host, one from an unknown issuer.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta

import trustme

CERT_VARIANTS = ("valid", "expired", "wrong-host", "untrusted")


class DemoCertificates:
    def __init__(self, hostnames: Iterable[str]) -> None:
        self.hostnames = tuple(dict.fromkeys(h.lower().rstrip(".") for h in hostnames))
        self.ca = trustme.CA(organization_name="Candidate Auditor demo CA")
        self._stranger = trustme.CA(organization_name="Nobody-trusts-me CA")
        now = datetime.now(UTC)
        identities = (*self.hostnames, "localhost", "127.0.0.1")
        self._leaves = {
            "valid": self.ca.issue_cert(*identities),
            "expired": self.ca.issue_cert(
                *identities, not_before=now - timedelta(days=400), not_after=now - timedelta(days=2)
            ),
            "wrong-host": self.ca.issue_cert("wrong-host.invalid"),
            "untrusted": self._stranger.issue_cert(*identities),
        }

    @property
    def ca_pem(self) -> str:
        """The CA certificate to trust (AuditOptions.ca_pem, or a client's cadata)."""
        return str(self.ca.cert_pem.bytes().decode("ascii"))

    def client_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context()
        context.load_verify_locations(cadata=self.ca_pem)
        return context

    def server_context(self, variant: str = "valid") -> ssl.SSLContext:
        if variant not in self._leaves:
            raise ValueError(f"unknown certificate variant {variant!r} (known: {CERT_VARIANTS})")
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self._leaves[variant].configure_cert(context)
        return context

    def sni_context(self, variants: Mapping[str, str]) -> ssl.SSLContext:
        """A server context that picks the certificate by SNI name from ``variants``
        (host -> variant, read at each handshake so tests can switch it while running)."""
        contexts = {v: self.server_context(v) for v in CERT_VARIANTS}
        base = contexts["valid"]

        def choose(sock: ssl.SSLObject, server_name: str | None, _ctx: ssl.SSLContext) -> None:
            variant = variants.get((server_name or "").lower(), "valid")
            if variant != "valid":
                sock.context = contexts[variant]

        base.sni_callback = choose  # type: ignore[assignment]
        return base
