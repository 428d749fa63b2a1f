"""The audit's vocabulary, in one place: statuses, severities, confidence, categories, targets.

This is the bottom floor beside ``auditor.net``: every other layer (library, core, checks,
writers, TUI) reads these names from here and keeps no copy of its own.
"""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    PASS = "pass"
    WARN = "warn"
    FAIL = "fail"
    ERROR = "error"  # could not check: SERVFAIL, refused, rate-limited, bad answer
    TIMEOUT = "timeout"  # could not check: no answer in time
    SKIPPED = "skipped"  # could not check: a prerequisite was missing or failed
    MANUAL = "manual"  # only the person can answer; the tool asks and records
    # Nothing to check, and rightly so: a domain that receives no mail (null MX) has no
    # STARTTLS to test. Neither a pass nor "could not check": counted apart.
    NOT_APPLICABLE = "not-applicable"

    @property
    def could_not_check(self) -> bool:
        """True for the statuses that must never be read as pass or as "missing"."""
        return self in (Status.ERROR, Status.TIMEOUT, Status.SKIPPED)

    @property
    def is_problem(self) -> bool:
        return self in (Status.WARN, Status.FAIL)

    @property
    def display_rank(self) -> int:
        """Where findings with this status come in every list a person reads."""
        return STATUS_DISPLAY_ORDER.index(self)


# Problems first, then what could not be checked (it must not hide among passes), then what
# only the person can answer, then passes. Every list, report and screen sorts by this.
STATUS_DISPLAY_ORDER = (
    Status.FAIL,
    Status.WARN,
    Status.ERROR,
    Status.TIMEOUT,
    Status.MANUAL,
    Status.SKIPPED,
    Status.PASS,
    Status.NOT_APPLICABLE,
)


class Severity(StrEnum):
    INFO = "info"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls(text.strip().lower())
        except ValueError:
            choices = ", ".join(s.value for s in cls)
            raise ValueError(f"unknown severity {text!r} (choose one of: {choices})") from None


_SEVERITY_RANK = {
    Severity.INFO: 0,
    Severity.LOW: 1,
    Severity.MEDIUM: 2,
    Severity.HIGH: 3,
    Severity.CRITICAL: 4,
}


class Confidence(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class Category(StrEnum):
    EMAIL = "email"
    WEB = "web"
    DOMAIN = "domain"
    EXPOSURE = "exposure"
    ACCOUNTS = "accounts"

    @property
    def label(self) -> str:
        """The area's short name in reports ("Personal details")."""
        return _CATEGORY_LABEL[self]

    @property
    def plain_label(self) -> str:
        """The area's name spoken to the candidate in the app ("Your personal details")."""
        return _CATEGORY_PLAIN[self]

    @classmethod
    def of(cls, check_id: str) -> Category | None:
        """The category a dotted check id starts with, or None for a plugin's own."""
        try:
            return cls(check_id.split(".", 1)[0])
        except ValueError:
            return None


# The order areas are shown in: the person first, then what protects the campaign.
CATEGORY_ORDER = (
    Category.EXPOSURE,
    Category.ACCOUNTS,
    Category.EMAIL,
    Category.WEB,
    Category.DOMAIN,
)
_CATEGORY_LABEL = {
    Category.EXPOSURE: "Personal details",
    Category.ACCOUNTS: "Accounts",
    Category.EMAIL: "Email",
    Category.WEB: "Website",
    Category.DOMAIN: "Domain",
}
_CATEGORY_PLAIN = {
    Category.EXPOSURE: "Your personal details",
    Category.ACCOUNTS: "Your accounts",
    Category.EMAIL: "Campaign email",
    Category.WEB: "Campaign website",
    Category.DOMAIN: "Campaign domain",
}


def category_rank(category: str) -> int:
    """Sort key for an area name; a plugin's own category comes after the built-in ones."""
    try:
        return CATEGORY_ORDER.index(Category(category))
    except ValueError:
        return len(CATEGORY_ORDER)


def category_label(category: str, *, plain: bool = False) -> str:
    """A category's name for people; a plugin's own category is shown capitalised."""
    try:
        known = Category(category)
    except ValueError:
        return category.capitalize() or "Other"
    return known.plain_label if plain else known.label


class TargetKind(StrEnum):
    DOMAIN = "domain"  # once per campaign domain
    WEBSITE = "website"  # once per campaign website URL
    PERSON = "person"  # once per audit (the profile as a whole)


class ExposureKind(StrEnum):
    """What of the person's a finding shows (``Finding.kind`` of an exposure finding; the
    matchers' ``Match.kind``). The same words in every check, the checklist and the app."""

    HOME_ADDRESS = "home-address"
    GPS_LOCATION = "gps-location"  # a photo's GPS position near the home
    MAP_LOCATION = "map-location"  # a map embed or a map's coordinates near the home
    STREET = "street"  # the home street's name without the house number
    POSTCODE = "postcode"
    REGISTRANT = "registrant"  # the home address as a domain's registrant (RDAP)
    IMPRINT = "imprint"  # the home address in an election imprint
    PHONE = "phone"
    EMAIL = "email"

    @property
    def what(self) -> str:
        """The thing itself in plain words, to follow "Your": "home address"."""
        return _EXPOSURE_WHAT[self]

    @property
    def rank(self) -> int:
        """How exposing it is, 0 the most: the home address and its parts first."""
        return _EXPOSURE_RANK[self]

    @classmethod
    def of(cls, kind: str) -> ExposureKind | None:
        """The kind a finding or a match names, or None for any other (a plugin's own)."""
        try:
            return cls(kind)
        except ValueError:
            return None

    @classmethod
    def what_of(cls, kind: str) -> str:
        """``what`` for a kind written as a string, "personal details" for any other."""
        known = cls.of(kind)
        return known.what if known else "personal details"


_EXPOSURE_WHAT = {
    ExposureKind.HOME_ADDRESS: "home address",
    ExposureKind.GPS_LOCATION: "home's position (in a photo's GPS data)",
    ExposureKind.MAP_LOCATION: "home's position on a map",
    ExposureKind.STREET: "home street's name",
    ExposureKind.POSTCODE: "home postcode",
    ExposureKind.REGISTRANT: "home address (as the domain's registrant)",
    ExposureKind.IMPRINT: "home address (in an election imprint)",
    ExposureKind.PHONE: "personal phone number",
    ExposureKind.EMAIL: "personal email address",
}
_EXPOSURE_RANK = {
    ExposureKind.HOME_ADDRESS: 0,
    ExposureKind.GPS_LOCATION: 1,
    ExposureKind.STREET: 2,
    ExposureKind.POSTCODE: 2,
    ExposureKind.REGISTRANT: 3,
    ExposureKind.IMPRINT: 3,
    # A map's point is often only near the home (a street, a ward): ranked with other exposure.
    ExposureKind.MAP_LOCATION: 5,
    ExposureKind.PHONE: 4,
    ExposureKind.EMAIL: 4,
}
