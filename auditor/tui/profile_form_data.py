"""The profile form's data: fields to TOML, validated by parse_profile, errors to fields.

Plain Python so that the mapping from a ProfileError's key to the form field is tested
without a screen. Fields the form does not show (a second home, extra pages, DKIM
selectors, manual answers, per-account extras) are carried over from the loaded profile.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import Any

from auditor.profile import Account, Address, Profile, ProfileError, parse_profile

TWOFA_CHOICES = (
    ("unknown", "Not sure"),
    ("passkey", "Passkey"),
    ("security-key", "Security key"),
    ("totp", "Authenticator app"),
    ("push", "Push prompt in an app"),
    ("hardware-token", "Hardware token"),
    ("sms", "Text message (SMS)"),
    ("voice", "Phone call"),
    ("email", "Email code"),
    ("none", "None: password only"),
)
TWOFA_NAMES = dict(TWOFA_CHOICES)

# form field -> how its value is written (a list split on commas, or text)
LIST_FIELDS = ("aliases", "phones", "emails", "domains", "websites", "home_lines", "office_lines")
TEXT_FIELDS = ("name", "home_postcode", "office_postcode")
SENSITIVE_FIELDS = ("home_lines", "home_postcode", "phones", "emails")


@dataclass(frozen=True)
class AccountRow:
    service: str = ""
    handle: str = ""
    twofa: str = "unknown"


def split_list(text: str) -> list[str]:
    return [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]


def fields_from_profile(profile: Profile | None) -> dict[str, str]:
    if profile is None:
        return dict.fromkeys((*LIST_FIELDS, *TEXT_FIELDS), "")
    home = profile.home_addresses[0] if profile.home_addresses else Address(())
    office = profile.public_addresses[0] if profile.public_addresses else Address(())
    return {
        "name": profile.name,
        "aliases": ", ".join(profile.aliases),
        "phones": ", ".join(profile.phones),
        "emails": ", ".join(profile.emails),
        "domains": ", ".join(profile.domains),
        "websites": ", ".join(profile.websites),
        "home_lines": ", ".join(home.lines),
        "home_postcode": home.postcode,
        "office_lines": ", ".join(office.lines),
        "office_postcode": office.postcode,
    }


def rows_from_profile(profile: Profile | None) -> list[AccountRow]:
    if profile is None:
        return []
    return [AccountRow(a.service, a.handle, a.twofa) for a in profile.accounts]


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    text = json.dumps(str(value), ensure_ascii=False)
    return text.replace("\x7f", "\\u007F")


def _table(name: str, values: dict[str, Any]) -> list[str]:
    lines = ["", f"[[{name}]]"]
    lines += [f"{key} = {_toml(v)}" for key, v in values.items() if v not in (None, "", [], ())]
    return lines


def _address(lines: list[str], postcode: str, old: Address | None) -> dict[str, Any]:
    data: dict[str, Any] = {"lines": lines, "postcode": postcode}
    if old is not None:
        data |= {"label": old.label, "latitude": old.latitude, "longitude": old.longitude}
    return data


def form_toml(fields: dict[str, str], rows: list[AccountRow], old: Profile | None) -> str:
    """The form as profile TOML (what parse_profile validates)."""
    out = [f"name = {_toml(fields.get('name', '').strip())}"]
    for key in ("aliases", "phones", "emails", "domains", "websites"):
        items = split_list(fields.get(key, ""))
        if items:
            out.append(f"{key} = {_toml(items)}")
    if old is not None:
        for key in ("extra_pages", "dkim_selectors"):
            if getattr(old, key):
                out.append(f"{key} = {_toml(list(getattr(old, key)))}")
    homes = list(old.home_addresses) if old else []
    offices = list(old.public_addresses) if old else []
    for kind, lines_key, postcode_key, existing in (
        ("home", "home_lines", "home_postcode", homes),
        ("public_address", "office_lines", "office_postcode", offices),
    ):
        lines = split_list(fields.get(lines_key, ""))
        postcode = fields.get(postcode_key, "").strip()
        if lines or postcode:
            out += _table(kind, _address(lines, postcode, existing[0] if existing else None))
        for extra in existing[1:]:
            out += _table(kind, _address(list(extra.lines), extra.postcode, extra))
    old_accounts = {(a.service, a.handle): a for a in old.accounts} if old else {}
    for row in rows:
        if not (row.service.strip() or row.handle.strip()):
            continue
        values: dict[str, Any] = {
            "service": row.service.strip(),
            "handle": row.handle.strip(),
            "twofa": row.twofa,
        }
        previous = old_accounts.get((row.service.strip().lower(), row.handle.strip()))
        if previous is not None:
            values |= _account_extras(previous, changed=previous.twofa != row.twofa)
        out += _table("account", values)
    return "\n".join(out) + "\n"


def _account_extras(account: Account, *, changed: bool) -> dict[str, Any]:
    extras: dict[str, Any] = {
        "second_factor_holder": account.second_factor_holder,
        "primary_email": account.primary_email or None,
        "shared": account.shared or None,
        "recovery_phone_public": account.recovery_phone_public,
        "backup_codes_offline": account.backup_codes_offline,
    }
    if not changed:
        extras["attested_on"] = account.attested_on
    return extras


def validate(
    fields: dict[str, str], rows: list[AccountRow], old: Profile | None, source: str
) -> Profile:
    """The validated profile, or ProfileError naming the key (see ``field_for``)."""
    profile = parse_profile(form_toml(fields, rows, old), source)
    if old is not None and old.answers:
        profile = replace(profile, answers=old.answers)
    return profile


def field_for(error: ProfileError) -> str:
    """The form field a ProfileError belongs to: "phones", "home_postcode", "account-2-twofa"."""
    key = error.key
    head = key.split("[", 1)[0].split(".", 1)[0]
    tail = key.rsplit(".", 1)[-1] if "." in key else ""
    if head == "home":
        return "home_postcode" if tail == "postcode" else "home_lines"
    if head == "public_address":
        return "office_postcode" if tail == "postcode" else "office_lines"
    if head == "account":
        number = key.split("[", 1)[1].split("]", 1)[0] if "[" in key else "1"
        return f"account-{number}-{'twofa' if tail == 'twofa' else 'service'}"
    if head in (*LIST_FIELDS, *TEXT_FIELDS):
        return head
    return "name"


def fix_text(error: ProfileError) -> str:
    return error.problem + (f" — {error.fix}" if error.fix else "")
