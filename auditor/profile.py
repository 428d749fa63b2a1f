"""Who is audited: the profile, its TOML form, and its validation.

The profile holds the most sensitive data in the tool (home address, personal phones and
emails). It is matched locally and never sent anywhere; files are written with mode 0600.
"""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any, NoReturn
from urllib.parse import urlsplit

from auditor.files import UnreadableFile, read_limited_bytes
from auditor.net.domains import unicode_name
from auditor.standards.identity.identifiers import (
    TWOFA_SYNONYMS,
    domain_from_text,
    normalise_email,
    normalise_phone,
    normalise_postcode,
    normalise_url,
    squash,
    twofa_method,
)

TWOFA_METHODS = (
    "passkey",
    "security-key",
    "totp",  # authenticator app
    "push",  # vendor app prompt (Google prompt, Microsoft Authenticator push)
    "hardware-token",
    "sms",
    "voice",
    "email",
    "none",
    "unknown",
)


MAX_PROFILE_BYTES = 1 << 20  # a filled-in profile is a few KB
MAX_FIELD_CHARS = 2048  # URLs and most other fields
MAX_LIST_ITEMS = 100
# Text the matchers search for (names, address lines) is kept short: the cost of matching
# grows with it on every page read.
_FIELD_LIMITS = {
    "name": 200,
    "aliases": 200,
    "lines": 200,
    "label": 200,
    "postcode": 40,
    "service": 100,
    "handle": 320,
    "second_factor_holder": 200,
    "answer": 4000,
    "note": 4000,
}


class ProfileError(ValueError):
    """A profile problem, as one line naming the file, the key and the fix."""

    def __init__(self, source: str, key: str, problem: str, fix: str = "") -> None:
        self.source = source
        self.key = key
        self.problem = problem
        self.fix = fix
        where = f"{source}: {key}: " if key else f"{source}: "
        super().__init__(where + problem + (f" — {fix}" if fix else ""))


@dataclass(frozen=True)
class Address:
    lines: tuple[str, ...]  # "12 Acacia Avenue", "Flat 3", "Ashcombe"
    postcode: str = ""  # normalised "AB1 2CD" (outward, space, inward), upper case
    latitude: float | None = None
    longitude: float | None = None
    label: str = ""  # "home", "party office", "PO box" ...

    def one_line(self) -> str:
        return ", ".join([*self.lines, self.postcode] if self.postcode else self.lines)


@dataclass(frozen=True)
class Account:
    service: str  # a key of the service table in checks/data/ ("gmail", "x", "facebook"...)
    handle: str = ""
    twofa: str = "unknown"  # one of TWOFA_METHODS, as attested by the person
    second_factor_holder: str = ""  # who holds the second factor ("me", "agent", "volunteer")
    attested_on: str = ""  # ISO date of the person's answer
    primary_email: bool = False  # the inbox that resets everything else
    shared: bool = False  # used by more than one person in the campaign
    recovery_phone_public: bool | None = None
    backup_codes_offline: bool | None = None


@dataclass(frozen=True)
class ManualAnswer:
    answer: str  # "yes", "no", "not-applicable", or free text
    answered_on: str = ""  # ISO date
    note: str = ""


@dataclass(frozen=True)
class Profile:
    name: str
    aliases: tuple[str, ...] = ()
    # Public, on the ballot paper: used only to tell the person apart from namesakes in
    # web searches (exposure.search), never needed.
    party: str = ""
    area: str = ""  # the ward, division or constituency stood in
    home_addresses: tuple[Address, ...] = ()
    phones: tuple[str, ...] = ()  # E.164, "+447700900123"
    emails: tuple[str, ...] = ()  # personal, lower-case
    public_addresses: tuple[Address, ...] = ()  # fine to show: party/agent office, PO box
    domains: tuple[str, ...] = ()  # campaign domains, normalised
    websites: tuple[str, ...] = ()  # campaign sites, absolute URLs
    extra_pages: tuple[str, ...] = ()  # party profile, council page, ... (crawled, not audited)
    accounts: tuple[Account, ...] = ()
    dkim_selectors: tuple[str, ...] = ()
    answers: dict[str, ManualAnswer] = field(default_factory=dict)  # manual check id -> answer
    notes: tuple[str, ...] = ()  # what validation normalised ("https://www.x.org/ → x.org")
    source: str = "<profile>"

    @property
    def label(self) -> str:
        if self.name:
            return self.name
        return (self.domains or self.websites or ("unnamed audit",))[0]

    def sensitive_values(self) -> tuple[str, ...]:
        """The person's own identifiers, which reports mask unless asked to reveal them."""
        values: list[str] = []
        for address in self.home_addresses:
            values.extend(address.lines[:2])
            if address.postcode:
                values.append(address.postcode)
            if address.latitude is not None and address.longitude is not None:
                # The home's position, as auditor.masking reads it (GEO_PREFIX): numbers
                # near it are hidden wherever they appear.
                values.append(f"geo:{address.latitude:.6f},{address.longitude:.6f}")
        values.extend(self.phones)
        values.extend(self.emails)
        return tuple(v for v in values if v)


_ANSWER_WORDS = {"yes": "yes", "y": "yes", "true": "yes", "no": "no", "n": "no", "false": "no"}
_ANSWER_WORDS |= dict.fromkeys(("n a", "na", "not applicable", "none"), "not-applicable")

_LISTS = ("aliases", "phones", "emails", "domains", "websites", "extra_pages", "dkim_selectors")
_TOP_KEYS: tuple[str, ...] = (
    "name", "party", "area", *_LISTS, "home", "public_address", "account", "answers",
)  # fmt: skip
_ADDRESS_KEYS = ("lines", "postcode", "latitude", "longitude", "label")
_ACCOUNT_KEYS = tuple(Account.__dataclass_fields__)
_ANSWER_KEYS = tuple(ManualAnswer.__dataclass_fields__)
_SELECTOR = re.compile(r"^[a-z0-9_][a-z0-9_-]{0,62}(?:\.[a-z0-9_][a-z0-9_-]{0,62})*$")
_TOML_POSITION = re.compile(r"\s*\(at (?:line (\d+), column (\d+)|end of document)\)$")
_KINDS: dict[type, str] = {str: "text", list: "a list", dict: "a table", bool: "true/false"}
_KINDS |= {int: "a number", float: "a number", date: "a date", datetime: "a date and time"}

Table = Mapping[str, Any]


class _Reader:
    """Turns parsed TOML into a Profile, raising ProfileError at the first problem.

    `at` is the key path of the table being read ("" at the top, "home[1]." in a table);
    tables are numbered from 1, as a person counts them in the file.
    """

    def __init__(self, source: str) -> None:
        self.source = source
        self.notes: list[str] = []

    def fail(self, key: str, problem: str, fix: str = "") -> NoReturn:
        one_line = [" ".join(part.split()) for part in (key, problem, fix)]
        raise ProfileError(self.source, *one_line)

    def wrong(self, key: str, value: object, expected: str, fix: str) -> NoReturn:
        kind = _KINDS.get(type(value), type(value).__name__)
        self.fail(key, f"is {kind}, expected {expected}", fix)

    def keys(self, table: Table, allowed: tuple[str, ...], at: str) -> None:
        for key in table:
            if key not in allowed:
                close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
                fix = f'did you mean "{close[0]}"?' if close else "known: " + ", ".join(allowed)
                if at and key in _TOP_KEYS:
                    fix = "move it above the first [[...]] heading: lines below one belong to it"
                self.fail(at + key, "unknown key", fix)

    def text(self, table: Table, key: str, at: str, required: bool = False) -> str:
        value = table.get(key)
        if value is None and required:
            self.fail(at + key, "is missing", f'add it, e.g. {key} = "..."')
        if value is not None and not isinstance(value, str):
            self.wrong(at + key, value, "text", f'put it in double quotes: {key} = "..."')
        self.short_enough(at + key, key, value or "")
        return (value or "").strip()

    def short_enough(self, where: str, key: str, value: str) -> None:
        """Every matcher runs over every field: a megabyte address line costs gigabytes of
        regex work, and a value shown in a message must not flood the terminal."""
        limit = _FIELD_LIMITS.get(key, MAX_FIELD_CHARS)
        if len(value) > limit:
            self.fail(where, f"is {len(value):,} characters long", f"keep it under {limit}")

    def texts(self, table: Table, key: str, at: str) -> Iterator[tuple[str, str]]:
        """(item key, text) for a list-of-text field; a lone string is read as a list of one."""
        value = table.get(key, [])
        if isinstance(value, str):
            self.notes.append(f"{at}{key}: one value given, read as a list of one")
            value = [value]
        if not isinstance(value, list):
            self.wrong(at + key, value, "a list of text", f'{key} = ["...", "..."]')
        if len(value) > MAX_LIST_ITEMS:
            self.fail(at + key, f"has {len(value):,} items", f"keep it under {MAX_LIST_ITEMS}")
        for number, item in enumerate(value, 1):
            if not isinstance(item, str):
                self.wrong(f"{at}{key}[{number}]", item, "text", "put it in double quotes")
            self.short_enough(f"{at}{key}[{number}]", key, item)
            if item.strip():
                yield f"{at}{key}[{number}]", item.strip()

    def flag(self, table: Table, key: str, at: str) -> bool | None:
        value = table.get(key)
        if value is None or isinstance(value, bool):
            return value
        word = _ANSWER_WORDS.get(squash(value)) if isinstance(value, str) else None
        if word not in ("yes", "no"):
            self.fail(at + key, f"is {value!r:.60}, expected true or false", f"{key} = true")
        self.notes.append(f"{at}{key}: {value!r:.60} read as {str(word == 'yes').lower()}")
        return word == "yes"

    def day(self, table: Table, key: str, at: str) -> str:
        value = table.get(key)
        if isinstance(value, date):  # TOML dates arrive as date (or datetime) objects
            return (value.date() if isinstance(value, datetime) else value).isoformat()
        text = self.text(table, key, at)
        try:
            return date.fromisoformat(text).isoformat() if text else ""
        except ValueError:
            self.fail(at + key, f"{text!r:.60} is not a date", f"like {key} = 2026-05-02")

    def number(self, table: Table, key: str, at: str, limit: float) -> float | None:
        value = table.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
            self.wrong(at + key, value, "a number", f"{key} = 51.5072 (no quotes)")
        if value is not None and not -limit <= value <= limit:
            # not repeated: a mistyped home position (515.072 for 51.5072) still gives it away
            self.fail(at + key, "is out of range", f"between -{limit:g} and {limit:g}")
        return None if value is None else float(value)

    def tables(self, data: Table, key: str) -> Iterator[tuple[str, Table]]:
        value = data.get(key, [])
        if isinstance(value, dict):
            self.notes.append(f"{key}: one table given, read as [[{key}]]")
            value = [value]
        if not isinstance(value, list):
            self.wrong(key, value, f"[[{key}]] tables", f"start each one with [[{key}]]")
        if len(value) > MAX_LIST_ITEMS:
            self.fail(key, f"has {len(value):,} tables", f"keep it under {MAX_LIST_ITEMS}")
        for number, item in enumerate(value, 1):
            if not isinstance(item, dict):
                self.wrong(f"{key}[{number}]", item, "a table", f"use [[{key}]]")
            yield f"{key}[{number}].", item

    def address(self, table: Table, at: str, home: bool) -> Address:
        self.keys(table, _ADDRESS_KEYS, at)
        lines = [line for _, line in self.texts(table, "lines", at)]
        if isinstance(table.get("lines"), str):
            lines = [part.strip() for part in table["lines"].split(",") if part.strip()]
        postcode_text = self.text(table, "postcode", at)
        if not postcode_text and len(lines) > 1 and normalise_postcode(lines[-1]):
            postcode_text = lines.pop()
            # the home postcode is private: never repeated in a note or an error (a terminal
            # is read over a shoulder, and notes reach logs)
            said = "" if home else f", {postcode_text!r}"
            self.notes.append(f"{at}lines: the last line{said}, read as the postcode")
        if home and not lines:
            self.fail(at + "lines", "is missing", 'lines = ["12 Acacia Avenue", "Ashcombe"]')
        if not lines and not postcode_text:
            self.fail(at[:-1], "has no lines and no postcode", 'add lines = ["..."] or postcode')
        postcode = normalise_postcode(postcode_text) if postcode_text else ""
        if postcode is None:
            said = "" if home else f"{postcode_text!r:.60} "
            self.fail(at + "postcode", f"{said}is not a UK postcode", 'like "AB1 2CD"')
        latitude = self.number(table, "latitude", at, 90.0)
        longitude = self.number(table, "longitude", at, 180.0)
        if (latitude is None) != (longitude is None):
            self.fail(at[:-1], "has only one of latitude and longitude", "give both, or neither")
        label = self.text(table, "label", at) if "label" in table else ("home" if home else "")
        return Address(tuple(dict.fromkeys(lines)), postcode, latitude, longitude, label)

    def account(self, table: Table, at: str) -> Account:
        self.keys(table, _ACCOUNT_KEYS, at)
        service = self.text(table, "service", at, required=True).lower()
        if not service:
            self.fail(at + "service", "is empty", 'name the service, e.g. service = "gmail"')
        said = self.text(table, "twofa", at)
        twofa = twofa_method(said)
        if twofa is None:
            close = difflib.get_close_matches(squash(said), TWOFA_SYNONYMS, n=1)
            hint = f'did you mean "{TWOFA_SYNONYMS[close[0]]}"? ' if close else ""
            methods = ", ".join(TWOFA_METHODS)
            self.fail(at + "twofa", f"{said!r:.60} is not a 2FA method", f"{hint}one of: {methods}")
        return Account(
            service=service,
            handle=self.text(table, "handle", at),
            twofa=twofa,
            second_factor_holder=self.text(table, "second_factor_holder", at),
            attested_on=self.day(table, "attested_on", at),
            primary_email=bool(self.flag(table, "primary_email", at)),
            shared=bool(self.flag(table, "shared", at)),
            recovery_phone_public=self.flag(table, "recovery_phone_public", at),
            backup_codes_offline=self.flag(table, "backup_codes_offline", at),
        )

    def answers(self, data: Table) -> dict[str, ManualAnswer]:
        table = data.get("answers", {})
        if not isinstance(table, dict):
            self.wrong("answers", table, "tables", "use [answers.<question>] headings")
        answers: dict[str, ManualAnswer] = {}
        for question, value in _flatten_answers(table, ""):
            at = f"answers.{question}."
            if isinstance(value, str | bool):
                value = {"answer": value}
            if not isinstance(value, dict):
                self.wrong(at[:-1], value, "a table", 'answer = "yes"')
            self.keys(value, _ANSWER_KEYS, at)
            answer = value.get("answer")
            answer = ("yes" if answer else "no") if isinstance(answer, bool) else answer
            text = self.text({"answer": answer}, "answer", at, required=True)
            answers[question] = ManualAnswer(
                answer=_ANSWER_WORDS.get(squash(text), text),
                answered_on=self.day(value, "answered_on", at),
                note=self.text(value, "note", at),
            )
        return answers

    def identifier(self, key: str, text: str, kind: str) -> str:
        """One phone, email, domain, website or DKIM selector, normalised."""
        found: str | None
        if kind in ("domains", "websites", "extra_pages"):
            try:
                found, cut = domain_from_text(text) if kind == "domains" else normalise_url(text)
            except ValueError as exc:  # DomainError is a ValueError
                self.fail(key, str(exc), _EXAMPLES[kind])
            if cut or ("xn--" in found and "xn--" not in text.lower()):  # say what was rewritten
                self.notes.append(f"{key or self.source}: {text!r} read as {found!r}{_idn(found)}")
            return found
        if kind == "phones":
            found = normalise_phone(text)
        elif kind == "emails":
            found = normalise_email(text)
        else:
            found = text.lower().split("._domainkey", 1)[0]
            found = found if _SELECTOR.match(found) else None
        if found is None:
            # personal phones and emails are private: name the entry, never repeat the value
            said = "" if kind in ("phones", "emails") else f"{text!r:.60} "
            self.fail(key, f"{said}is not {_WHAT[kind]}", _EXAMPLES[kind])
        return found

    def profile(self, data: Table) -> Profile:
        self.keys(data, _TOP_KEYS, "")
        name = self.text(data, "name", "", required=True)
        if not name:
            self.fail("name", "is empty", 'write the candidate\'s name: name = "Alex Example"')
        lists = {
            kind: tuple(
                dict.fromkeys(self.identifier(k, t, kind) for k, t in self.texts(data, kind, ""))
            )
            for kind in _LISTS[1:]
        }
        return Profile(
            name=name,
            aliases=tuple(dict.fromkeys(text for _, text in self.texts(data, "aliases", ""))),
            party=self.text(data, "party", ""),
            area=self.text(data, "area", ""),
            home_addresses=tuple(self.address(t, at, True) for at, t in self.tables(data, "home")),
            public_addresses=tuple(
                self.address(t, at, False) for at, t in self.tables(data, "public_address")
            ),
            accounts=tuple(self.account(t, at) for at, t in self.tables(data, "account")),
            answers=self.answers(data),
            notes=tuple(self.notes),
            source=self.source,
            **lists,
        )


_WHAT = {"phones": "a phone number", "emails": "an email address", "dkim_selectors": "a selector"}
_EXAMPLES = {
    "phones": 'write it as you would dial it, like "07700 900123" or "+44 7700 900123"',
    "emails": 'like "name@example.org"',
    "domains": 'write just the domain name, like "example.org.uk"',
    "websites": 'write the whole address, like "https://www.example.org.uk/"',
    "dkim_selectors": 'like "google" or "selector1"',
}
_EXAMPLES["extra_pages"] = _EXAMPLES["websites"]


def _idn(ascii_form: str) -> str:
    """Say what an international name became: the audit asks DNS for the punycode form."""
    if "xn--" not in ascii_form:
        return ""
    return f" (the IDNA 2008 form of {unicode_name(urlsplit(ascii_form).hostname or ascii_form)!r})"


def _flatten_answers(table: Mapping[str, Any], prefix: str) -> Iterator[tuple[str, Any]]:
    """[answers.exposure.guided] (unquoted dots) nests tables; join the keys back into an id."""
    for key, value in table.items():
        question = f"{prefix}.{key}" if prefix else key
        nested = isinstance(value, dict) and value and not value.keys() & set(_ANSWER_KEYS)
        if nested and all(isinstance(v, dict) for v in value.values()):
            yield from _flatten_answers(value, question)
        else:
            yield question, value


def parse_profile(text: str, source: str = "<profile>") -> Profile:
    """Validate and normalise a profile's TOML text; raises ProfileError (one line)."""
    if len(text) > MAX_PROFILE_BYTES:
        raise ProfileError(source, "", f"is {len(text):,} characters long", "a profile is a few KB")
    try:
        data = tomllib.loads(text.removeprefix("\ufeff"))
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        found = _TOML_POSITION.search(message)
        line, column = found.groups() if found else (None, None)
        where = f"line {line}, column {column}" if line else f"line {text.count(chr(10)) + 1}"
        problem = _TOML_POSITION.sub("", message) + " (this is not valid TOML)"
        fix = "check the quotes, brackets and = on that line; text goes in double quotes"
        if "overwrite" in message or "declare" in message:
            fix = "a key or heading is written twice: keep one (several homes: [[home]] each)"
            where = ""
        raise ProfileError(source, where, problem, fix) from None
    except (ValueError, RecursionError) as exc:
        message = " ".join(str(exc).split())[:100]
        raise ProfileError(source, "", f"cannot be read ({message})", "check the file") from None
    return _Reader(source).profile(data)


def load_profile(path: str | os.PathLike[str]) -> Profile:
    """Read and validate a profile file; notes if other users of the computer can read it."""
    source = str(path)
    try:
        raw = read_limited_bytes(path, limit=MAX_PROFILE_BYTES)
    except FileNotFoundError:
        raise ProfileError(
            source, "", "no such file", f"create one: auditor init {source}"
        ) from None
    except OSError as exc:
        raise ProfileError(source, "", f"cannot be read ({exc.strerror})", "check it") from None
    except UnreadableFile as exc:
        raise ProfileError(source, "", f"cannot be read: {exc}", "give the profile file") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = "line " + str(raw[: exc.start].count(b"\n") + 1)
        raise ProfileError(source, line, "is not UTF-8 text", "save it as UTF-8") from None
    profile = parse_profile(text, source)
    if os.name == "posix" and os.stat(path).st_mode & 0o077:
        warning = f"{source}: other users of this computer can read it; run: chmod 600 {source}"
        profile = replace(profile, notes=(*profile.notes, warning))
    return profile


def profile_for_domain(domain: str) -> Profile:
    """The profile for `auditor scan --domain D`: just that campaign domain."""
    reader = _Reader("--domain")
    name = reader.identifier("", domain, "domains")
    return Profile(name="", domains=(name,), notes=tuple(reader.notes), source="--domain")


def profile_for_url(url: str) -> Profile:
    """The profile for `auditor scan --url U`: just that website."""
    reader = _Reader("--url")
    address = reader.identifier("", url, "websites")
    return Profile(name="", websites=(address,), notes=tuple(reader.notes), source="--url")


def save_profile(profile: Profile, path: str | os.PathLike[str]) -> None:
    """Write the profile as TOML, mode 0600, atomically; see auditor.profile_template."""
    from auditor.profile_template import save_profile as save  # it imports this module

    save(profile, path)
