"""auditor bulk --workers N: the list shared among N worker processes, each with its own
event loop, while this process reads the list and writes the rows.

One Python process runs its event loop on one core, and once the DNS server keeps up a bulk
audit is bound by that core (benchmarks/RESULTS.md). Here N workers audit the list. This
process reads the list (lines skipped, read as another name or dropped as duplicates are
said here, exactly as with one process), hands the domains out in small batches to the
worker with the fewest waiting, and writes each row as a worker sends it back, in the order
domains finish (as one process does). It audits nothing itself: it stays on the standard
event loop (uvloop's close() hung, one run in two, after a worker was killed), and auditing
here too cost more CPU per domain than a worker on uvloop does (benchmarks/RESULTS.md). A
worker is a fresh interpreter (``spawn``: no state of this one is copied) running the same
engine and checks with its own ``Services``, so its own DNS cache: a provider's record that
many domains include is asked once per worker, not once per run. ``--concurrency``,
``--max-queries`` and the DNS cache are shared out, so the run as a whole keeps its bounds;
N workers hold about N times one process's own memory, and this process little.

Messages, to a worker: a list of domains, then ``None`` (no more). From a worker:
``("rows", [Row, ...])``, then ``("done", audited, health)`` (what its DNS client saw, merged
here into one record for the outage line), or ``("failed", traceback)``. Rows arrive
formatted: no report is unpickled here.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import signal
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING

from auditor.bulk import BulkItem, run_bulk
from auditor.commands.common import UsageError
from auditor.net import event_loop
from auditor.net.dns import DnsHealth
from auditor.outage import outage_from

if TYPE_CHECKING:
    from auditor.commands.bulk import Row
    from auditor.model import Report
    from auditor.outage import Outage
    from auditor.services import AuditOptions
    from auditor.vocabulary import Severity

BATCH = 32  # domains per message: few enough pipe writes, small enough to share out evenly
FLUSH_AFTER = 0.05  # seconds a finished row waits at most before a worker sends it


@dataclass(frozen=True)
class Plan:
    """What every process needs to audit its share (sent to each worker once)."""

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
    """Audit every domain of ``items`` in ``workers`` worker processes; returns how many
    were audited and the DNS outage, if the run as a whole had no answer."""
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
        sharing = _Sharing(items, share, channels, on_row, on_skip, on_note)
        # The standard loop here: uvloop's close() hung, one run in two, after a worker was
        # killed (tests/core/test_bulk.py); the workers keep it.
        result = asyncio.run(sharing.run())
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
    """The plan as one process runs it: its part of the run's domains and queries in flight."""
    from dataclasses import replace

    options = plan.options
    return replace(
        plan,
        concurrency=max(1, -(-plan.concurrency // workers)),
        options=replace(
            options,
            max_dns_in_flight=max(1, -(-options.max_dns_in_flight // workers)),
            max_checks_in_flight=max(1, -(-options.max_checks_in_flight // workers)),
            # The run's memory stays where one process keeps it (a process's cache needs
            # room only for its own domains in flight and the providers they share).
            dns_cache_size=max(1000, options.dns_cache_size // workers),
        ),
    )


class _Sharing:
    """This process's side: hand out batches, collect the workers' rows."""

    def __init__(
        self,
        items: Iterator[BulkItem],
        plan: Plan,
        channels: list[Connection],
        on_row: Callable[[Row], None],
        on_skip: Callable[[BulkItem], None],
        on_note: Callable[[BulkItem], None],
    ) -> None:
        self.items, self.plan, self.channels = items, plan, channels
        self.on_row, self.on_skip, self.on_note = on_row, on_skip, on_note
        # Each is given up to its concurrency plus a batch, so it never waits for the next
        # domain while this process is busy, and a slow one does not hoard the list.
        self.room = plan.concurrency + BATCH
        self.waiting: dict[Connection, int] = dict.fromkeys(channels, 0)
        self.room_freed = asyncio.Event()
        self.failure: BaseException | None = None
        self.exhausted = False
        self.health = DnsHealth()
        self.audited = 0

    async def run(self) -> tuple[int, Outage | None]:
        loop = asyncio.get_running_loop()
        self.done = {channel: loop.create_future() for channel in self.channels}
        for channel in self.channels:
            loop.add_reader(channel.fileno(), self._receive, channel)
        try:
            await self._hand_out()
            await asyncio.gather(*self.done.values())
        finally:
            for channel in self.channels:
                loop.remove_reader(channel.fileno())
        # One record for the run: a worker that was given no domain asked nothing, which
        # says nothing of the network.
        return self.audited, outage_from(self.health)

    async def _hand_out(self) -> None:
        while not self.exhausted:
            if self.failure is not None:
                raise self.failure
            destination = min(self.waiting, key=self.waiting.__getitem__)
            if self.room - self.waiting[destination] < BATCH:
                self.room_freed.clear()
                await self.room_freed.wait()
                continue
            batch = self._next_batch()
            if batch:
                destination.send(batch)
                self.waiting[destination] += len(batch)
        for destination in self.waiting:
            destination.send(None)

    def _next_batch(self) -> list[str]:
        batch: list[str] = []
        while len(batch) < BATCH:
            item = next(self.items, None)
            if item is None:
                self.exhausted = True
                break
            if item.error:
                self.on_skip(item)
                continue
            if item.note:
                self.on_note(item)
            if not item.dropped:
                batch.append(item.domain)
        return batch

    def _audited_row(self, row: Row, source: Connection) -> None:
        self.on_row(row)
        self.waiting[source] -= 1
        self.room_freed.set()

    def _receive(self, channel: Connection) -> None:
        # A reader callback: what goes wrong here is handed to the awaiting code, never
        # left to the event loop's logger.
        try:
            try:
                message = channel.recv()
            except (EOFError, ConnectionResetError):
                # Killed (out of memory, say): nothing to show but that, in one line.
                raise UsageError(
                    "a worker process stopped before the list was finished (was it killed?): "
                    "run it again (--workers 1 uses one process)"
                ) from None
            if message[0] == "rows":
                for row in message[1]:
                    self._audited_row(row, channel)
            elif message[0] == "done":
                asyncio.get_running_loop().remove_reader(channel.fileno())
                self.audited += message[1]
                self.health.merge(message[2])
                self.done[channel].set_result(None)
            else:
                raise RuntimeError(f"a bulk worker process failed:\n{message[1]}")
        except BaseException as exc:  # a failed write of a row included
            asyncio.get_running_loop().remove_reader(channel.fileno())
            self.failure = exc
            self.room_freed.set()
            done = self.done[channel]
            if not done.done():
                done.set_exception(exc)
                done.exception()  # marked as seen: the hand-out raises it too, if first


def _work(channel: Connection, plan: Plan) -> None:
    """A worker process: audit the domains the parent sends until it sends None."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    try:
        audited, health = event_loop.run(_audit_share(channel, plan))
        channel.send(("done", audited, health))
    except (EOFError, BrokenPipeError, ConnectionResetError):
        return  # the parent stopped (Ctrl-C, a closed output): nothing to report to
    except BaseException:
        import traceback

        try:
            channel.send(("failed", traceback.format_exc()))
        except OSError:
            pass


async def _audit_share(channel: Connection, plan: Plan) -> tuple[int, DnsHealth]:
    from auditor.commands.bulk import render_row
    from auditor.engine import Engine
    from auditor.heap import settle
    from auditor.registry import discover, select
    from auditor.services import Services

    loop = asyncio.get_running_loop()
    engine = Engine(select(discover(), list(plan.check_ids), []))
    # Its imports and catalogue frozen before any domain, as the parent does before its loop
    # starts, so the many full collections of a long list do not walk them (auditor/heap.py).
    settle()
    received: asyncio.Queue[list[str] | None] = asyncio.Queue()
    outbox: list[Row] = []
    flush_timer: asyncio.TimerHandle | None = None

    def receive() -> None:
        try:
            message = channel.recv()
        except (EOFError, ConnectionResetError):
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
            flush_timer = loop.call_later(FLUSH_AFTER, flush_later)

    def flush_later() -> None:
        # A timer's callback: a parent that is gone (the pipe broken) would only be logged
        # here as a traceback; its end of the pipe is read as the end of the list instead.
        with contextlib.suppress(OSError):
            flush()

    loop.add_reader(channel.fileno(), receive)
    try:
        async with Services(plan.options) as services:
            audited = await run_bulk(
                _queued_domains(received), engine, services, on_result=on_result, on_skip=_never,
                max_domains_in_flight=plan.concurrency,
            )  # fmt: skip
            health = services.dns.health
    finally:
        loop.remove_reader(channel.fileno())
    flush()
    return audited, health


async def _queued_domains(queue: asyncio.Queue[list[str] | None]) -> AsyncIterator[BulkItem]:
    """The domains of the batches put on ``queue``, until None."""
    while (batch := await queue.get()) is not None:
        for domain in batch:
            yield BulkItem(0, domain=domain)


def _never(item: BulkItem) -> None:
    raise AssertionError(f"the parent skips bad lines, yet a worker got {item!r}")
