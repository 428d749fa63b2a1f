"""auditor bulk --workers N: the list shared among N processes, each with its own event loop.

One Python process runs its event loop on one core, and once the DNS server keeps up a bulk
audit is bound by that core (benchmarks/RESULTS.md). Here the parent reads the list (lines
skipped, read as another name or dropped as duplicates are said by the parent, exactly as
with one process), hands the domains out in small batches to whichever worker has the fewest
waiting, and writes each row as a worker sends it back, in the order domains finish (as one
process does). A worker is a fresh interpreter (``spawn``: no state of the parent is copied)
running the same engine and checks with its own ``Services``, so its own DNS cache: a
provider's record that many domains include is asked once per worker, not once per run.
``--concurrency``, ``--max-queries`` and the DNS cache are shared out, so the run as a
whole keeps its bounds. Rows arrive formatted: the parent never unpickles a report.

Messages, parent to worker: a list of domains, then ``None`` (no more). Worker to parent:
``("rows", [Row, ...])``, then ``("done", audited, health)`` (what its DNS client saw, merged
by the parent into one record for the outage line), or ``("failed", traceback)``.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import signal
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import TYPE_CHECKING

from auditor.bulk import BulkItem
from auditor.net.dns import DnsHealth
from auditor.outage import outage_from

if TYPE_CHECKING:
    from auditor.commands.bulk import Row
    from auditor.model import Report
    from auditor.outage import Outage
    from auditor.services import AuditOptions
    from auditor.vocabulary import Severity

BATCH = 32  # domains per message: few enough pipe writes, small enough to share out evenly
FLUSH_AFTER = 0.05  # seconds a finished row waits at most before it is sent to the parent


@dataclass(frozen=True)
class Plan:
    """What every worker needs to audit its share, sent to it once."""

    check_ids: tuple[str, ...]
    options: AuditOptions
    concurrency: int  # domains in flight for the whole run
    csv: bool
    fail_on: Severity


def run_in_workers(
    items: Iterator[BulkItem],
    plan: Plan,
    workers: int,
    *,
    on_row: Callable[[Row], None],
    on_skip: Callable[[BulkItem], None],
    on_note: Callable[[BulkItem], None],
) -> tuple[int, Outage | None]:
    """Audit every domain of ``items`` in ``workers`` processes; returns how many were
    audited and the DNS outage, if the run as a whole had no answer."""
    context = multiprocessing.get_context("spawn")
    share = _shared_out(plan, workers)
    channels: list[Connection] = []
    processes = []
    finished = False
    try:
        for _ in range(workers):
            ours, theirs = context.Pipe()
            process = context.Process(target=_work, args=(theirs, share), daemon=True)
            process.start()
            theirs.close()
            channels.append(ours)
            processes.append(process)
        result = _share(items, channels, share.concurrency, on_row, on_skip, on_note)
        finished = True
        return result
    finally:
        for channel in channels:
            channel.close()
        for process in processes:
            if not finished:  # Ctrl-C, a failed write, a failed worker: stop the others now
                process.terminate()
            process.join(5)
            if process.is_alive():
                process.kill()
                process.join(5)


def _shared_out(plan: Plan, workers: int) -> Plan:
    """The plan as one worker runs it: its part of the run's domains and queries in flight."""
    from dataclasses import replace

    options = plan.options
    return replace(
        plan,
        concurrency=max(1, -(-plan.concurrency // workers)),
        options=replace(
            options,
            max_dns_in_flight=max(1, -(-options.max_dns_in_flight // workers)),
            max_checks_in_flight=max(1, -(-options.max_checks_in_flight // workers)),
            # The run's memory stays where one process keeps it (a worker's cache needs
            # room only for its own domains in flight and the providers they share).
            dns_cache_size=max(1000, options.dns_cache_size // workers),
        ),
    )


def _share(
    items: Iterator[BulkItem],
    channels: list[Connection],
    concurrency: int,
    on_row: Callable[[Row], None],
    on_skip: Callable[[BulkItem], None],
    on_note: Callable[[BulkItem], None],
) -> tuple[int, Outage | None]:
    # A worker is given up to its concurrency plus a batch, so it never waits for the next
    # domain while the parent is busy, and a slow worker does not hoard the list.
    room = concurrency + BATCH
    waiting = dict.fromkeys(channels, 0)
    running = set(channels)
    exhausted = False
    audited = 0
    health = DnsHealth()

    def next_batch(size: int) -> list[str]:
        nonlocal exhausted
        batch: list[str] = []
        while len(batch) < size:
            item = next(items, None)
            if item is None:
                exhausted = True
                break
            if item.error:
                on_skip(item)
                continue
            if item.note:
                on_note(item)
            if not item.dropped:
                batch.append(item.domain)
        return batch

    def hand_out() -> None:
        while not exhausted:
            channel = min(running, key=waiting.__getitem__)
            free = room - waiting[channel]
            if free < BATCH:
                return
            batch = next_batch(BATCH)
            if batch:
                channel.send(batch)
                waiting[channel] += len(batch)
        if exhausted:
            for channel in running:
                channel.send(None)

    hand_out()
    while running:
        for channel in wait(list(running)):
            assert isinstance(channel, Connection)
            try:
                message = channel.recv()
            except EOFError:
                raise RuntimeError("a bulk worker process stopped without finishing") from None
            kind = message[0]
            if kind == "rows":
                for row in message[1]:
                    on_row(row)
                waiting[channel] -= len(message[1])
                if not exhausted:
                    hand_out()
            elif kind == "done":
                audited += message[1]
                health.merge(message[2])
                running.discard(channel)
            else:
                raise RuntimeError(f"a bulk worker process failed:\n{message[1]}")
    # One record for the run: a worker that was given no domain asked nothing, which says
    # nothing of the network.
    return audited, outage_from(health)


def _work(channel: Connection, plan: Plan) -> None:
    """A worker process: audit the domains the parent sends until it sends None."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    try:
        audited, health = asyncio.run(_audit_share(channel, plan))
        channel.send(("done", audited, health))
    except (EOFError, BrokenPipeError):
        return  # the parent stopped (Ctrl-C, a closed output): nothing to report to
    except BaseException:
        import traceback

        try:
            channel.send(("failed", traceback.format_exc()))
        except OSError:
            pass


async def _audit_share(channel: Connection, plan: Plan) -> tuple[int, DnsHealth]:
    from auditor.bulk import run_bulk
    from auditor.commands.bulk import render_row
    from auditor.engine import Engine
    from auditor.registry import discover, select
    from auditor.services import Services

    loop = asyncio.get_running_loop()
    engine = Engine(select(discover(), list(plan.check_ids), []))
    received: asyncio.Queue[list[str] | None] = asyncio.Queue()
    outbox: list[Row] = []
    flush_timer: asyncio.TimerHandle | None = None

    def receive() -> None:
        try:
            message = channel.recv()
        except EOFError:
            message = None  # the parent went away: what is in flight cannot be sent anyway
        if message is None:
            loop.remove_reader(channel.fileno())  # at the end a pipe stays readable
        received.put_nowait(message)

    def flush() -> None:
        nonlocal flush_timer
        if flush_timer is not None:
            flush_timer.cancel()
            flush_timer = None
        if outbox:
            channel.send(("rows", outbox.copy()))
            outbox.clear()

    def on_result(domain: str, report: Report) -> None:
        nonlocal flush_timer
        row = render_row(domain, report, csv=plan.csv, check_ids=plan.check_ids,
                         fail_on=plan.fail_on)  # fmt: skip
        outbox.append(row)
        if len(outbox) >= BATCH:
            flush()
        elif flush_timer is None:
            flush_timer = loop.call_later(FLUSH_AFTER, flush)

    async def domains() -> AsyncIterator[BulkItem]:
        while (batch := await received.get()) is not None:
            for domain in batch:
                yield BulkItem(0, domain=domain)

    loop.add_reader(channel.fileno(), receive)
    try:
        async with Services(plan.options) as services:
            audited = await run_bulk(
                domains(), engine, services, on_result=on_result, on_skip=_never,
                max_domains_in_flight=plan.concurrency,
            )  # fmt: skip
            health = services.dns.health
    finally:
        loop.remove_reader(channel.fileno())
    flush()
    return audited, health


def _never(item: BulkItem) -> None:
    raise AssertionError(f"the parent skips bad lines, yet a worker got {item!r}")
