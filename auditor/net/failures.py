"""What went wrong on the network, one word per kind, decided once in the net layer: the HTTP
client (auditor/net/http.py, from httpx's and ssl's exceptions) and the SMTP probe
(auditor/net/smtp.py) put it in their result's ``error_kind``, and the checks read it from
there instead of catching or classifying anything themselves. Whether a failure is said as
"timeout" or "error" (both "could not check") is decided once more from it, in
``auditor.answers.fetch_status``. The values are what the JSON evidence has always said."""

from __future__ import annotations

from enum import StrEnum


class Failure(StrEnum):
    TIMEOUT = "timeout"  # no answer in time, or the answer stopped before the end
    CONNECT = "connect"  # no connection: refused, reset, unreachable
    DNS = "dns"  # the host name did not resolve (see NO_ADDRESS)
    TLS = "tls"  # the certificate or the TLS handshake
    BLOCKED = "blocked"  # the private-address guard refused the address
    REDIRECTS = "redirects"  # a redirect loop, or too many redirects
    PROTOCOL = "protocol"  # the server did not speak HTTP or SMTP as expected
    SCHEME = "scheme"  # not an http(s) URL
    ENCODING = "encoding"  # a body that could not be decoded within the cap


# How a DNS failure says that the name exists but has no A or AAAA record (so a server named
# there cannot be reached at all), as against a lookup that failed.
NO_ADDRESS = "has no address"


def is_no_address(error_kind: str, error: str) -> bool:
    """True for a failure because the host has no address (not a lookup that failed)."""
    return error_kind == Failure.DNS and NO_ADDRESS in error
