"""Grading an account's attested second factor: pure rules, no I/O.

Strength: passkey or security key > authenticator app or the vendor's app prompt >
hardware code device > text or call > email code > none. ``assess_account`` turns one
profile account into a list of ``Assessment`` (status, severity, message, actions) that the
accounts.twofactor check wraps into findings.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from auditor.standards.accounts.services_table import (
    METHOD_NAMES,
    METHOD_RANK,
    Service,
    ServiceTable,
)
from auditor.vocabulary import Severity, Status


class Account(Protocol):
    """What the rules read of one account of the profile (auditor.profile.Account): the
    library stands below the core, so it names the shape, not the class."""

    @property
    def service(self) -> str: ...
    @property
    def handle(self) -> str: ...
    @property
    def twofa(self) -> str: ...
    @property
    def second_factor_holder(self) -> str: ...
    @property
    def primary_email(self) -> bool: ...
    @property
    def shared(self) -> bool: ...
    @property
    def recovery_phone_public(self) -> bool | None: ...
    @property
    def backup_codes_offline(self) -> bool | None: ...


NCSC_2SV = "https://www.ncsc.gov.uk/guidance/setting-two-step-verification-2sv"
# Categories where a takeover costs money, the domain, or every other password.
_HIGH_STAKES = {"registrar", "password-manager", "donations", "bank", "crm", "email"}
# Words in second_factor_holder that mean the factor is not one person's own phone.
_SHARED_HOLDERS = ("campaign", "shared", "team", "office", "party")


@dataclass(frozen=True)
class Assessment:
    status: Status
    severity: Severity
    message: str
    subject: str  # what within the account: "2fa", "shared-factor", "recovery-phone", ...
    actions: tuple[str, ...] = ()


def service_action(service: Service | None) -> str:
    """The per-service action id (defined in checks/data/actions/accounts.toml)."""
    if service is None or service.source != "table":
        return "accounts.2fa-turn-on"
    return f"accounts.2fa-{service.key}"


def display_name(account: Account, service: Service | None) -> str:
    name = service.name if service else account.service
    return f"{name} account {account.handle}".strip() if account.handle else f"{name} account"


def primary_email_index(accounts: tuple[Account, ...], table: ServiceTable) -> int | None:
    """The account marked primary_email, else the first email-category account."""
    for index, account in enumerate(accounts):
        if account.primary_email:
            return index
    for index, account in enumerate(accounts):
        service = table.get(account.service)
        if service is not None and service.category == "email":
            return index
    return None


def no_2fa_severity(service: Service | None, primary: bool) -> Severity:
    if primary:
        return Severity.CRITICAL
    if service is not None and (service.major or service.category in _HIGH_STAKES):
        return Severity.HIGH
    return Severity.MEDIUM


def assess_account(account: Account, service: Service | None, *, primary: bool) -> list[Assessment]:
    out = [_assess_method(account, service, primary)]
    out.extend(_assess_sharing(account, service))
    out.extend(_assess_recovery(account, service))
    return out


def _assess_method(account: Account, service: Service | None, primary: bool) -> Assessment:
    name = display_name(account, service)
    method = account.twofa
    own = service_action(service)
    role = " (your main email, which can reset your other accounts)" if primary else ""
    if service is not None and not service.offers_2fa and method in ("unknown", "none"):
        # Nothing to turn on: the advice says so and protects what there is, instead of
        # failing the person or asking which second step they use.
        advice = service.notes or (
            "Use a unique password and protect the email address it sends resets to."
        )
        return Assessment(
            Status.WARN,
            Severity.LOW,
            f"{service.name} offers no two-step sign-in as far as we know. {advice}",
            "2fa",
            ("accounts.no-2fa-service", own),
        )
    if method == "unknown":
        return Assessment(
            Status.MANUAL,
            no_2fa_severity(service, primary),
            f"Tell us how your {name}{role} is protected: which second step does it ask for?",
            "2fa",
            ("accounts.2fa-record", own),
        )
    if method == "none":
        actions = ("accounts.2fa-primary-email", own) if primary else (own,)
        return Assessment(
            Status.FAIL,
            no_2fa_severity(service, primary),
            f"Your {name}{role} has no two-step sign-in: a stolen password is enough to take "
            f"it over.",
            "2fa",
            actions,
        )
    rank = METHOD_RANK.get(method, 0)
    better = service.stronger_than(method) if service else ()
    offer = f"; {service.name} also offers {METHOD_NAMES[better[0]]}" if better and service else ""
    if method in ("sms", "voice"):
        return Assessment(
            Status.WARN,
            Severity.HIGH if primary else Severity.MEDIUM,
            f"Your {name} uses {METHOD_NAMES[method]}, which a SIM-swap fraud can intercept"
            f"{offer or '; an authenticator app or security key is safer'}.",
            "2fa",
            ("accounts.2fa-replace-sms", own),
        )
    if method == "email":
        return Assessment(
            Status.WARN,
            Severity.HIGH if primary else Severity.MEDIUM,
            f"Your {name} sends sign-in codes by email, so anyone in that inbox gets in too"
            f"{offer or '; an authenticator app or security key is safer'}.",
            "2fa",
            (own,),
        )
    if rank >= METHOD_RANK["passkey"]:
        message = f"Your {name} uses {METHOD_NAMES[method]}, the strongest protection there is."
    else:
        message = f"Your {name} uses {METHOD_NAMES[method]}, a good second step{offer}."
    return Assessment(Status.PASS, Severity.INFO, message, "2fa")


def _assess_sharing(account: Account, service: Service | None) -> list[Assessment]:
    if not account.shared:
        return []
    name = display_name(account, service)
    holder = account.second_factor_holder.strip()
    if not holder:
        return [
            Assessment(
                Status.MANUAL,
                Severity.MEDIUM,
                f"Your {name} is shared: tell us who holds its second factor.",
                "shared-factor",
                ("accounts.shared-second-factor",),
            )
        ]
    personal = not any(word in holder.lower() for word in _SHARED_HOLDERS)
    if account.twofa in ("sms", "voice") and personal:
        return [
            Assessment(
                Status.WARN,
                Severity.MEDIUM,
                f"Your shared {name} sends its codes to one person's phone ({holder}); if they "
                f"are away or leave, the campaign is locked out, and their SIM is the weak point.",
                "shared-factor",
                ("accounts.shared-second-factor",),
            )
        ]
    return [
        Assessment(
            Status.PASS,
            Severity.INFO,
            f"Your shared {name} has its second factor held by {holder}.",
            "shared-factor",
        )
    ]


def _assess_recovery(account: Account, service: Service | None) -> list[Assessment]:
    name = display_name(account, service)
    out: list[Assessment] = []
    if account.recovery_phone_public is True:
        out.append(
            Assessment(
                Status.WARN,
                Severity.MEDIUM,
                f"The recovery phone of your {name} is a number you publish; use a private "
                f"number so strangers cannot aim account-recovery tricks at it.",
                "recovery-phone",
                ("accounts.recovery-phone-private",),
            )
        )
    if account.backup_codes_offline is False:
        out.append(
            Assessment(
                Status.WARN,
                Severity.LOW,
                f"Keep the backup codes of your {name} offline (printed, in a safe place) so "
                f"losing your phone does not lock you out.",
                "backup-codes",
                ("accounts.backup-codes-offline",),
            )
        )
    return out
