"""Who is audited: the profile, its TOML form, and its validation.

The profile holds the most sensitive data in the tool (home address, personal phones and
emails). It is matched locally and never sent anywhere; files are written with mode 0600.
"""

from __future__ import annotations

from dataclasses import dataclass, field

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
        return self.name or (self.domains[0] if self.domains else "unnamed audit")

    def sensitive_values(self) -> tuple[str, ...]:
        """The person's own identifiers, which reports mask unless asked to reveal them."""
        values: list[str] = []
        for address in self.home_addresses:
            values.extend(address.lines[:2])
            if address.postcode:
                values.append(address.postcode)
        values.extend(self.phones)
        values.extend(self.emails)
        return tuple(v for v in values if v)
