"""The profile form's data: fields to TOML, validated by parse_profile, errors to fields.

Plain Python so that the mapping from a ProfileError's key to the form field is tested
without a screen. What the form does not show (a second home, a second public address, an
office's label, the answers to guided questions) is carried over from the loaded profile.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from auditor.profile import Address, Profile, ProfileError, parse_profile
from auditor.standards.identity.identifiers import (
    normalise_email,
    normalise_phone,
    normalise_postcode,
)

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
LIST_FIELDS = (
    "aliases", "phones", "emails", "domains", "websites", "extra_pages", "dkim_selectors",
    "home_lines", "office_lines",
)  # fmt: skip
TEXT_FIELDS = ("name", "party", "area", "home_postcode", "home_position", "office_postcode")
SENSITIVE_FIELDS = ("home_lines", "home_postcode", "phones", "emails", "home_position")

# Each field's name in a message, in the form's order (errors are listed in this order).
FIELD_NAMES = {
    "name": "Your name",
    "aliases": "Other names",
    "home_lines": "Home address",
    "home_postcode": "Home postcode",
    "phones": "Personal phone numbers",
    "emails": "Personal email addresses",
    "home_position": "Home position on a map",
    "office_lines": "Address fine to show",
    "office_postcode": "Its postcode",
    "domains": "Campaign domain names",
    "websites": "Campaign websites",
    "extra_pages": "Other pages about you",
    "party": "Party",
    "area": "Ward or constituency",
    "dkim_selectors": "DKIM selectors",
}
ACCOUNT_PARTS = {
    "service": "service",
    "handle": "account name",
    "twofa": "two-step method",
    "holder": "who holds the second step",
}
# What reports and the form print instead of a private value: never a value to save.
MASK_MARKS = ("[hidden]", "•", "●", "∗")


@dataclass(frozen=True)
class AccountRow:
    service: str = ""
    handle: str = ""
    twofa: str = "unknown"
    holder: str = ""  # who holds the second factor: "me", "my agent"
    primary_email: bool = False
    shared: bool = False
    recovery_phone_public: bool | None = None
    backup_codes_offline: bool | None = None
    attested_on: str = ""  # kept while the method is unchanged

    def filled(self) -> bool:
        return bool(self.service.strip() or self.handle.strip())


@dataclass(frozen=True)
class FormError:
    """One problem, for one field: ``field`` is a form key ("phones") or "account-2-twofa"
    (the second account row); ``message`` is one line that starts with the field's name."""

    field: str
    message: str


def split_list(text: str) -> list[str]:
    return [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]


def _position_text(address: Address) -> str:
    if address.latitude is None or address.longitude is None:
        return ""
    return f"{address.latitude!r}, {address.longitude!r}"


def fields_from_profile(profile: Profile | None) -> dict[str, str]:
    if profile is None:
        return dict.fromkeys(FIELD_NAMES, "")
    home = profile.home_addresses[0] if profile.home_addresses else Address(())
    office = profile.public_addresses[0] if profile.public_addresses else Address(())
    fields = {key: ", ".join(getattr(profile, key)) for key in LIST_FIELDS[:7]}
    return fields | {
        "name": profile.name,
        "party": profile.party,
        "area": profile.area,
        "home_lines": ", ".join(home.lines),
        "home_postcode": home.postcode,
        "home_position": _position_text(home),
        "office_lines": ", ".join(office.lines),
        "office_postcode": office.postcode,
    }


def rows_from_profile(profile: Profile | None) -> list[AccountRow]:
    if profile is None:
        return []
    return [
        AccountRow(
            a.service,
            a.handle,
            a.twofa,
            a.second_factor_holder,
            a.primary_email,
            a.shared,
            a.recovery_phone_public,
            a.backup_codes_offline,
            a.attested_on,
        )
        for a in profile.accounts
    ]


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


_NUMBER = r"[-+\u2212]?\d+(?:\.\d+)?"  # \u2212: the minus sign some map sites copy
_POSITION = re.compile(rf"^\s*\(?\s*({_NUMBER})\s*[,;/\s]\s*({_NUMBER})\s*\)?\s*$")


def parse_position(text: str, source: str) -> tuple[float, float] | None:
    """ "51.5072, -0.1276" (as map websites copy it) as numbers; ProfileError otherwise."""
    if not text.strip():
        return None
    found = _POSITION.match(text)
    if found is None:
        raise ProfileError(
            source, "home[1].latitude", "needs two numbers, latitude then longitude",
            "copy them from a map website, like 51.5072, -0.1276",
        )  # fmt: skip
    latitude, longitude = (float(n.replace("\u2212", "-")) for n in found.groups())
    return latitude, longitude


def _address(
    lines: list[str], postcode: str, old: Address | None, position: tuple[float, float] | None
) -> dict[str, Any]:
    data: dict[str, Any] = {"lines": lines, "postcode": postcode}
    if old is not None:
        data["label"] = old.label
    if position is not None:
        data |= {"latitude": position[0], "longitude": position[1]}
    return data


def form_toml(
    fields: dict[str, str],
    rows: list[AccountRow],
    old: Profile | None,
    *,
    today: str = "",
    source: str = "form",
) -> str:
    """The form as profile TOML (what parse_profile validates). ``today`` dates a two-step
    method the person chose or changed in the form. A field missing from ``fields`` keeps
    the loaded profile's value."""
    fields = fields_from_profile(old) | fields
    out = [f"name = {_toml(fields.get('name', '').strip())}"]
    for key in ("party", "area"):
        if fields.get(key, "").strip():
            out.append(f"{key} = {_toml(fields[key].strip())}")
    for key in LIST_FIELDS[:7]:
        items = split_list(fields.get(key, ""))
        if items:
            out.append(f"{key} = {_toml(items)}")
    homes = list(old.home_addresses) if old else []
    offices = list(old.public_addresses) if old else []
    position = parse_position(fields.get("home_position", ""), source)
    for kind, lines_key, postcode_key, existing, here in (
        ("home", "home_lines", "home_postcode", homes, position),
        ("public_address", "office_lines", "office_postcode", offices, None),
    ):
        lines = split_list(fields.get(lines_key, ""))
        postcode = fields.get(postcode_key, "").strip()
        first = existing[0] if existing else None
        if lines or postcode or here is not None:
            out += _table(kind, _address(lines, postcode, first, here))
        for extra in existing[1:]:
            spot = None if extra.latitude is None else (extra.latitude, extra.longitude or 0.0)
            out += _table(kind, _address(list(extra.lines), extra.postcode, extra, spot))
    old_accounts = {(a.service, a.handle): a for a in old.accounts} if old else {}
    for row in rows:
        if not row.filled():
            continue
        previous = old_accounts.get((row.service.strip().lower(), row.handle.strip()))
        unchanged = previous is not None and previous.twofa == row.twofa
        attested = row.attested_on if unchanged else today if row.twofa != "unknown" else ""
        out += _table(
            "account",
            {
                "service": row.service.strip(),
                "handle": row.handle.strip(),
                "twofa": row.twofa,
                "second_factor_holder": row.holder.strip(),
                "attested_on": attested,
                "primary_email": row.primary_email or None,
                "shared": row.shared or None,
                "recovery_phone_public": row.recovery_phone_public,
                "backup_codes_offline": row.backup_codes_offline,
            },
        )
    return "\n".join(out) + "\n"


def _masks_in(fields: dict[str, str], rows: list[AccountRow], source: str) -> None:
    """A masked value pasted back (from a report, or a hidden field) would replace the real
    one with dots: refused, naming the field."""
    keys = {"home_lines": "home[1].lines", "home_postcode": "home[1].postcode"}
    for field in SENSITIVE_FIELDS:
        if any(mark in fields.get(field, "") for mark in MASK_MARKS):
            raise ProfileError(
                source, keys.get(field, field), "holds a hidden form (••• or [hidden])",
                "type the real value, or clear the field",
            )  # fmt: skip
    filled = [row for row in rows if row.filled()]
    for number, row in enumerate(filled, 1):
        if any(mark in row.handle for mark in MASK_MARKS):
            raise ProfileError(
                source, f"account[{number}].handle", "holds a hidden form (•••), not the name",
                "type the account name or email again",
            )  # fmt: skip


def validate(
    fields: dict[str, str],
    rows: list[AccountRow],
    old: Profile | None,
    source: str,
    *,
    today: str = "",
) -> Profile:
    """The validated profile, or the first ProfileError, naming the key (see ``field_for``)."""
    _masks_in(fields, rows, source)
    profile = parse_profile(form_toml(fields, rows, old, today=today, source=source), source)
    if old is not None and old.answers:
        profile = replace(profile, answers=old.answers)
    return profile


def field_for(error: ProfileError) -> str:
    """The form field a ProfileError belongs to: "phones", "home_postcode", "account-2-twofa"
    (the number counts the filled-in account rows, as the TOML does)."""
    key = error.key
    head = key.split("[", 1)[0].split(".", 1)[0]
    tail = key.rsplit(".", 1)[-1] if "." in key else ""
    if head == "home":
        if tail in ("latitude", "longitude"):
            return "home_position"
        return "home_postcode" if tail == "postcode" else "home_lines"
    if head == "public_address":
        return "office_postcode" if tail == "postcode" else "office_lines"
    if head == "account":
        number = key.split("[", 1)[1].split("]", 1)[0] if "[" in key else "1"
        part = {"second_factor_holder": "holder"}.get(tail, tail)
        return f"account-{number}-{part if part in ACCOUNT_PARTS else 'service'}"
    if head in FIELD_NAMES:
        return head
    return "name"


_TOML_EXAMPLE = re.compile(r"\b[a-z_]+ = (\S.*)$")


def fix_text(error: ProfileError) -> str:
    """The problem and its fix in the form's words: a TOML example ('lines = ["12 Acacia
    Avenue", "Ashcombe"]') becomes what to type ('like: 12 Acacia Avenue, Ashcombe')."""
    fix = _TOML_EXAMPLE.sub(lambda m: re.sub(r'[\[\]"]', "", m.group(1)), error.fix)
    if fix != error.fix and _TOML_EXAMPLE.match(error.fix):  # the fix was only an example
        fix = "like: " + fix
    problem = error.problem
    entry = _LIST_ENTRY.match(error.key)
    if entry and problem.startswith("is "):  # a private value is not repeated: say which one
        problem = f"the {_ordinal(int(entry.group(1)))} {problem}"
    return problem + (f" — {fix}" if fix else "")


_LIST_ENTRY = re.compile(r"^[a-z_]+\[(\d+)\]$")


def _ordinal(number: int) -> str:
    teens = 10 <= number % 100 <= 20
    suffix = "th" if teens else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def _harmless(field: str, fields: dict[str, str], rows: list[AccountRow]) -> None:
    """Replace a field found wrong with a value that passes, so the next problem shows."""
    if field.startswith("account-"):
        number = int(field.split("-")[1])
        filled = [i for i, row in enumerate(rows) if row.filled()]
        rows[filled[number - 1]] = AccountRow("x")
        return
    fields[field] = {"name": "x", "home_lines": "x", "office_lines": "x"}.get(field, "")


def form_errors(
    fields: dict[str, str],
    rows: list[AccountRow],
    old: Profile | None,
    source: str,
    *,
    today: str = "",
) -> list[FormError]:
    """Every field's problem at once (the first one of each field), in the form's order.

    parse_profile stops at the first problem; each field found wrong is set aside (given a
    value that passes) and the form read again, until it reads whole.
    """
    fields, rows = dict(fields), list(rows)
    filled = [i for i, row in enumerate(rows, 1) if row.filled()]
    found: dict[str, FormError] = {}
    for _ in range(len(fields) + len(rows) + 2):
        try:
            validate(fields, rows, old, source, today=today)
            break
        except ProfileError as exc:
            field = field_for(exc)
            if field in found:  # could not be set aside: say what there is
                break
            if field.startswith("account-"):
                _, number, part = field.split("-", 2)
                row = filled[int(number) - 1] if 0 < int(number) <= len(filled) else 1
                shown = f"account-{row}-{part}"
                message = f"Account {row}, {ACCOUNT_PARTS[part]}: {fix_text(exc)}"
            else:
                name = FIELD_NAMES.get(field, field)
                if field == "home_position":  # which of the two numbers
                    name += f" ({exc.key.rsplit('.', 1)[-1]})"
                shown, message = field, f"{name}: {fix_text(exc)}"
            found[field] = FormError(shown, " ".join(message.split()))
            _harmless(field, fields, rows)
    order = [*FIELD_NAMES]
    return sorted(
        found.values(),
        key=lambda e: (
            (len(order), int(e.field.split("-")[1]))
            if e.field.startswith("account-")
            else (order.index(e.field), 0)
        ),
    )


_SAME = {"phones": normalise_phone, "emails": normalise_email, "home_postcode": normalise_postcode}


def _items(field: str, text: str) -> list[str]:
    """The field's values as the profile keeps them, so that "07700 900456" and
    "+447700900456" are the same number, not a change."""
    same = _SAME.get(field)
    parts = [text.strip()] if field == "home_postcode" else split_list(text)
    if field == "home_position":
        parts = ["".join(text.split())]
    return [(same(part) if same else None) or part.lower() for part in parts if part]


def private_changes(
    before: dict[str, str],
    after: dict[str, str],
    handles_before: Sequence[str] = (),
    handles_after: Sequence[str] = (),
) -> list[str]:
    """Saved private details (hidden on screen) that the form would replace or remove, in
    words that show no value: "Personal phone numbers: 1 added, 1 removed". Details typed
    into empty fields are not listed: nothing saved is lost."""
    changes: list[str] = []
    for field in SENSITIVE_FIELDS:
        old, new = _items(field, before.get(field, "")), _items(field, after.get(field, ""))
        if not old or old == new:
            continue
        name = FIELD_NAMES[field]
        if not new:
            changes.append(f"{name}: the saved one is cleared")
        elif field in ("phones", "emails", "home_lines"):
            added = len([v for v in new if v not in old])
            removed = len([v for v in old if v not in new])
            parts = [f"{added} added" if added else "", f"{removed} removed" if removed else ""]
            changes.append(f"{name}: " + (", ".join(p for p in parts if p) or "reordered"))
        else:
            changes.append(f"{name}: the saved one is replaced")
    for number, (old_handle, new_handle) in enumerate(
        zip(handles_before, handles_after, strict=False), 1
    ):
        old_handle, new_handle = old_handle.strip(), new_handle.strip()
        if old_handle and old_handle.lower() != new_handle.lower():
            what = "cleared" if not new_handle else "replaced"
            changes.append(f"Account {number}, account name: the saved one is {what}")
    return changes
