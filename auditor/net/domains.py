"""Domain names: normalisation, the public suffix list (bundled, never fetched), and the
organisational domain that DMARC and lookalike checks reason about."""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING

import idna

if TYPE_CHECKING:
    import tldextract

# Special-use names (RFC 6761, RFC 2606) have no public suffix in the PSL; treat their last
# label as the suffix so that "candidate.example" is a registrable domain like any other.
RESERVED_SUFFIXES = frozenset({"test", "example", "invalid", "localhost", "local", "internal"})

_LABEL = re.compile(r"^(?!-)[a-z0-9_-]{1,63}(?<!-)$")


class DomainError(ValueError):
    """A domain name that cannot be used, with a human reason."""


@functools.cache
def _extractor() -> tldextract.TLDExtract:
    # Imported on first use: tldextract (with the requests it imports) is ~40-80 ms, which
    # the app's first screen does not need (benchmarks/RESULTS-startup.md).
    import tldextract

    # suffix_list_urls=() and cache_dir=None: the bundled list, no network, no cache file.
    return tldextract.TLDExtract(
        suffix_list_urls=(), cache_dir=None, include_psl_private_domains=False
    )


def idna_ascii(name: str) -> str:
    """The ASCII (punycode) form of an international name, by UTS 46 non-transitional
    processing: IDNA 2008, as browsers and registries use it. Python's own "idna" codec is
    IDNA 2003, which maps "straße.de" to "strasse.de", another domain (with another owner),
    and would audit that one. ASCII labels (``_dmarc``) pass as they are, lower-cased.
    Raises UnicodeError (idna.IDNAError) for a name IDNA 2008 does not allow."""
    mapped = idna.uts46_remap(name, std3_rules=False, transitional=False)
    return ".".join(
        label if label.isascii() else idna.alabel(label).decode("ascii")
        for label in mapped.split(".")
    )


def unicode_name(ascii_name: str) -> str:
    """The name as people read it ("xn--strae-oqa.de" -> "straße.de"), or as given."""
    try:
        return ".".join(
            idna.ulabel(label) if label.startswith("xn--") else label
            for label in ascii_name.split(".")
        )
    except (UnicodeError, ValueError):
        return ascii_name


def normalise_domain(text: str) -> str:
    """Lower-case, IDNA 2008 (punycode) form, no trailing dot; raises DomainError."""
    name = text.strip().rstrip(".").lower()
    if not name:
        raise DomainError("empty domain name")
    if "://" in name or "/" in name or "@" in name or " " in name:
        raise DomainError(f"{text!r} is not a bare domain name")
    try:
        ascii_name = idna_ascii(name) if not name.isascii() else name
    except (UnicodeError, ValueError) as exc:
        reason = str(exc).splitlines()[0][:100] if str(exc) else type(exc).__name__
        raise DomainError(
            f"{text[:60]!r} is not a valid international domain name ({reason})"
        ) from None
    if len(ascii_name) > 253:
        raise DomainError(f"{text[:60]!r}… is longer than 253 characters")
    labels = ascii_name.split(".")
    if len(labels) < 2:
        raise DomainError(f"{text!r} has no dot: a domain looks like example.org.uk")
    for label in labels:
        if not _LABEL.match(label):
            raise DomainError(f"{text!r} has an invalid label {label!r}")
    return ascii_name


@functools.lru_cache(maxsize=4096)  # asked several times per domain (DMARC, DKIM, findings)
def public_suffix(name: str) -> str:
    name = name.rstrip(".").lower()
    suffix = _extractor()(name).suffix
    if suffix:
        return suffix
    # No PSL rule: RESERVED_SUFFIXES and unknown TLDs alike use their last label.
    return name.rsplit(".", 1)[-1]


def organisational_domain(name: str) -> str:
    """The registrable domain (public suffix plus one label), per RFC 7489 §3.2."""
    name = name.rstrip(".").lower()
    suffix = public_suffix(name)
    if name == suffix:
        return name
    head = name[: -len(suffix) - 1]
    return f"{head.rsplit('.', 1)[-1]}.{suffix}"


def is_subdomain(name: str, parent: str) -> bool:
    name, parent = name.rstrip(".").lower(), parent.rstrip(".").lower()
    return name == parent or name.endswith("." + parent)
