"""What a check that sends something about the person would send, and to whom.

A check that declares ``sends_personal_data`` runs only with the person's consent (the
engine's gate). Before asking, the app and the CLI say exactly what would leave this
computer and which service receives it; after a "no", the engine's finding says what the
person chose not to send. One description serves all three, so they never disagree.

The built-ins are described exactly: ``exposure.search`` sends the searches
``auditor.search.search_queries`` builds (the name and aliases, with the party and area),
``exposure.companies_house`` sends the name. A plugin's check is described by the services
it names. The home address, postcode, phones and emails are never sent by either.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from auditor.check import CheckMeta
    from auditor.profile import Profile
    from auditor.registry import Catalogue
    from auditor.services import AuditOptions

NEVER_SENT = (
    "Your home address, postcode, phone numbers and email addresses are never sent: what is "
    "found is matched on this computer."
)
SEARCH_CHECK = "exposure.search"
COMPANIES_HOUSE_CHECK = "exposure.companies_house"


@dataclass(frozen=True)
class OutsideLookup:
    """One check's calls that carry something about the person."""

    check_id: str
    check_title: str
    receiver: str  # for people: "SearXNG (https://search.example/)"
    what: str  # in words: "your name and aliases, with your party and area"
    sends: tuple[str, ...] = ()  # exactly what goes out (the searches), when known
    # False when, even with consent, it would send nothing (no provider chosen, no key).
    ready: bool = True

    def sentence(self) -> str:
        """One line: what goes to whom, with the exact words when known."""
        exact = f": {'; '.join(self.sends)}" if self.sends else ""
        return f"{self.check_title}: this check would send {self.what} to {self.receiver}{exact}."


def describe(meta: CheckMeta, profile: Profile, options: AuditOptions) -> OutsideLookup:
    """What ``meta``'s check would send for ``profile`` with ``options`` (and consent)."""
    if meta.id == SEARCH_CHECK:
        return _search(meta, profile, options)
    if meta.id == COMPANIES_HOUSE_CHECK:
        base = options.endpoints.get("companies_house", "")
        ready = bool(options.companies_house_key and profile.name and profile.home_addresses)
        return OutsideLookup(
            meta.id,
            meta.title,
            _named("Companies House", base),
            "your name (an officer search)",
            (profile.name,) if profile.name else (),
            ready,
        )
    services = [s for s in meta.services] or ["an outside service"]
    receiver = ", ".join(
        _named(s.replace("_", " ").title(), options.endpoints.get(s, "")) for s in services
    )
    return OutsideLookup(meta.id, meta.title, receiver, "your details (such as your name)")


def _search(meta: CheckMeta, profile: Profile, options: AuditOptions) -> OutsideLookup:
    from auditor.search import load_provider, search_queries

    plan = search_queries(profile)
    what = _search_words(profile)
    if not options.search_provider:
        return OutsideLookup(meta.id, meta.title, "a search provider (none chosen)", what,
                             plan.sent, ready=False)  # fmt: skip
    try:
        provider = load_provider(options.search_provider)
    except ValueError:
        return OutsideLookup(meta.id, meta.title, repr(options.search_provider), what,
                             plan.sent, ready=False)  # fmt: skip
    base = options.endpoints.get(provider.endpoint, "")
    ready = bool(base and plan.sent and (options.search_key or not provider.needs_key))
    return OutsideLookup(meta.id, meta.title, _named(provider.title, base), what, plan.sent, ready)


def _search_words(profile: Profile) -> str:
    names = "your name and aliases" if profile.aliases else "your name"
    extras = [w for w, v in (("party", profile.party), ("area", profile.area)) if v.strip()]
    if extras:
        names += ", with your " + " and ".join(extras)
    return names + ", as web searches"


def _named(title: str, base: str) -> str:
    return f"{title} ({base})" if base else title


def planned_lookups(
    profile: Profile, options: AuditOptions, metas: Iterable[CheckMeta]
) -> list[OutsideLookup]:
    """The lookups an audit of these checks would make if the person says yes: only those
    that would really send something (a search with no provider chosen sends nothing)."""
    found = [describe(m, profile, options) for m in metas if m.sends_personal_data]
    return [lookup for lookup in found if lookup.ready]


def lookups_for_audit(
    profile: Profile,
    options: AuditOptions,
    *,
    selected: Sequence[str] = (),
    ignored: Sequence[str] = (),
    catalogue: Catalogue | None = None,
) -> list[OutsideLookup]:
    """``planned_lookups`` over the checks ``run_audit`` would run with the same choice."""
    from auditor.registry import discover, select

    entries = select(catalogue or discover(), list(selected), list(ignored))
    return planned_lookups(profile, options, (e.meta for e in entries))


def question_lines(lookups: Iterable[OutsideLookup]) -> list[str]:
    """Who receives what, exactly, line by line: the app's question and ``scan --dry-run``
    say it in these words (followed by NEVER_SENT)."""
    parts = []
    for lookup in lookups:
        parts.append(f"{lookup.check_title}: this check would send {lookup.what} to "
                     f"{lookup.receiver}:")  # fmt: skip
        parts += [f"  {sent}" for sent in lookup.sends]
    return parts


def declined_message(lookup: OutsideLookup) -> str:
    """The finding of a check the person chose not to allow (the app's question)."""
    return (
        f"Not checked: you chose not to send {lookup.what} to {lookup.receiver}. Nothing was "
        "sent. Run the audit again and answer Yes to check this."
    )


def not_allowed_message(lookup: OutsideLookup) -> str:
    """The finding of a check not allowed (the CLI without --allow-personal-lookups)."""
    return (
        f"Not checked: it would send {lookup.what} to {lookup.receiver}, so it runs only if "
        "you allow it (--allow-personal-lookups; the app asks before the audit). Nothing was "
        "sent."
    )
