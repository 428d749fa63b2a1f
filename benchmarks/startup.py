"""Startup, side by side: `auditor --version`, and the first screen of `auditor` and
`auditor demo` against a minimal Textual app's, each in a real terminal.

Each row is a fresh subprocess, over N runs (median, min, max), round-robin so that a busy
moment on the shared machine lands on every row alike:

- floor:      `python -c pass` (the interpreter alone), timed from spawn to exit
- version:    `auditor --version` (the CLI's fast path; target under 0.15 s), spawn to exit
- peer app:   a minimal Textual app (one Static), from spawn until its first frame is on
              the terminal (a pseudo-terminal of 80x24: the text "Hello" has been written)
- widgets:    a plain Textual app with the Welcome screen's widgets (header, texts, a menu
              of 7, the compact footer with the same keys), timed as `auditor` below: what
              Textual itself takes for them
- auditor:    `auditor`, spawn until the Welcome screen's first frame is on the terminal
              (its header), and until it is complete (its footer's keys, "New audit")
- demo:       `auditor demo`, likewise for its first screen, the run screen (the header,
              then the footer's "Cancel / back"); the demo world starts after the first frame

The header stands for the first frame (the whole screen is one frame): the Welcome heading
was missing from every frame of one run of the earlier app, which a marker must not depend on.

Textual draws a footer's keys in a frame of their own after the first one (the Footer
composes once the screen's bindings are known), so "complete" is the time a person waits
for the whole screen; the peer has no footer, its first frame is complete. Ratios are to
the peer's first frame. Each app is quit with ctrl+q once its screen is complete.

The apps run as `auditor` does: the CLI's `main()` with the given arguments, HOME in a
temporary folder (no profile, no history). Bytecode is written to a temporary cache during
the warm-up run and read from it after, as on an installed copy (this machine sets
PYTHONDONTWRITEBYTECODE, under which every run would compile the project's modules afresh
while the peer's come compiled).

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

# The Welcome screen's widgets in a plain Textual app (no auditor module): what Textual itself
# takes for them, the floor under the Welcome rows.
WIDGETS_PEER_APP = """
from textual.app import App
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, OptionList, Static

class Welcome(Screen):
    BINDINGS = [Binding(key, "nothing", words) for key, words in
                [("n", "New audit"), ("o", "Open last"), ("d", "Demo")]]

    def compose(self):
        yield Header(icon="=")
        with VerticalScroll():
            yield Static("Check your public footprint before you stand")
            yield Static("What the tool does and never sends. " * 8)
            yield Static("No profile yet.")
            yield OptionList(*(f"{key}  Menu entry {key}" for key in "nodpftr"))
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self):
        self.query_one(OptionList).focus()

class WidgetsPeer(App):
    TITLE = "Candidate Auditor"
    BINDINGS = [Binding("ctrl+q", "quit", "Quit"), Binding("question_mark", "nothing", "Help")]

    def get_default_screen(self):
        return Welcome()

WidgetsPeer().run()
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
    complete: bytes | None = None  # text drawn last (the footer's keys); None: as ``shown``
    tree: str | None = None  # source tree on PYTHONPATH (--before)


def timed_to_exit(row: Row, env: dict[str, str], cwd: str) -> float:
    started = time.perf_counter()
    result = subprocess.run(
        row.command, capture_output=True, text=True, env=env, cwd=cwd, check=False
    )
    if result.returncode != 0:
        raise SystemExit(f"{row.label} failed: {result.stderr.strip()[-400:]}")
    return time.perf_counter() - started


def timed_to_screen(
    row: Row, env: dict[str, str], cwd: str, timeout: float = 60
) -> tuple[float, float]:
    """Seconds from spawn until ``row.shown``, then ``row.complete``, are on the terminal."""
    assert row.shown is not None
    markers = [row.shown, row.complete or row.shown]
    main, child = os.openpty()
    fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLUMNS, 0, 0))
    started = time.perf_counter()
    process = subprocess.Popen(
        row.command, stdin=child, stdout=child, stderr=child, env=env, cwd=cwd,
        start_new_session=True,
    )  # fmt: skip
    os.close(child)
    written = b""
    seen_after: list[float] = []
    deadline = started + timeout
    try:
        while time.perf_counter() < deadline:
            ready, _, _ = select.select([main], [], [], 0.2)
            if ready:
                try:
                    written += os.read(main, 1 << 16)
                except OSError:  # the app closed the terminal
                    break
            if len(seen_after) < 2:
                text = ESCAPES.sub(b"", written)
                while len(seen_after) < 2 and markers[len(seen_after)] in text:
                    seen_after.append(time.perf_counter() - started)
                if len(seen_after) == 2:
                    os.write(main, QUIT)
                    deadline = time.perf_counter() + 10  # then let it quit cleanly
            elif process.poll() is not None and not ready:
                break
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        os.close(main)
    if len(seen_after) < 2:
        tail = ESCAPES.sub(b"", written)[-300:].decode("utf-8", "replace")
        missing = markers[len(seen_after)]
        raise SystemExit(f"{row.label}: {missing!r} never appeared; the terminal ends: {tail}")
    return seen_after[0], seen_after[1]


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
        Row("peer: minimal Textual app", [python, "-c", PEER_APP], b"Hello"),
        Row("Textual alone, the Welcome screen's widgets", [python, "-c", WIDGETS_PEER_APP],
            b"Candidate Auditor", b"New audit"),
        Row("auditor: Welcome", [python, "-c", CLI], b"Candidate Auditor", b"New audit"),
        Row("auditor demo: run screen", [python, "-c", CLI, "demo"], b"Candidate Auditor",
            b"Cancel / back"),
    ]  # fmt: skip
    if args.before:
        before = str(Path(args.before).resolve())
        rows += [
            Row(f"before: {r.label}", r.command, r.shown, r.complete, before) for r in rows[4:6]
        ]
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

        def measure(row: Row) -> tuple[float, float]:
            # run in HOME, so that `python -c` finds the tree on PYTHONPATH (--before) or
            # the installed one, never the folder the benchmark was started in
            row_env = env if row.tree is None else {**env, "PYTHONPATH": row.tree}
            if row.shown is None:
                took = timed_to_exit(row, row_env, home)
                return took, took
            return timed_to_screen(row, row_env, home)

        for row in rows:  # warm the file cache and write the bytecode
            measure(row)
        load_start = _loadavg()
        results: dict[str, list[tuple[float, float]]] = {row.label: [] for row in rows}
        for _ in range(args.runs):
            for row in rows:
                results[row.label].append(measure(row))
        load_end = _loadavg()
    print(f"Python {platform.python_version()}, {platform.machine()}, {args.runs} runs each")
    print()
    print("| what | first frame: median | min | max | / peer | complete: median | / peer |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    peer = statistics.median(first for first, _ in results[rows[2].label])
    for row in rows:
        firsts = [first for first, _ in results[row.label]]
        completes = [complete for _, complete in results[row.label]]
        first, complete = statistics.median(firsts), statistics.median(completes)
        spread = f"{_ms(first)} | {_ms(min(firsts))} | {_ms(max(firsts))}"
        if row.shown is None:  # timed to exit
            print(f"| {row.label} | {spread} | — | — | — |")
        else:
            print(
                f"| {row.label} | {spread} | {first / peer:.2f}x | {_ms(complete)} | "
                f"{complete / peer:.2f}x |"
            )
    print()
    print(f"load average {load_start} at the start, {load_end} at the end")
    return 0


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def _loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "n/a"


if __name__ == "__main__":
    raise SystemExit(main())
