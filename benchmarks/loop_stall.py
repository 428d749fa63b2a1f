"""Event-loop stalls during the demo audit: how late a 5 ms timer wakes.

A probe task on the audit's event loop sleeps 5 ms again and again and records how late
each wake-up is (``lateness = woke - (slept + 5 ms)``). Whatever holds the loop without
yielding (parsing, hashing, a big regular expression, an import) shows as a late wake-up,
exactly as the app would show it: in the TUI the audit runs on Textual's loop, so a stall
is a frozen screen. Target: the longest stall under 50 ms.

On a shared machine a wake-up is also late when the process waits for a CPU (or, with
threads, for the GIL). So each wake-up also records the loop thread's own CPU time over the
interval (``time.thread_time``): "on-CPU" is the part of the lateness the loop spent
computing, which other load does not add to.

Each run is a fresh interpreter (so the first audit pays its imports, as the app's first
audit does) running the demo audit in-process twice: "cold" (the first audit) and "warm"
(the second, same process). The demo world's servers run elsewhere (``--world``):

- ``process`` (default): in a child process, so the probe sees the auditor's own work only;
- ``thread``: in a thread of the same process, as ``auditor demo`` runs them (their Python
  work then competes for the GIL and shows up as lateness too);
- ``loop``: on the audit's own loop, as the tests run them (server work stalls it too).

``--explain`` adds a watchdog thread that, every 10 ms while the probe is more than 30 ms
overdue, takes the stack of the thread on the CPU (the loop thread, or another thread whose
work holds the GIL the loop waits for), and lists where those samples were (each about
10 ms of stall; the sampling itself takes the GIL briefly, so its run's numbers are not the
results). A garbage collection holds the GIL in whichever thread it runs, so the probe
records collections on the loop thread and on the others (a worker thread importing a
check): one of the latter is a stall with no on-CPU time.

``--heap settle`` does what ``auditor scan`` and the app do (auditor/heap.py): ``settle()``
before the first audit (scan; the app freezes without collecting), and
``HeapSettler.settle()`` after
each audit, timed (on the loop, between audits: the app's idle point). ``--heap none`` does
neither (main before it). ``--compare`` runs both, interleaved (none 1, settle 1, none 2,
…). ``--audits N`` audits N times in each interpreter (cold, then N - 1 re-audits) and
records the RSS and the collector's object counts after each.

Run:  python benchmarks/loop_stall.py [--runs 3] [--compare] [--audits 2] [--world process]
      [--delay 0] [--explain]
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import gc
import json
import multiprocessing
import multiprocessing.connection
import os
import statistics
import subprocess
import sys
import threading
import time
import traceback
from pathlib import Path
from typing import Any

TICK = 0.005
TARGET = 0.050


def loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "n/a"


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


class Probe:
    """Sleeps TICK again and again; keeps how late each wake-up was."""

    def __init__(self) -> None:
        self.lateness: list[float] = []
        self.own: list[float] = []
        self.last_wake = time.monotonic()
        self.active = False
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            before, cpu_before = loop.time(), time.thread_time()
            await asyncio.sleep(TICK)
            self.last_wake = time.monotonic()
            late = max(0.0, loop.time() - before - TICK)
            self.lateness.append(late)
            # The part of the lateness the loop thread spent on the CPU: its own work, as
            # opposed to waiting for a CPU (a loaded machine) or for the GIL.
            self.own.append(min(late, time.thread_time() - cpu_before))

    def _gc(self, phase: str, info: dict[str, int]) -> None:
        # Collections hold the GIL, so one runs at a time and a single start time will do.
        if phase == "start":
            self._gc_started = time.perf_counter()
            return
        pause = time.perf_counter() - self._gc_started
        gen = info["generation"]
        pauses = self.gc_max if threading.get_ident() == self._loop_thread else self.gc_other
        pauses[gen] = max(pauses.get(gen, 0.0), pause)

    def start(self) -> None:
        self.gc_max: dict[int, float] = {}
        self.gc_other: dict[int, float] = {}  # in other threads: the loop waits for the GIL
        self._gc_started = 0.0
        self._loop_thread = threading.get_ident()
        gc.callbacks.append(self._gc)
        self.lateness, self.own = [], []
        self.last_wake = time.monotonic()
        self.active = True
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> dict[str, float]:
        assert self._task is not None
        self.active = False  # between audits nothing is overdue
        self._task.cancel()
        try:
            await self._task
        except asyncio.CancelledError:
            pass
        gc.callbacks.remove(self._gc)
        late, own = self.lateness, self.own
        return {
            "own_max_ms": 1000 * max(own, default=0.0),
            "gc_max_ms": {str(g): round(1000 * t, 1) for g, t in sorted(self.gc_max.items())},
            "gc_other_ms": {str(g): round(1000 * t, 1) for g, t in sorted(self.gc_other.items())},
            "own_p99_ms": 1000 * percentile(own, 0.99),
            "wakes": len(late),
            "max_ms": 1000 * max(late, default=0.0),
            "p99_ms": 1000 * percentile(late, 0.99),
            "p50_ms": 1000 * percentile(late, 0.50),
            "over_50ms": sum(1 for x in late if x > TARGET),
        }


def serve_world(conn: multiprocessing.connection.Connection, delay: float) -> None:
    """The child process of ``--world process``: serve, send the options, wait for 'stop'."""
    from auditor.demo.world import DemoWorld

    async def main() -> None:
        world = DemoWorld(dns_delay=delay)
        world.web.delay = delay
        async with world:
            conn.send(world.audit_options())
            await asyncio.get_running_loop().run_in_executor(None, conn.recv)

    asyncio.run(main())


class StallSampler:
    """A thread that samples, while the probe is overdue, the stack of the thread that is
    computing: the loop thread, or another one holding the GIL the loop waits for."""

    def __init__(self, probe: Probe) -> None:
        self.probe = probe
        self.loop_thread = threading.get_ident()
        self.phase = ""
        self.samples: collections.Counter[str] = collections.Counter()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _cpu_by_thread(self) -> dict[int, float]:
        cpu = {}
        for thread in threading.enumerate():
            if thread.ident is None or thread is self._thread:
                continue
            try:
                cpu[thread.ident] = time.clock_gettime(time.pthread_getcpuclockid(thread.ident))
            except (OSError, ProcessLookupError):  # the thread has just ended
                continue
        return cpu

    def _run(self) -> None:
        cpu = self._cpu_by_thread()
        names = {t.ident: t.name for t in threading.enumerate()}
        while not self._stop.wait(0.010):
            cpu, before = self._cpu_by_thread(), cpu
            if not self.probe.active or time.monotonic() - self.probe.last_wake < 0.030 + TICK:
                continue
            # Only a thread that is computing (at least 5 ms of its CPU since the last look):
            # the loop thread, or another one (with the GIL, which the loop then waits for).
            # Waiting for a CPU (other load on the machine) shows as neither.
            busy = [t for t, c in cpu.items() if c - before.get(t, c) >= 0.005]
            if not busy:
                continue
            thread = self.loop_thread if self.loop_thread in busy else busy[0]
            if thread not in names:
                names = {t.ident: t.name for t in threading.enumerate()}
            frame = sys._current_frames().get(thread)
            if frame is None:
                continue
            stack = traceback.extract_stack(frame)
            ours = [f for f in stack if "/auditor/" in f.filename or "/checks/" in f.filename]
            inner = stack[-1]
            where = " <- ".join(
                f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in reversed(ours[-3:])
            )
            top = f"{Path(inner.filename).name}:{inner.lineno} {inner.name}"
            who = "loop" if thread == self.loop_thread else f"GIL held by {names.get(thread)}"
            self.samples[f"{self.phase}, {who}: {top} | {where}"] += 1

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> list[str]:
        self._stop.set()
        self._thread.join()
        return [f"{n} x 10 ms: {where}" for where, n in self.samples.most_common(40)]


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def heap_counts() -> dict[str, float]:
    """After an audit (and its settling): memory, and what the collector holds."""
    return {
        "rss_mib": rss_mib(),
        "frozen": gc.get_freeze_count(),
        "unfrozen": len(gc.get_objects()),  # what a full collection would walk now
    }


async def one_run(
    world_mode: str, delay: float, explain: bool, heap: str, audits: int
) -> dict[str, Any]:
    from auditor.audit import run_audit
    from auditor.demo import candidate
    from auditor.heap import HeapSettler, settle
    from auditor.profile import parse_profile

    loop = asyncio.get_running_loop()
    profile = parse_profile(candidate.DEMO_PROFILE_TOML, "demo profile")
    child = world = None
    if world_mode == "process":
        ctx = multiprocessing.get_context("spawn")
        parent_end, child_end = ctx.Pipe()
        child = ctx.Process(target=serve_world, args=(child_end, delay), daemon=True)
        child.start()
        options = await loop.run_in_executor(None, parent_end.recv)
    else:
        from auditor.demo.world import DemoWorld

        if world_mode == "thread":
            world = DemoWorld.run_in_thread(dns_delay=delay)
        else:
            world = DemoWorld(dns_delay=delay)
            await world.start()
        world.web.delay = delay
        options = world.audit_options()
    options = type(options)(**{**options.__dict__, "http_timeout": 20.0, "dns_timeout": 5.0})
    probe = Probe()
    sampler = StallSampler(probe)
    if explain:
        sampler.start()
    result: dict[str, Any] = {"load_start": loadavg(), "heap": heap, "audits": []}
    settler = HeapSettler()
    if heap == "settle":
        settle()  # as `auditor scan` before its loop, and the app after its first screen
    try:
        for n in range(audits):
            sampler.phase = "cold" if n == 0 else "warm"
            probe.start()
            start = time.monotonic()
            report = await run_audit(profile, options)
            wall = time.monotonic() - start
            stats = await probe.stop()
            settled, settled_cpu = time.perf_counter(), time.thread_time()
            if heap == "settle":
                settler.settle()  # as the app once an audit's outcome is drawn
            settle_ms = 1000 * (time.perf_counter() - settled)
            settle_cpu_ms = 1000 * (time.thread_time() - settled_cpu)
            result["audits"].append(
                {
                    **stats,
                    "wall_s": wall,
                    "findings": len(report.findings),
                    "settle_ms": settle_ms,
                    "settle_cpu_ms": settle_cpu_ms,
                    **heap_counts(),
                }
            )
            del report  # as the app replaces it with the next audit's
        result["reclaims"] = settler.reclaims
    finally:
        if child is not None:
            parent_end.send("stop")
            child.join(10)
        elif world is not None:
            if world_mode == "thread":
                world.stop_thread()
            else:
                await world.stop()
    result["load_end"] = loadavg()
    result["stalls"] = sampler.stop() if explain else []
    return result


def child_main(args: argparse.Namespace) -> None:
    result = asyncio.run(one_run(args.world, args.delay, args.explain, args.heap, args.audits))
    print("RESULT " + json.dumps(result))


def _pauses(by_generation: dict[str, float]) -> str:
    return " / ".join(str(by_generation.get(g, "-")) for g in "012")


def table(results: list[dict[str, Any]], args: argparse.Namespace) -> str:
    heaps = sorted({r["heap"] for r in results})  # none first
    lines = [
        f"world: {args.world}; heap: {', '.join(heaps)}; "
        f"delay per DNS answer and HTTP response: {args.delay * 1000:.0f} ms; "
        f"{len(results)} runs, each a fresh interpreter; {os.cpu_count()} CPUs; "
        f"Python {sys.version.split()[0]}",
        "",
        "| run | load avg (1, 5, 15 min) | heap | audit | wall s | longest stall | p99 "
        "| wakes > 50 ms | longest on-CPU | on-CPU p99 | longest GC pause, loop thread "
        "(gen 0/1/2) | other threads (gen 0/1/2) | settle after |",
        "| --- | --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- | ---: |",
    ]
    for i, r in enumerate(results, 1):
        for n, p in enumerate(r["audits"][:2]):
            phase = "cold" if n == 0 else "warm"
            settled = "-"
            if r["heap"] == "settle":
                settled = f"{p['settle_ms']:.0f} ms ({p['settle_cpu_ms']:.0f} on-CPU)"
            lines.append(
                f"| {(i + 1) // 2 if args.compare else i} | {r['load_start']} | {r['heap']} "
                f"| {phase} | {p['wall_s']:.2f} | {p['max_ms']:.0f} ms | {p['p99_ms']:.1f} ms "
                f"| {p['over_50ms']} | {p['own_max_ms']:.0f} ms | {p['own_p99_ms']:.1f} ms "
                f"| {_pauses(p['gc_max_ms'])} ms | {_pauses(p['gc_other_ms'])} ms | {settled} |"
            )
    lines.append("")
    for heap in heaps:
        runs = [r for r in results if r["heap"] == heap]
        for n, phase in ((0, "cold"), (1, "warm")):
            if len(runs[0]["audits"]) <= n:
                continue
            maxes = [r["audits"][n]["max_ms"] for r in runs]
            own = [r["audits"][n]["own_max_ms"] for r in runs]
            p99s = [r["audits"][n]["p99_ms"] for r in runs]
            walls = [r["audits"][n]["wall_s"] for r in runs]
            verdict = "met" if statistics.median(maxes) < TARGET * 1000 else "MISSED"
            lines.append(
                f"median {heap} {phase}: longest stall {statistics.median(maxes):.0f} ms, "
                f"p99 {statistics.median(p99s):.1f} ms, "
                f"longest on-CPU {statistics.median(own):.0f} ms, "
                f"wall {statistics.median(walls):.2f} s "
                f"(target longest < {TARGET * 1000:.0f} ms: {verdict})"
            )
    if args.audits > 2:
        lines += [
            "",
            "after each audit (and its settling): RSS MiB, frozen objects, unfrozen objects, "
            "longest stall / on-CPU ms",
            "",
        ]
        for i, r in enumerate(results, 1):
            each = "; ".join(
                f"{a['rss_mib']:.1f} {a['frozen']} {a['unfrozen']} "
                f"{a['max_ms']:.0f}/{a['own_max_ms']:.0f}"
                for a in r["audits"]
            )
            worst = max(a["max_ms"] for a in r["audits"][1:])
            worst_cpu = max(a["own_max_ms"] for a in r["audits"][1:])
            run = (i + 1) // 2 if args.compare else i
            lines.append(
                f"- run {run} ({r['heap']}, {r.get('reclaims', 0)} reclaims; re-audits' longest "
                f"stall {worst:.0f} ms, on-CPU {worst_cpu:.0f} ms): {each}"
            )
    for i, r in enumerate(results, 1):
        if r["stalls"]:
            lines += ["", f"where the loop was while stalled (run {i}, all audits):"]
            lines += [f"- {m}" for m in r["stalls"]]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--world", choices=("process", "thread", "loop"), default="process")
    parser.add_argument("--delay", type=float, default=0.0)
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--heap", choices=("settle", "none"), default="settle")
    parser.add_argument(
        "--compare", action="store_true", help="--heap none and settle, interleaved"
    )
    parser.add_argument("--audits", type=int, default=2)
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        child_main(args)
        return
    results = []
    for _ in range(args.runs):
        for heap in ("none", "settle") if args.compare else (args.heap,):
            command = [sys.executable, __file__, "--one", "--world", args.world, "--heap", heap]
            command += ["--delay", str(args.delay), "--audits", str(max(1, args.audits))]
            command += ["--explain"] if args.explain else []
            done = subprocess.run(command, capture_output=True, text=True, check=False)
            line = next((x for x in done.stdout.splitlines() if x.startswith("RESULT ")), None)
            if line is None:
                sys.exit(f"a run failed:\n{done.stderr[-2000:]}")
            results.append(json.loads(line[len("RESULT ") :]))
    print(table(results, args))


if __name__ == "__main__":
    main()
