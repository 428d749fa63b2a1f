"""Bulk audits for campaign IT volunteers: hundreds or thousands of domains in one run.

Input is read lazily (a domain per line, or a CSV with a ``domain`` column); bad lines are
reported with their line number and skipped, never fatal. Domains are audited concurrently
with a bounded number in flight, all sharing one Services — so one DNS cache, and a lookup
such as ``_spf.google.com`` that hundreds of domains include is resolved once per run.
Results are handed to ``on_result`` as each domain finishes and then dropped: memory stays
flat however long the list.
"""

from __future__ import annotations

import asyncio
import csv
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from auditor.engine import Engine
from auditor.model import Report
from auditor.net.domains import DomainError
from auditor.profile import Profile
from auditor.services import Services
from auditor.standards.identity.identifiers import domain_from_text

DEFAULT_BULK_CHECKS = ("email.spf", "email.dmarc", "email.dkim", "email.mx")
MAX_LINE_CHARS = 2048


@dataclass(frozen=True)
class BulkItem:
    line: int  # 1-based line number in the input
    domain: str = ""
    error: str = ""  # why this line was skipped, when it was


def read_domains(lines: Iterable[str]) -> Iterator[BulkItem]:
    """Domains from plain lines or from a CSV whose header has a ``domain`` column.

    Blank lines and ``#`` comments are ignored; URLs and upper case are normalised;
    duplicates are dropped silently (the first one counts).
    """
    seen: set[str] = set()
    column: int | None = None
    header_checked = False
    for number, raw in enumerate(lines, start=1):
        text = raw.strip().lstrip("\ufeff")
        if not text or text.startswith("#"):
            continue
        if len(text) > MAX_LINE_CHARS:
            yield BulkItem(number, error="line too long")
            continue
        if not header_checked:
            header_checked = True
            cells = [c.strip().lower() for c in next(csv.reader([text]))]
            if "domain" in cells:
                column = cells.index("domain")
                continue
        value = text
        if column is not None:
            try:
                cells = next(csv.reader([text]))
            except csv.Error as exc:
                yield BulkItem(number, error=f"not valid CSV: {exc}")
                continue
            if column >= len(cells):
                yield BulkItem(number, error="no value in the domain column")
                continue
            value = cells[column].strip()
        try:
            domain, _changed = domain_from_text(value)
        except (DomainError, ValueError) as exc:
            yield BulkItem(number, error=str(exc))
            continue
        if domain in seen:
            continue
        seen.add(domain)
        yield BulkItem(number, domain=domain)


async def run_bulk(
    items: Iterable[BulkItem],
    engine: Engine,
    services: Services,
    *,
    on_result: Callable[[str, Report], None],
    on_skip: Callable[[BulkItem], None],
    max_domains_in_flight: int = 200,
) -> int:
    """Audit every domain; returns how many were audited."""
    slots = asyncio.Semaphore(max_domains_in_flight)
    audited = 0

    async def audit(domain: str) -> None:
        nonlocal audited
        try:
            report = await engine.run(Profile(name=domain, domains=(domain,)), services)
        finally:
            slots.release()
        audited += 1
        on_result(domain, report)

    async with asyncio.TaskGroup() as group:
        for item in items:
            if item.error:
                on_skip(item)
                continue
            await slots.acquire()  # backpressure: read the next line only when a slot is free
            group.create_task(audit(item.domain))
    return audited
