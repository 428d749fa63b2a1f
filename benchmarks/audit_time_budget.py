"""Time budget for one candidate: the full demo audit under injected latency, against the
critical path of dependent round trips.

Every DNS answer and every HTTP response of the demo world is delayed by DELAY seconds (the
servers' ``delay`` knobs), so round trips dominate and local CPU work is small beside them.

Method (see benchmarks/RESULTS-time-budget.md):
1. Each check runs ALONE (``run_audit(selected=[id])``, which also runs what it requires),
   in a fresh world with the same delays. Its wall time is the length of its own chain of
   dependent round trips, requirements included: nothing else competes for the servers, the
   DNS slots or the event loop. ``rounds = wall / DELAY`` counts those round trips.
2. The critical path of the whole audit is the longest of these chains: with perfect
   parallelism the audit cannot finish sooner, and need not finish later.
3. The full audit runs once more with the same delays; the target is a wall time within
   1.5x the critical path. A timeline of when each check started and finished shows where
   the time goes.

Run: python benchmarks/audit_time_budget.py [--delay 0.1] [--markdown]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from dataclasses import dataclass

from auditor.audit import run_audit
from auditor.demo.world import DemoWorld
from auditor.engine import CheckFinished, CheckStarted, Event
from auditor.registry import discover

TARGET_RATIO = 1.5


@dataclass
class Timing:
    check_id: str
    wall: float
    dns_queries: int
    http_requests: int


async def timed_audit(
    delay: float, selected: list[str]
) -> tuple[float, DemoWorld, dict[str, list[float]]]:
    world = DemoWorld(dns_delay=delay)
    world.web.delay = delay
    spans: dict[str, list[float]] = {}
    start = 0.0

    def on_event(event: Event) -> None:
        now = time.monotonic() - start
        if isinstance(event, CheckStarted):
            spans.setdefault(f"{event.check_id}@{event.target}", [now, now])
        elif isinstance(event, CheckFinished):
            spans[f"{event.check_id}@{event.target}"][1] = now

    async with world:
        options = world.audit_options(dns_timeout=5.0, http_timeout=20.0, smtp_timeout=20.0)
        start = time.monotonic()
        await run_audit(world.profile, options, selected=selected, on_event=on_event)
        wall = time.monotonic() - start
    return wall, world, spans


async def main(delay: float, repeats: int) -> dict[str, object]:
    catalogue = discover()
    ids = sorted(e.id for e in catalogue.entries if not e.meta.interactive)
    await timed_audit(0.0, [])  # warm-up: module imports and first-use caches are not latency
    alone: list[Timing] = []
    for check_id in ids:
        wall, world, _ = await timed_audit(delay, [check_id])
        alone.append(Timing(check_id, wall, len(world.dns.queries), len(world.web.requests)))
    critical = max(alone, key=lambda t: t.wall)
    walls: list[float] = []
    spans: dict[str, list[float]] = {}
    queries = requests = 0
    for _ in range(repeats):
        wall, world, spans = await timed_audit(delay, [])
        walls.append(wall)
        queries, requests = len(world.dns.queries), len(world.web.requests)
    full = statistics.median(walls)
    return {
        "delay": delay,
        "alone": alone,
        "critical": critical,
        "full_walls": walls,
        "full": full,
        "ratio": full / critical.wall,
        "spans": spans,
        "queries": queries,
        "requests": requests,
    }


def report(result: dict[str, object], markdown: bool) -> str:
    delay = float(result["delay"])  # type: ignore[arg-type]
    alone: list[Timing] = result["alone"]  # type: ignore[assignment]
    critical: Timing = result["critical"]  # type: ignore[assignment]
    spans: dict[str, list[float]] = result["spans"]  # type: ignore[assignment]
    full = float(result["full"])  # type: ignore[arg-type]
    ratio = float(result["ratio"])  # type: ignore[arg-type]
    verdict = "met" if ratio <= TARGET_RATIO else "MISSED"
    lines = [
        f"delay per DNS answer and per HTTP response: {delay * 1000:.0f} ms",
        f"full audit: {full:.2f} s (runs: {', '.join(f'{w:.2f}' for w in result['full_walls'])}), "  # type: ignore[attr-defined]
        f"{result['queries']} DNS queries, {result['requests']} HTTP requests",
        f"critical path: {critical.wall:.2f} s = {critical.wall / delay:.1f} round trips "
        f"({critical.check_id} alone, with its requirements)",
        f"ratio full / critical path: {ratio:.2f} (target <= {TARGET_RATIO}: {verdict})",
        "",
    ]
    if markdown:
        lines += ["| check (alone, with requirements) | wall s | round trips | DNS | HTTP |",
                  "|---|---:|---:|---:|---:|"]  # fmt: skip
        for t in sorted(alone, key=lambda t: -t.wall):
            lines.append(
                f"| {t.check_id} | {t.wall:.2f} | {t.wall / delay:.1f} | {t.dns_queries} "
                f"| {t.http_requests} |"
            )
        lines += ["", "| in the full audit: check@target | started s | finished s |",
                  "|---|---:|---:|"]  # fmt: skip
        for name, (begin, end) in sorted(spans.items(), key=lambda kv: -kv[1][1])[:15]:
            lines.append(f"| {name} | {begin:.2f} | {end:.2f} |")
    else:
        for t in sorted(alone, key=lambda t: -t.wall):
            lines.append(f"  {t.check_id:28} {t.wall:6.2f} s  {t.wall / delay:5.1f} rounds")
    return "\n".join(lines)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--delay", type=float, default=0.1)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()
    outcome = asyncio.run(main(args.delay, args.repeats))
    print(report(outcome, args.markdown))
    sys.exit(0 if float(outcome["ratio"]) <= TARGET_RATIO else 1)  # type: ignore[arg-type]
