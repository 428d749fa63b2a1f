"""Domain names: normalisation, the public suffix list (bundled, never fetched), and the
organisational domain that DMARC and lookalike checks reason about."""

from __future__ import annotations

import functools
import re

import tldextract

# Special-use names (RFC 6761, RFC 2606) have no public suffix in the PSL; treat their last
# label as the suffix so that "candidate.example" is a registrable domain like any other.
RESERVED_SUFFIXES = frozenset({"test", "example", "invalid", "localhost", "local", "internal"})

_LABEL = re.compile(r"^(?!-)[a-z0-9_-]{1,63}(?<!-)$")


class DomainError(ValueError):
    """A domain name that cannot be used, with a human reason."""


@functools.cache
def _extractor() -> tldextract.TLDExtract:
    # suffix_list_urls=() and cache_dir=None: the bundled list, no network, no cache file.
    return tldextract.TLDExtract(
        suffix_list_urls=(), cache_dir=None, include_psl_private_domains=False
    )


def normalise_domain(text: str) -> str:
    """Lower-case, IDNA (punycode) form, no trailing dot; raises DomainError with a reason."""
    name = text.strip().rstrip(".").lower()
    if not name:
        raise DomainError("empty domain name")
    if "://" in name or "/" in name or "@" in name or " " in name:
        raise DomainError(f"{text!r} is not a bare domain name")
    try:
        ascii_name = name.encode("idna").decode("ascii") if not name.isascii() else name
    except UnicodeError as exc:
        raise DomainError(f"{text!r} is not a valid international domain name ({exc})") from None
    if len(ascii_name) > 253:
        raise DomainError(f"{text[:60]!r}… is longer than 253 characters")
    labels = ascii_name.split(".")
    if len(labels) < 2:
        raise DomainError(f"{text!r} has no dot: a domain looks like example.org.uk")
    for label in labels:
        if not _LABEL.match(label):
            raise DomainError(f"{text!r} has an invalid label {label!r}")
    return ascii_name


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
