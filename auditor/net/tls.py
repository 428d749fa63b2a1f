"""The TLS client context every connection of an audit uses (HTTPS, SMTP STARTTLS).

Apart from ``auditor.net.http`` so that what needs only the context (the SMTP probe, an
audit building it ahead in a worker thread) does not import httpx.
"""

from __future__ import annotations

import ssl


def make_ssl_context(ca_file: str | None = None, ca_pem: str | None = None) -> ssl.SSLContext:
    """System trust store, plus (not instead of) the PEM bundle given with --ca-file."""
    context = ssl.create_default_context()
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    if ca_file:
        context.load_verify_locations(cafile=ca_file)
    if ca_pem:
        context.load_verify_locations(cadata=ca_pem)
    return context
