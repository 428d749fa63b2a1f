"""Startup, side by side: `auditor --version`, and the first screen of `auditor` and
`auditor demo` against a minimal Textual app's, each in a real terminal.

Each row is a fresh subprocess, over N runs (median, min, max), round-robin so that a busy
moment on the shared machine lands on every row alike:

- floor:      `python -c pass` (the interpreter alone), timed from spawn to exit
- version:    `auditor --version` (the CLI's fast path; target under 0.15 s), spawn to exit
- peer app:   a minimal Textual app (one Static), from spawn until its first frame is on
              the terminal (a pseudo-terminal of 80x24: the text "Hello" has been written)
- auditor:    `auditor`, spawn until the Welcome screen's first frame is on the terminal
- demo:       `auditor demo`, spawn until its first screen (the run screen, "Starting the
              demo world") is on the terminal; the demo world starts after that

Each app is quit with ctrl+q once its frame is seen. The apps run as `auditor` does: the
CLI's `main()` with the given arguments, HOME in a temporary folder (no profile, no
history). Bytecode is written to a temporary cache during the warm-up run and read from it
after, as on an installed copy (this machine sets PYTHONDONTWRITEBYTECODE, under which
every run would compile the project's modules afresh while the peer's come compiled).

``--before DIR`` adds the `auditor` and `auditor demo` rows once more, run from the source
tree DIR (a checkout of an earlier commit, e.g. ``git archive main | tar -x -C DIR``),
interleaved with the others in every round.

Run:  python benchmarks/startup.py [-n 15] [--before DIR]
"""

from __future__ import annotations

import argparse
import fcntl
import os
import platform
import re
import select
import shutil
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from dataclasses import dataclass
from pathlib import Path

PEER_APP = """
from textual.app import App
from textual.widgets import Static

class Peer(App):
    def compose(self):
        yield Static("Hello")

Peer().run()
"""

CLI = "import sys; from auditor.cli import main; sys.exit(main(sys.argv[1:]))"

# What a frame writes besides text: CSI and OSC sequences, charset and keypad switches.
ESCAPES = re.compile(
    rb"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()][0-9A-Za-z]|\x1b[=>78]"
)
QUIT = b"\x11"  # ctrl+q
ROWS, COLUMNS = 24, 80


@dataclass(frozen=True)
class Row:
    label: str
    command: list[str]
    shown: bytes | None = None  # text of the first frame; None: timed to exit
    tree: str | None = None  # source tree on PYTHONPATH (--before)


def timed_to_exit(row: Row, env: dict[str, str], cwd: str) -> float:
    started = time.perf_counter()
    result = subprocess.run(
        row.command, capture_output=True, text=True, env=env, cwd=cwd, check=False
    )
    if result.returncode != 0:
        raise SystemExit(f"{row.label} failed: {result.stderr.strip()[-400:]}")
    return time.perf_counter() - started


def timed_to_first_frame(row: Row, env: dict[str, str], cwd: str, timeout: float = 60) -> float:
    """Seconds from spawn until ``row.shown`` has been written to the terminal."""
    assert row.shown is not None
    main, child = os.openpty()
    fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLUMNS, 0, 0))
    started = time.perf_counter()
    process = subprocess.Popen(
        row.command, stdin=child, stdout=child, stderr=child, env=env, cwd=cwd,
        start_new_session=True,
    )  # fmt: skip
    os.close(child)
    written = b""
    shown_after: float | None = None
    deadline = started + timeout
    try:
        while time.perf_counter() < deadline:
            ready, _, _ = select.select([main], [], [], 0.2)
            if ready:
                try:
                    written += os.read(main, 1 << 16)
                except OSError:  # the app closed the terminal
                    break
            if shown_after is None and row.shown in ESCAPES.sub(b"", written):
                shown_after = time.perf_counter() - started
                os.write(main, QUIT)
                deadline = time.perf_counter() + 10  # then let it quit cleanly
            elif process.poll() is not None and not ready:
                break
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        os.close(main)
    if shown_after is None:
        tail = ESCAPES.sub(b"", written)[-300:].decode("utf-8", "replace")
        raise SystemExit(f"{row.label}: {row.shown!r} never appeared; the terminal ends: {tail}")
    return shown_after


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--runs", type=int, default=15)
    parser.add_argument("--before", metavar="DIR", help="also run the apps from this tree")
    args = parser.parse_args()
    python = sys.executable
    auditor = shutil.which("auditor", path=str(Path(python).parent)) or "auditor"
    rows = [
        Row("floor: python -c pass", [python, "-c", "pass"]),
        Row("auditor --version", [auditor, "--version"]),
        Row("peer: minimal Textual app, first frame", [python, "-c", PEER_APP], b"Hello"),
        Row("auditor: Welcome, first frame", [python, "-c", CLI], b"Check your public footprint"),
        Row("auditor demo: run screen, first frame", [python, "-c", CLI, "demo"], b"Cancel / back"),
    ]
    if args.before:
        before = str(Path(args.before).resolve())
        rows += [Row(f"before: {r.label}", r.command, r.shown, before) for r in rows[3:5]]
    with tempfile.TemporaryDirectory() as home:
        env = {
            **os.environ,
            "HOME": home,
            "XDG_DATA_HOME": home,
            "XDG_CONFIG_HOME": home,
            "TERM": "xterm-256color",
            "PYTHONPYCACHEPREFIX": str(Path(home) / "bytecode"),
        }
        for name in ("TEXTUAL", "PYTHONDONTWRITEBYTECODE", "PYTHONPATH", "NO_COLOR"):
            env.pop(name, None)

        def measure(row: Row) -> float:
            # run in HOME, so that `python -c` finds the tree on PYTHONPATH (--before) or
            # the installed one, never the folder the benchmark was started in
            row_env = env if row.tree is None else {**env, "PYTHONPATH": row.tree}
            if row.shown is None:
                return timed_to_exit(row, row_env, home)
            return timed_to_first_frame(row, row_env, home)

        for row in rows:  # warm the file cache and write the bytecode
            measure(row)
        load_start = _loadavg()
        results: dict[str, list[float]] = {row.label: [] for row in rows}
        for _ in range(args.runs):
            for row in rows:
                results[row.label].append(measure(row))
        load_end = _loadavg()
    print(f"Python {platform.python_version()}, {platform.machine()}, {args.runs} runs each")
    print()
    print("| what | median | min | max | / peer (median) |")
    print("| --- | ---: | ---: | ---: | ---: |")
    peer = statistics.median(results[rows[2].label])
    for row in rows:
        samples = results[row.label]
        median = statistics.median(samples)
        ratio = f"{median / peer:.2f}x" if row.shown is not None else "—"
        print(
            f"| {row.label} | {median * 1000:.0f} ms | {min(samples) * 1000:.0f} ms | "
            f"{max(samples) * 1000:.0f} ms | {ratio} |"
        )
    print()
    print(f"load average {load_start} at the start, {load_end} at the end")
    return 0


def _loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "n/a"


if __name__ == "__main__":
    raise SystemExit(main())
