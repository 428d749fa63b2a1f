"""The profile on disk: the commented template a candidate fills in, and the TOML writer.

Both write with mode 0600: the file holds the person's home address and personal numbers.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from auditor.files import make_private_dirs, write_private_text
from auditor.profile import Account, Profile, ProfileError, parse_profile

TEMPLATE = """\
# Candidate Auditor: your profile
#
# This file tells Candidate Auditor whose details to look for and what to check.
# It stays on this computer: the auditor reads it here and never sends it anywhere.
# It holds private details such as your home address, so keep it private too:
# don't email it, share it, or put it in a shared or synced folder.
#
# How to fill it in
#   - Lines starting with # are notes for you. The auditor ignores them.
#   - To use an example line, delete the # at its start and change the example
#     to your own details. Leave out anything you don't have.
#   - Text goes in "double quotes". A list goes in [square brackets], with commas
#     between the items, like ["one", "two"].
#   - Only your name is needed. Everything else makes the audit more thorough.
#
# When you have filled it in, run:  auditor scan --profile <this file>
# or fill it in and keep it up to date in the app:  auditor --profile <this file>


# Your name as it appears on the ballot paper.
name = ""

# Other names you are known by, so that pages about you are found.
# aliases = ["Alex Example", "Cllr Alex Example"]

# Your party and the ward or constituency you stand in, as on the ballot paper.
# Only used, if you switch on the web search, to tell you apart from namesakes.
# party = "Example Party"
# area = "Example Ward"


# ---- Private contact details -------------------------------------------------
# The auditor looks for these on public web pages, documents and photos, to
# find where they have leaked. Reports hide them unless you ask to see them.

# Personal phone numbers (mobile and landline), written as you would dial them.
# phones = ["07700 900123", "01632 960123"]

# Personal email addresses (not the campaign ones).
# emails = ["alex.home@example.com"]


# ---- Your campaign online ----------------------------------------------------

# Your campaign's domain names: the part after the @ in campaign email, or after
# www. in the web address. Its email and web security are checked.
# domains = ["alexforashcombe.org.uk"]

# Your campaign websites, as full web addresses.
# websites = ["https://www.alexforashcombe.org.uk/"]

# Other pages about you that the auditor should read, but not security-check:
# your party profile, your council page.
# extra_pages = ["https://www.example-party.org.uk/people/alex-example"]

# Only if your IT helper asks you to: DKIM selectors for the campaign email.
# dkim_selectors = ["google"]


# ---- The sections below go at the end ---------------------------------------
# Each section starts with a heading in [[double brackets]]. Every line under a
# heading belongs to it, so keep the lines above (name, phones ...) above here.

# Your home address: the first lines and the postcode are enough. This is what
# the auditor works hardest to find. For a second home, copy the whole block.
# [[home]]
# lines = ["12 Acacia Avenue", "Ashcombe"]
# postcode = "AB1 2CD"
# Optional: where your home is on a map (from any map website), so the auditor
# can spot photos on your site whose hidden location data gives your home away.
# latitude = 51.5072
# longitude = -0.1276

# Addresses that are FINE to show, such as your agent's or party office or a PO
# box. Finding these on your pages is good news, not a leak.
# [[public_address]]
# label = "agent's office"
# lines = ["1 High Street", "Ashcombe"]
# postcode = "AB1 2EF"

# The accounts that matter most: your email, social media and messaging apps.
# Copy the block for each one.
# [[account]]
# service = "gmail"       # gmail, outlook, facebook, instagram, x, whatsapp, ...
# handle = "alex.campaign@gmail.com"
# How you prove it's you after your password (two-step verification):
# passkey, security key, authenticator app, push prompt, text message,
# phone call, email, none, or "not sure".
# twofa = "authenticator app"
# second_factor_holder = "me"      # who has the phone or key: me, my agent, ...
# attested_on = 2026-05-02         # the date you checked
# primary_email = true             # true for the inbox that can reset your other accounts
# shared = false                   # true if more than one person logs in to it
# recovery_phone_public = false    # true if its recovery phone number is published anywhere
# backup_codes_offline = true      # true if its backup codes are printed and kept safe

# Your answers to the questions the auditor cannot check by itself. The report
# names each question; write its name in the heading, inside the quotes.
# [answers."question-name-from-the-report"]
# answer = "yes"                   # yes, no, not-applicable, or your own words
# answered_on = 2026-05-02
"""


def write_template(path: str | os.PathLike[str]) -> None:
    """Create the template at path (mode 0600, parent folders as needed); never overwrites."""
    target = Path(path)
    make_private_dirs(target.parent)
    try:
        handle = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise ProfileError(
            str(target), "", "already exists and was left as it is", "edit it, or choose a new name"
        ) from None
    try:
        if hasattr(os, "fchmod"):
            os.fchmod(handle, 0o600)  # exactly 0600, whatever the umask
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(TEMPLATE)
    except BaseException:
        target.unlink(missing_ok=True)  # no half-written template left behind
        raise


# --- writing a profile back ---------------------------------------------------------------

_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r", "\b": "\\b"}
_ESCAPES["\f"] = "\\f"
_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")
_ACCOUNT_FIELDS = tuple(Account.__dataclass_fields__)


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, str):
        chars = (
            _ESCAPES.get(c) or (f"\\u{ord(c):04X}" if ord(c) < 0x20 or ord(c) == 0x7F else c)
            for c in value
        )
        return '"' + "".join(chars) + '"'
    if isinstance(value, tuple | list):
        return "[" + ", ".join(_toml(item) for item in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} as TOML")


def _lines(fields: list[tuple[str, object, object]]) -> list[str]:
    """key = value for each (key, value, default) whose value is not the parser's default."""
    return [f"{key} = {_toml(value)}" for key, value, default in fields if value != default]


SAVED_HEADER = "# Candidate Auditor profile. Private: it stays on this computer and is never sent."


def has_own_comments(text: str) -> bool:
    """True when a profile's text holds comments the writer would not keep (anything but
    its own header line): saving over it loses them."""
    return any(
        line.lstrip().startswith("#") and line.strip() != SAVED_HEADER for line in text.splitlines()
    )


def profile_to_toml(profile: Profile) -> str:
    """The profile as TOML that parse_profile reads back to an equal Profile (notes aside)."""
    out = [SAVED_HEADER]
    out += _lines([("name", profile.name, None), ("aliases", profile.aliases, ())])
    out += _lines([("party", profile.party, ""), ("area", profile.area, "")])
    for key in ("phones", "emails", "domains", "websites", "extra_pages", "dkim_selectors"):
        out += _lines([(key, getattr(profile, key), ())])
    for kind, addresses, default_label in (
        ("home", profile.home_addresses, "home"),
        ("public_address", profile.public_addresses, ""),
    ):
        for a in addresses:
            out += ["", f"[[{kind}]]"]
            out += _lines([("label", a.label, default_label), ("lines", a.lines, ())])
            out += _lines([("postcode", a.postcode, ""), ("latitude", a.latitude, None)])
            out += _lines([("longitude", a.longitude, None)])
    for account in profile.accounts:
        defaults: dict[str, object] = {"twofa": "unknown", "primary_email": False, "shared": False}
        defaults |= dict.fromkeys(("recovery_phone_public", "backup_codes_offline"), None)
        out += ["", "[[account]]"]
        out += _lines([(k, getattr(account, k), defaults.get(k, "")) for k in _ACCOUNT_FIELDS])
    for question, answer in profile.answers.items():
        key = question if _BARE_KEY.match(question) else _toml(question)
        out += ["", f"[answers.{key}]", f"answer = {_toml(answer.answer)}"]
        out += _lines([("answered_on", answer.answered_on, ""), ("note", answer.note, "")])
    return "\n".join(out) + "\n"


def save_profile(profile: Profile, path: str | os.PathLike[str]) -> None:
    """Write the profile as TOML with mode 0600, atomically (temp file, then os.replace).

    Comments in an existing file are not kept. Raises ProfileError, writing nothing, if the
    profile would not load again (for example an empty name).
    """
    text = profile_to_toml(profile)
    parse_profile(text, str(path))
    write_private_text(path, text)
