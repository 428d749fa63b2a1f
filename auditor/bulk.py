"""Bulk audits for campaign IT volunteers: hundreds or thousands of domains in one run.

Input is read lazily (a domain per line, or a CSV with a ``domain`` column); bad lines
(not UTF-8, too long, not a domain) are reported with their line number and skipped, never
fatal. Lines are read as bytes with a bound (``bounded_lines``): one endless line costs
neither memory nor, past a megabyte, time: the rest of the input is then not read, and
the run says so. Domains are audited concurrently
with a bounded number in flight, all sharing one Services — so one DNS cache, and a lookup
such as ``_spf.google.com`` that hundreds of domains include is resolved once per run.
Results are handed to ``on_result`` as each domain finishes and then dropped: memory stays
flat however long the list.
"""

from __future__ import annotations

import asyncio
import csv
from collections.abc import AsyncIterable, AsyncIterator, Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

from auditor.engine import Engine
from auditor.model import Report
from auditor.net.domains import DomainError
from auditor.profile import Profile
from auditor.services import Services
from auditor.standards.identity.identifiers import domain_from_text

DEFAULT_BULK_CHECKS = ("email.spf", "email.dmarc", "email.dkim", "email.mx")
MAX_LINE_CHARS = 2048
MAX_LINE_BYTES = 4 * MAX_LINE_CHARS  # UTF-8: up to four bytes a character
MAX_SKIPPED_BYTES = 1 << 20  # past this much of one line, stop reading the input


@dataclass(frozen=True)
class BulkItem:
    line: int  # 1-based line number in the input
    domain: str = ""
    error: str = ""  # why this line was skipped, when it was
    stopped: bool = False  # the input was not read past this line
    note: str = ""  # what was made of the line: "read ... as the domain ...", a duplicate

    @property
    def dropped(self) -> bool:
        """A duplicate: neither audited nor an error."""
        return not self.domain and not self.error


class EndlessLine(bytes):
    """The start of a line longer than MAX_SKIPPED_BYTES: nothing after it was read."""


def bounded_lines(stream: BinaryIO) -> Iterator[bytes]:
    """Lines of at most MAX_LINE_BYTES (longer ones are cut there and the rest skipped in
    chunks, so memory stays bounded); a line longer than MAX_SKIPPED_BYTES ends the input
    with an ``EndlessLine`` (``/dev/zero`` as a list must not run forever)."""
    while True:
        line = stream.readline(MAX_LINE_BYTES + 1)
        if not line:
            return
        if len(line) > MAX_LINE_BYTES and not line.endswith(b"\n"):
            skipped = len(line)
            while True:
                rest = stream.readline(64 * 1024)
                skipped += len(rest)
                if not rest or rest.endswith(b"\n"):
                    break
                if skipped > MAX_SKIPPED_BYTES:
                    yield EndlessLine(line)
                    return
        yield line


def read_domains(lines: Iterable[str | bytes]) -> Iterator[BulkItem]:
    """Domains from plain lines or from a CSV whose header has a ``domain`` column.

    Lines may be text, or bytes (from ``bounded_lines``), decoded here one by one so that
    one line that is not UTF-8 is skipped, not the whole list. Blank lines and ``#``
    comments are ignored; URLs and upper case are normalised (a line read as another name
    says so in its ``note``); a duplicate is dropped, and its item says which line it
    repeats (the first one counts).
    """
    seen: dict[str, int] = {}
    column: int | None = None
    header_checked = False
    for number, raw in enumerate(lines, start=1):
        if isinstance(raw, EndlessLine):
            yield BulkItem(
                number,
                error=f"longer than {MAX_SKIPPED_BYTES // (1 << 20)} MB: the input was not "
                "read past this line",
                stopped=True,
            )
            return
        if isinstance(raw, bytes):
            try:
                raw = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                yield BulkItem(number, error=f"not UTF-8 text (byte {exc.start + 1})")
                continue
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
            domain, changed = domain_from_text(value)
        except (DomainError, ValueError) as exc:
            yield BulkItem(number, error=str(exc))
            continue
        if domain in seen:
            read = f" (read from {value[:80]!r})" if changed else ""
            yield BulkItem(
                number, note=f"dropped: {domain}{read} is already on line {seen[domain]}"
            )
            continue
        seen[domain] = number
        note = f"read {value[:80]!r} as the domain {domain}" if changed else ""
        yield BulkItem(number, domain=domain, note=note)


async def run_bulk(
    items: Iterable[BulkItem] | AsyncIterable[BulkItem],
    engine: Engine,
    services: Services,
    *,
    on_result: Callable[[str, Report], None],
    on_skip: Callable[[BulkItem], None],
    on_note: Callable[[BulkItem], None] | None = None,
    max_domains_in_flight: int = 200,
) -> int:
    """Audit every domain; returns how many were audited. ``on_note`` hears of the lines
    read as another name and of the duplicates dropped. ``items`` may be asynchronous (a
    worker process of ``auditor bulk --workers`` takes its domains from a pipe)."""
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
        async for item in _each(items):
            if item.error:
                on_skip(item)
                continue
            if item.note and on_note is not None:
                on_note(item)
            if item.dropped:
                continue
            await slots.acquire()  # backpressure: read the next line only when a slot is free
            group.create_task(audit(item.domain))
    return audited


async def _each(items: Iterable[BulkItem] | AsyncIterable[BulkItem]) -> AsyncIterator[BulkItem]:
    if isinstance(items, AsyncIterable):
        async for item in items:
            yield item
    else:
        for item in items:
            yield item
