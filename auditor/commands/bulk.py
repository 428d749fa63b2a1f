"""auditor bulk: the email checks on many domains, streamed as CSV or JSON lines."""

from __future__ import annotations

import argparse
import sys
import time
from typing import BinaryIO, TextIO

from auditor.commands.common import add_network_options, parse_severity

HELP = "audit many domains (one per line, or a CSV with a 'domain' column), streaming results"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", help="the list of domains ('-' for standard input)")
    parser.add_argument("--format", choices=["csv", "jsonl"], default="csv")
    parser.add_argument("-o", "--output", metavar="FILE", help="write here (mode 0600)")
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
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    add_network_options(parser)


def run(args: argparse.Namespace) -> int:
    import asyncio
    from dataclasses import replace

    from auditor.bulk import DEFAULT_BULK_CHECKS, BulkItem, bounded_lines, read_domains, run_bulk
    from auditor.commands.common import UsageError, options_from_args, say, split_ids
    from auditor.engine import Engine, PlanError
    from auditor.model import Report
    from auditor.registry import discover, select
    from auditor.services import Services
    from reports import bulk as rows

    if not 1 <= args.concurrency <= 5000 or not 1 <= args.max_queries <= 5000:
        raise UsageError("--concurrency and --max-queries must be between 1 and 5000")
    options = replace(
        options_from_args(args),
        max_dns_in_flight=args.max_queries,
        max_checks_in_flight=args.concurrency * 4,
        dns_cache_size=50_000,
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
    source = _open_input(args.file)
    output, temp_path = _open_output(args.output)
    progress = _Progress(enabled=not args.quiet and sys.stderr.isatty())
    counts = {"problem": 0, "skipped": 0, "checked": 0, "stopped": 0}

    def on_result(domain: str, report: Report) -> None:
        if args.format == "csv":
            output.write(rows.csv_row(domain, report, check_ids))
        else:
            output.write(rows.jsonl_row(domain, report))
        if any(f.status.is_problem and f.severity.rank >= args.fail_on.rank
               for f in report.findings):  # fmt: skip
            counts["problem"] += 1
        if any(not f.status.could_not_check for f in report.findings):
            counts["checked"] += 1
        progress.tick()

    def on_skip(item: BulkItem) -> None:
        counts["skipped"] += 1
        counts["stopped"] += item.stopped
        say(f"line {item.line}: skipped: {item.error}")

    if args.format == "csv":
        output.write(rows.csv_header(check_ids))
    finished = False
    try:
        with source:

            async def main() -> int:
                async with Services(options) as services:
                    return await run_bulk(
                        read_domains(bounded_lines(source)), engine, services, on_result=on_result,
                        on_skip=on_skip, max_domains_in_flight=args.concurrency,
                    )  # fmt: skip

            try:
                audited = asyncio.run(main())
            except BaseExceptionGroup as group:
                # The task group wraps what stopped it (a closed pipe, Ctrl-C, a full disk):
                # re-raise that one, so the CLI's handlers give one line, not a traceback.
                raise _first_leaf(group) from None
        finished = True
    finally:
        progress.done()
        _close_output(output, temp_path, args.output, keep=finished)
    say(f"{audited} domains audited, {counts['problem']} with problems at or above "
        f"{args.fail_on.value}, {counts['skipped']} lines skipped")  # fmt: skip
    if audited == 0:
        return 2
    if counts["checked"] == 0:
        say(f"nothing checked: every check of all {audited} domains could not check "
            "(is the DNS server answering?)")  # fmt: skip
        return 2
    if counts["stopped"]:
        return 2  # the rows written are kept, but the list was not read to its end
    return 1 if counts["problem"] else 0


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
    directory = os.path.dirname(os.path.abspath(path))
    try:
        handle, temp = tempfile.mkstemp(prefix=".bulk.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None
    os.fchmod(handle, 0o600)
    return os.fdopen(handle, "w", encoding="utf-8", newline=""), temp


def _close_output(stream: TextIO, temp: str | None, path: str | None, *, keep: bool) -> None:
    import os

    if temp is None or path is None:
        stream.flush()
        return
    stream.close()
    if keep:
        os.replace(temp, path)
    else:
        os.unlink(temp)


class _Progress:
    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.count = 0
        self.started = time.monotonic()

    def tick(self) -> None:
        self.count += 1
        if self.enabled and (self.count % 10 == 0 or self.count < 10):
            rate = self.count / max(time.monotonic() - self.started, 1e-6)
            sys.stderr.write(f"\r\x1b[2K{self.count} domains, {rate:.1f}/s")
            sys.stderr.flush()

    def done(self) -> None:
        if self.enabled:
            sys.stderr.write("\r\x1b[2K")
            sys.stderr.flush()
