"""Our service table against the 2FA Directory, service by service.

The table is ours, but the 2FA Directory (https://2fa.directory, MIT licence) is the public
reference: every difference is either reconciled or explained in the table
(``directory_differs``, citing the service's own help page). The test suite diffs the table
against a pinned snapshot of the directory's entries; ``auditor directory update`` reports the
differences it finds in the copy it downloads.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from auditor.standards.accounts.services_table import METHOD_NAMES, METHOD_RANK, Service

# The directory's "tfa" has no passkey value (passkeys are listed apart from it), so a passkey
# in our table is never a difference.
_NOT_IN_DIRECTORY = frozenset({"passkey"})


@dataclass(frozen=True)
class DirectoryDifference:
    """One of our services whose second factors are not the ones the 2FA Directory lists."""

    service: Service  # ours
    entry: Service  # the directory's
    only_ours: tuple[str, ...]
    only_directory: tuple[str, ...]

    @property
    def explained(self) -> bool:
        """Our table says why (``directory_differs``), citing the service's help page."""
        return bool(self.service.directory_differs)

    def describe(self) -> str:
        parts = []
        if self.only_directory:
            parts.append("the directory also lists " + _method_list(self.only_directory))
        if self.only_ours:
            parts.append("only we list " + _method_list(self.only_ours))
        if not self.entry.methods:
            parts.append("the directory lists no two-step sign-in")
        return f"{self.service.name}: " + "; ".join(parts)


@dataclass(frozen=True)
class DirectoryComparison:
    agree: tuple[Service, ...]
    differ: tuple[DirectoryDifference, ...]
    not_listed: tuple[Service, ...]  # ours with no entry in the directory


def directory_entry_for(service: Service, directory: Iterable[Service]) -> Service | None:
    """The directory entry for one of our services: the one named by ``directory``, else
    the first whose domain or additional domains include one of ours."""
    entries = list(directory)
    if service.directory:
        return next((e for e in entries if service.directory in e.domains), None)
    ours = set(service.domains)
    return next((e for e in entries if ours & set(e.domains)), None)


def compare_with_directory(
    ours: Iterable[Service], directory: Iterable[Service]
) -> DirectoryComparison:
    """Our table against the 2FA Directory, service by service (passkeys left out)."""
    entries = list(directory)
    agree: list[Service] = []
    differ: list[DirectoryDifference] = []
    not_listed: list[Service] = []
    for service in ours:
        entry = directory_entry_for(service, entries)
        if entry is None:
            not_listed.append(service)
            continue
        mine = set(service.methods) - _NOT_IN_DIRECTORY
        theirs = set(entry.methods)
        if mine == theirs:
            agree.append(service)
            continue
        differ.append(
            DirectoryDifference(
                service=service,
                entry=entry,
                only_ours=_strongest_first(mine - theirs),
                only_directory=_strongest_first(theirs - mine),
            )
        )
    return DirectoryComparison(tuple(agree), tuple(differ), tuple(not_listed))


def _strongest_first(methods: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted(methods, key=lambda m: (-METHOD_RANK[m], m)))


def _method_list(methods: Iterable[str]) -> str:
    return ", ".join(METHOD_NAMES[m] for m in methods)
