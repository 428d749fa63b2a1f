"""Email addresses hidden from harvesters, decoded as a harvester would.

Cloudflare's email protection replaces an address by ``data-cfemail="HEX"`` (or a link to
``/cdn-cgi/l/email-protection#HEX``): the first byte is a key XORed with every other byte.
WordPress's ``antispambot()`` writes HTML entities and ``%XX`` escapes, which the HTML parser
and ``unquote`` undo. A CSS trick shows reversed text the right way round
(``direction: rtl; unicode-bidi: bidi-override``), so reversed addresses are read back too.
"""

from __future__ import annotations

import re

from auditor.standards.content.unread import note

# Silent by design: 512 hex digits are a 255-byte address, longer than any email address can
# be (RFC 5321 allows 254 characters), so nothing a mail program could use is cut.
MAX_HEX = 512
MAX_REVERSED_SCAN = 1_000_000  # characters searched for addresses written backwards
MAX_REVERSED = 1000  # a page of normal addresses matches too: a directory may list hundreds
_HEX = re.compile(r"[0-9a-fA-F]{4,512}")
_REVERSED_EMAIL = re.compile(r"[\w.+\-]{1,64}\.[\w\-]{1,63}@[\w.+\-]{1,64}")


def cloudflare_email(encoded: str) -> str:
    """The address behind a Cloudflare ``data-cfemail`` value or ``email-protection#`` link
    ("" when it is not one)."""
    encoded = encoded.strip().rpartition("#")[2][:MAX_HEX]
    if not _HEX.fullmatch(encoded) or len(encoded) % 2:
        return ""
    data = bytes.fromhex(encoded)
    key = data[0]
    decoded = bytes(b ^ key for b in data[1:])
    try:
        text = decoded.decode("utf-8")
    except UnicodeDecodeError:
        return ""
    return text if text.isprintable() else ""


def reversed_emails(text: str, not_read: list[str] | None = None) -> list[str]:
    """Addresses written backwards ("ten.elpmaxe@emoh.xela"), read the right way round; what
    a cap left unsearched goes into ``not_read``."""
    if len(text) > MAX_REVERSED_SCAN:
        note(
            not_read,
            f"the page's text after its first {MAX_REVERSED_SCAN:,} characters, searched for "
            "email addresses written backwards",
        )
    found: list[str] = []
    for hit in _REVERSED_EMAIL.finditer(text[:MAX_REVERSED_SCAN]):
        if len(found) >= MAX_REVERSED:
            note(not_read, f"the email addresses written backwards after the first {MAX_REVERSED}")
            break
        found.append(hit.group()[::-1])
    return found
