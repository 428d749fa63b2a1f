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
overdue and the loop thread is on the CPU, takes the loop thread's stack, and lists where
those samples were (each about 10 ms of stall; the sampling itself takes the GIL briefly,
so its run's numbers are not the results). ``--freeze`` runs ``gc.collect(); gc.freeze()``
between the two audits (what an app could do once started), to show what the garbage
collector's full collections cost the warm audit.

Run:  python benchmarks/loop_stall.py [--runs 3] [--world process] [--delay 0] [--explain]
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
        if phase == "start":
            self._gc_started = time.perf_counter()
        elif threading.get_ident() == self._loop_thread:
            pause = time.perf_counter() - self._gc_started
            gen = info["generation"]
            self.gc_max[gen] = max(self.gc_max.get(gen, 0.0), pause)

    def start(self) -> None:
        self.gc_max: dict[int, float] = {}
        self._gc_started = 0.0
        self._loop_thread = threading.get_ident()
        gc.callbacks.append(self._gc)
        self.lateness, self.own = [], []
        self.last_wake = time.monotonic()
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> dict[str, float]:
        assert self._task is not None
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
    """A thread that samples the loop thread's stack while the probe is overdue."""

    def __init__(self, probe: Probe) -> None:
        self.probe = probe
        self.loop_thread = threading.get_ident()
        self.loop_clock = time.pthread_getcpuclockid(self.loop_thread)
        self.phase = ""
        self.samples: collections.Counter[str] = collections.Counter()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        cpu = time.clock_gettime(self.loop_clock)
        while not self._stop.wait(0.010):
            cpu, before = time.clock_gettime(self.loop_clock), cpu
            if time.monotonic() - self.probe.last_wake < 0.030 + TICK:
                continue
            # Only while the loop thread is computing (at least 5 ms of its CPU since the
            # last look): waiting for a CPU or for the GIL is not where the loop is stuck.
            if cpu - before < 0.005:
                continue
            frame = sys._current_frames().get(self.loop_thread)
            if frame is None:
                continue
            stack = traceback.extract_stack(frame)
            ours = [f for f in stack if "/auditor/" in f.filename or "/checks/" in f.filename]
            inner = stack[-1]
            where = " <- ".join(
                f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in reversed(ours[-3:])
            )
            top = f"{Path(inner.filename).name}:{inner.lineno} {inner.name}"
            self.samples[f"{self.phase}: {top} | {where}"] += 1

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> list[str]:
        self._stop.set()
        self._thread.join()
        return [f"{n} x 10 ms: {where}" for where, n in self.samples.most_common(40)]


async def one_run(world_mode: str, delay: float, explain: bool, freeze: bool) -> dict[str, Any]:
    from auditor.audit import run_audit
    from auditor.demo import candidate
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
    result: dict[str, Any] = {"load_start": loadavg()}
    try:
        for phase in ("cold", "warm"):
            if phase == "warm" and freeze:
                gc.collect()
                gc.freeze()  # as an app could once started: the heap so far is not scanned again
            sampler.phase = phase
            probe.start()
            start = time.monotonic()
            report = await run_audit(profile, options)
            wall = time.monotonic() - start
            stats = await probe.stop()
            result[phase] = {**stats, "wall_s": wall, "findings": len(report.findings)}
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
    result = asyncio.run(one_run(args.world, args.delay, args.explain, args.freeze))
    print("RESULT " + json.dumps(result))


def table(results: list[dict[str, Any]], args: argparse.Namespace) -> str:
    lines = [
        f"world: {args.world}; gc.freeze() before warm: {'yes' if args.freeze else 'no'}; "
        f"delay per DNS answer and HTTP response: {args.delay * 1000:.0f} ms; "
        f"{len(results)} runs, each a fresh interpreter; {os.cpu_count()} CPUs; "
        f"Python {sys.version.split()[0]}",
        "",
        "| run | load avg (1, 5, 15 min) | audit | wall s | longest stall | p99 | p50 "
        "| wakes > 50 ms | wakes | longest on-CPU | on-CPU p99 | longest GC pause (gen 0/1/2) |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for i, r in enumerate(results, 1):
        for phase in ("cold", "warm"):
            p = r[phase]
            lines.append(
                f"| {i} | {r['load_start']} | {phase} | {p['wall_s']:.2f} | {p['max_ms']:.0f} ms "
                f"| {p['p99_ms']:.1f} ms | {p['p50_ms']:.1f} ms | {p['over_50ms']} | {p['wakes']} "
                f"| {p['own_max_ms']:.0f} ms | {p['own_p99_ms']:.1f} ms "
                f"| {' / '.join(str(p['gc_max_ms'].get(g, '-')) for g in '012')} ms |"
            )
    lines.append("")
    for phase in ("cold", "warm"):
        maxes = [r[phase]["max_ms"] for r in results]
        p99s = [r[phase]["p99_ms"] for r in results]
        walls = [r[phase]["wall_s"] for r in results]
        own = [r[phase]["own_max_ms"] for r in results]
        verdict = "met" if statistics.median(maxes) < TARGET * 1000 else "MISSED"
        lines.append(
            f"median {phase}: longest stall {statistics.median(maxes):.0f} ms, "
            f"p99 {statistics.median(p99s):.1f} ms, "
            f"longest on-CPU {statistics.median(own):.0f} ms, "
            f"wall {statistics.median(walls):.2f} s "
            f"(target longest < {TARGET * 1000:.0f} ms: {verdict})"
        )
    for i, r in enumerate(results, 1):
        if r["stalls"]:
            lines += ["", f"where the loop was while stalled (run {i}, both audits):"]
            lines += [f"- {m}" for m in r["stalls"]]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--world", choices=("process", "thread", "loop"), default="process")
    parser.add_argument("--delay", type=float, default=0.0)
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--freeze", action="store_true")
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        child_main(args)
        return
    results = []
    for _ in range(args.runs):
        command = [sys.executable, __file__, "--one", "--world", args.world]
        command += ["--delay", str(args.delay)] + (["--explain"] if args.explain else [])
        command += ["--freeze"] if args.freeze else []
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        line = next((x for x in done.stdout.splitlines() if x.startswith("RESULT ")), None)
        if line is None:
            sys.exit(f"a run failed:\n{done.stderr[-2000:]}")
        results.append(json.loads(line[len("RESULT ") :]))
    print(table(results, args))


if __name__ == "__main__":
    main()
