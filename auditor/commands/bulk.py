"""auditor bulk: the email checks on many domains, streamed as CSV or JSON lines."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, BinaryIO, NamedTuple, TextIO

from auditor.commands.common import add_network_options, add_output_options, parse_severity

if TYPE_CHECKING:
    from collections.abc import Sequence

    from auditor.model import Report
    from auditor.vocabulary import Severity


class Row(NamedTuple):
    text: str  # the CSV or JSON line, newline included
    problem: bool  # a problem at or above --fail-on
    checked: bool  # some check reached what it looks at


HELP = "audit many domains (one per line, or a CSV with a 'domain' column), streaming results"
EPILOG = (
    "exit codes: 0 no domain has a problem at or above --fail-on; 1 some do; 2 nothing could "
    "be checked (no domain in the list, or no check reached anything, for example no "
    "network), the list was not read to its end, or bad input; 130 interrupted. Each line "
    "skipped, read as another name or dropped as a duplicate is named on stderr."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", help="the list of domains ('-' for standard input)")
    parser.add_argument(
        "--format", choices=["csv", "jsonl"], default=None,
        help="(default: from -o's suffix, .csv or .jsonl, else csv)",
    )  # fmt: skip
    add_output_options(parser, what="the results")
    parser.add_argument(
        "--select", action="append", default=[], metavar="PREFIX",
        help="checks to run (default: email.spf, email.dmarc, email.dkim, email.mx)",
    )  # fmt: skip
    parser.add_argument("--ignore", action="append", default=[], metavar="PREFIX")
    parser.add_argument(
        "--concurrency", type=int, default=200, metavar="N", help="domains in flight (200)"
    )
    parser.add_argument(
        "--max-queries", type=int, default=256, metavar="N", help="DNS queries in flight (256)"
    )
    parser.add_argument(
        "--fail-on", type=parse_severity, default="high", metavar="SEVERITY",
        help="exit 1 when any domain has a problem at or above this severity (high)",
    )  # fmt: skip
    parser.add_argument(
        "--workers", type=_workers, default="auto", metavar="N",
        help="processes auditing the list, each on its own core, while this one reads it and "
        "writes the rows (default auto: one per core, "
        f"up to {MAX_AUTO_WORKERS}, for lists of {WORKERS_FROM_DOMAINS:,} domains or more; "
        "else one)",
    )  # fmt: skip
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    parser.add_argument(
        "--progress", action="store_true",
        help="show progress even when stderr is not a terminal (a line every few seconds); "
        "on a terminal it shows by itself for lists longer than a screenful",
    )  # fmt: skip
    add_network_options(parser)


MAX_AUTO_WORKERS = 8
# A worker costs a Python start-up and a DNS cache of its own (each asks the shared provider
# names again): below this many domains it saves nothing (benchmark domains on 2 cores, one
# process against two workers: 1.7-1.8 s for both at 500; 2.9-3.0 s against 2.4-2.5 s at 1000).
WORKERS_FROM_DOMAINS = 1000


def _workers(text: str) -> int | str:
    if text == "auto":
        return text
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 1 <= value <= 64:
        raise argparse.ArgumentTypeError(f"{text!r} is not 'auto' or a number from 1 to 64")
    return value


def worker_count(requested: int | str, path: str) -> int:
    """How many processes to run: the number asked for, or for ``auto`` one per core (up to
    MAX_AUTO_WORKERS) when the list has WORKERS_FROM_DOMAINS entries or more, else one (a
    list from standard input cannot be counted ahead: one)."""
    import os

    if isinstance(requested, int):
        return requested
    entries = count_entries(path)
    if entries is None or entries < WORKERS_FROM_DOMAINS:
        return 1
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, min(cores or 1, MAX_AUTO_WORKERS))


def render_row(
    domain: str, report: Report, *, csv: bool, check_ids: Sequence[str], fail_on: Severity
) -> Row:
    """One domain's line of output, and what the summary and the exit code count of it."""
    from reports import bulk as rows

    text = rows.csv_row(domain, report, check_ids) if csv else rows.jsonl_row(domain, report)
    problem = any(f.status.is_problem and f.severity.rank >= fail_on.rank for f in report.findings)
    checked = any(not f.status.could_not_check for f in report.findings)
    return Row(text, problem, checked)


def run(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from auditor.bulk import DEFAULT_BULK_CHECKS, BulkItem, bounded_lines, read_domains, run_bulk
    from auditor.commands.common import (
        UsageError,
        check_selection,
        options_from_args,
        say,
        split_ids,
    )
    from auditor.engine import Engine, PlanError
    from auditor.heap import settle
    from auditor.net import event_loop
    from auditor.outage import ADVICE, Outage, outage_from
    from auditor.registry import discover, select
    from auditor.scores import plural
    from auditor.services import Services
    from reports import bulk as rows

    check_selection(args)
    _resolve_output(args)
    if not 1 <= args.concurrency <= 5000 or not 1 <= args.max_queries <= 5000:
        raise UsageError("--concurrency and --max-queries must be between 1 and 5000")
    options = replace(
        options_from_args(args),
        max_dns_in_flight=args.max_queries,
        max_checks_in_flight=args.concurrency * 4,
        dns_cache_size=10_000,
        audit_deadline=None,
    )
    catalogue = discover()
    chosen = split_ids(args.select) or list(DEFAULT_BULK_CHECKS)
    entries = select(catalogue, chosen, split_ids(args.ignore))
    if not entries:
        raise UsageError("no check matches --select: see 'auditor checks'")
    try:
        engine = Engine(entries)
    except PlanError as exc:
        raise UsageError(str(exc)) from None
    check_ids = [e.id for e in entries]
    workers = worker_count(args.workers, args.file)
    source = _open_input(args.file)
    output, temp_path = _open_output(args.output)
    progress = _Progress.for_run(args.file, quiet=args.quiet, forced=args.progress)
    counts = {"problem": 0, "skipped": 0, "checked": 0, "stopped": 0, "dropped": 0}

    def write(text: str) -> None:
        try:
            output.write(text)
        except (OSError, UnicodeError) as exc:
            raise _output_failed(args.output, exc) from None

    def on_row(row: Row) -> None:
        write(row.text)
        counts["problem"] += row.problem
        counts["checked"] += row.checked
        progress.tick()

    def on_result(domain: str, report: Report) -> None:
        on_row(render_row(domain, report, csv=args.format == "csv", check_ids=check_ids,
                          fail_on=args.fail_on))  # fmt: skip

    def on_skip(item: BulkItem) -> None:
        progress.tick()
        counts["skipped"] += 1
        counts["stopped"] += item.stopped
        progress.clear()  # the note goes on a line of its own, not after the progress line
        say(f"line {item.line}: skipped: {item.error}")

    def on_note(item: BulkItem) -> None:
        if item.dropped:  # a line of the total that will not be audited
            progress.tick()
            counts["dropped"] += 1
        progress.clear()
        say(f"line {item.line}: {item.note}")

    finished = False
    outage: Outage | None = None
    # Before the loop starts: the imports and the catalogue are frozen, so the run's full
    # collections (many, over thousands of domains) do not walk them (auditor/heap.py).
    settle()
    try:
        if args.format == "csv":
            write(rows.csv_header(check_ids))
        with source:
            items = read_domains(bounded_lines(source))

            async def main() -> int:
                nonlocal outage
                async with Services(options) as services:
                    audited = await run_bulk(
                        items, engine, services, on_result=on_result, on_skip=on_skip,
                        on_note=on_note, max_domains_in_flight=args.concurrency,
                    )  # fmt: skip
                    outage = outage_from(services.dns.health)
                    return audited

            try:
                if workers > 1:
                    from auditor.commands.bulk_workers import Plan, run_in_workers

                    plan = Plan(check_ids=tuple(check_ids), options=options,
                                concurrency=args.concurrency, csv=args.format == "csv",
                                fail_on=args.fail_on)  # fmt: skip
                    audited, outage = run_in_workers(
                        items, plan, workers, on_row=on_row, on_skip=on_skip, on_note=on_note
                    )
                else:
                    audited = event_loop.run(main())
            except BaseExceptionGroup as group:
                # The task group wraps what stopped it (a closed pipe, Ctrl-C, a full disk):
                # re-raise that one, so the CLI's handlers give one line, not a traceback.
                raise _first_leaf(group) from None
        finished = True
    finally:
        progress.done()
        _close_output(output, temp_path, args.output, keep=finished, force=args.force)
    if outage is not None:
        say(f"{outage.headline} {ADVICE}")
    dropped = f", {plural(counts['dropped'], 'duplicate')} dropped" if counts["dropped"] else ""
    say(f"{plural(audited, 'domain')} audited, {counts['problem']} with problems at or above "
        f"{args.fail_on.value}, {plural(counts['skipped'], 'line')} skipped{dropped}")  # fmt: skip
    if audited == 0:
        say("nothing checked: no line of the list is a domain to audit")
        return 2
    if counts["checked"] == 0:
        why = "there was no network" if outage else "is the DNS server answering?"
        say(f"nothing checked: no check of the {plural(audited, 'domain')} could reach what "
            f"it looks at ({why})")  # fmt: skip
        return 2
    if counts["stopped"]:
        return 2  # the rows written are kept, but the list was not read to its end
    return 1 if counts["problem"] else 0


def _output_failed(path: str | None, exc: OSError | UnicodeError) -> Exception:
    """A write of the results that failed mid-list: one line naming where and why."""
    from auditor.commands.common import UsageError, discard_standard_output
    from auditor.files import write_error_in_words

    if path is None or isinstance(exc, BrokenPipeError):
        if isinstance(exc, BrokenPipeError):
            return exc  # the reader stopped reading (| head): main() exits quietly
        discard_standard_output()
    where = path or "the results to standard output"
    return UsageError(f"cannot write {where}: {write_error_in_words(exc)}; the list was not "
                      "finished (bulk keeps no history): run it again")  # fmt: skip


def _first_leaf(group: BaseExceptionGroup[BaseException]) -> BaseException:
    first = group.exceptions[0]
    return _first_leaf(first) if isinstance(first, BaseExceptionGroup) else first


def _open_input(path: str) -> BinaryIO:
    """Bytes: each line is decoded on its own (a bad one is skipped, not the whole list).
    A pipe or FIFO is fine here (lists are streamed); lines are read with a bound."""
    from auditor.commands.common import UsageError

    if path == "-":
        return sys.stdin.buffer
    try:
        handle = open(path, "rb")  # noqa: SIM115  # closed by the caller's "with"
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None
    return handle


def _open_output(path: str | None) -> tuple[TextIO, str | None]:
    """Stream into a private temp file beside the target; renamed into place at the end."""
    import os
    import tempfile

    from auditor.commands.common import UsageError

    if not path:
        return sys.stdout, None
    from auditor.files import is_stream_node

    if is_stream_node(path):  # a pipe or /dev/stdout: written into, never replaced
        return open(path, "w", encoding="utf-8", newline=""), None
    directory = os.path.dirname(os.path.abspath(path))
    try:
        handle, temp = tempfile.mkstemp(prefix=".bulk.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None
    os.fchmod(handle, 0o600)
    return os.fdopen(handle, "w", encoding="utf-8", newline=""), temp


def _resolve_output(args: argparse.Namespace) -> None:
    """--format from -o's suffix when not given (a contradicting one refused), and -o
    checked before any domain is read: as auditor scan's (auditor/files.py)."""
    from pathlib import PurePath

    from auditor.commands.common import UsageError, check_output

    implied = {".csv": "csv", ".jsonl": "jsonl"}.get(PurePath(args.output or "").suffix.lower())
    if args.format is None:
        args.format = implied or "csv"
    elif implied and implied != args.format:
        raise UsageError(f"--format {args.format}, but {args.output} ends in .{implied}; "
                         "change one of them")  # fmt: skip
    if args.output is not None:
        check_output(args.output, force=args.force)


def _close_output(
    stream: TextIO, temp: str | None, path: str | None, *, keep: bool, force: bool
) -> None:
    import contextlib
    import os

    from auditor.commands.common import UsageError

    try:
        if temp is None or path is None:
            try:
                stream.flush()
            finally:
                if stream is not sys.stdout:
                    with contextlib.suppress(OSError):
                        stream.close()  # closed even when the flush failed
            return
        stream.close()
    except (OSError, UnicodeError) as exc:
        if temp is not None:
            os.unlink(temp)
        if keep:  # the last rows could not be written: the results are not whole
            raise _output_failed(path, exc) from None
        return  # already failing for another reason, said by that one
    if not keep:
        os.unlink(temp)
    elif force:
        os.replace(temp, path)
    else:
        from pathlib import Path

        from auditor.files import place_without_replacing

        try:
            place_without_replacing(temp, Path(path))  # never over a file made meanwhile
        except FileExistsError:
            raise UsageError(
                f"-o {path}: a file of that name appeared meanwhile; the results are kept in "
                f"{temp} (add --force to replace it)"
            ) from None


MAX_COUNTED_BYTES = 256 << 20  # a list larger than this is not counted ahead (no ETA)


def count_entries(path: str) -> int | None:
    """About how many domains a list file holds (lines that are neither blank nor
    comments), counted ahead for the progress line; None for standard input, a pipe, or a
    file too large to count quickly."""
    import os
    import stat

    if path == "-":
        return None
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_COUNTED_BYTES:
            return None
        count = 0
        with open(path, "rb") as handle:
            for line in handle:
                text = line.strip()
                count += bool(text) and not text.startswith(b"#")
    except OSError:
        return None
    return count


ESTIMATE_AFTER = 20  # domains done before the progress line says how long is left


class _Progress:
    """One line on stderr: domains done of the total, the rate and the time left.

    On a terminal it rewrites itself (at most 4 times a second) and shows only for lists
    longer than a screenful; with ``--progress`` and no terminal (a log file, a script) it
    writes a plain line every ``interval`` seconds and one at the end. ``-q`` silences it.
    """

    def __init__(
        self,
        *,
        enabled: bool,
        terminal: bool,
        total: int | None,
        screen: int,
        stream: TextIO | None = None,
        clock: Callable[[], float] = time.monotonic,
        interval: float = 5.0,
    ) -> None:
        self.stream = stream or sys.stderr
        self.terminal = terminal
        self.total = total
        self.screen = screen
        self.clock = clock
        self.interval = interval if not terminal else 0.25
        self.count = 0
        self.started = clock()
        self.last_write = float("-inf")
        self.shown = False
        # A short list scrolls past on one screen: no progress line for it on a terminal.
        self.enabled = enabled and (not terminal or total is None or total > screen)

    @classmethod
    def for_run(cls, path: str, *, quiet: bool, forced: bool) -> _Progress:
        import shutil

        terminal = sys.stderr.isatty()
        enabled = not quiet and (terminal or forced)
        total = count_entries(path) if enabled else None
        screen = shutil.get_terminal_size(fallback=(80, 24)).lines
        return cls(enabled=enabled, terminal=terminal, total=total, screen=screen)

    def line(self) -> str:
        elapsed = max(self.clock() - self.started, 1e-6)
        rate = self.count / elapsed
        total = max(self.total or 0, self.count) if self.total is not None else None
        noun = "domain" if (total or self.count) == 1 else "domains"
        done = f"{self.count:,} of {total:,} {noun}" if total else f"{self.count:,} {noun}"
        text = f"{done}, {rate:,.1f}/s"
        # A time left from the first few domains (start-up included) would be a guess.
        if total and ESTIMATE_AFTER <= self.count < total and rate > 0:
            text += f", about {_duration((total - self.count) / rate)} left"
        elif total and self.count >= total:
            text += f", done in {_duration(elapsed)}"
        return text

    def tick(self) -> None:
        self.count += 1
        if not self.enabled:
            return
        if not self.terminal or self.total is not None or self.count > self.screen:
            now = self.clock()
            if now - self.last_write >= self.interval:
                self.last_write = now
                self._write()

    def _write(self) -> None:
        if self.terminal:
            self.stream.write(f"\r\x1b[2K{self.line()}")
        else:
            self.stream.write(f"progress: {self.line()}\n")
        self.stream.flush()
        self.shown = True

    def clear(self) -> None:
        if self.enabled and self.terminal and self.shown:
            self.stream.write("\r\x1b[2K")
            self.stream.flush()
            self.last_write = float("-inf")  # written again at the next domain

    def done(self) -> None:
        if self.terminal:
            self.clear()
        elif self.enabled:
            self._write()


def _duration(seconds: float) -> str:
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"
