"""Startup, side by side: `auditor --version` and the guided app's first screen.

Each row is a fresh subprocess, timed from spawn to exit, over N runs (median, min, max):

- floor:      `python -c pass` (the interpreter alone)
- version:    `auditor --version` (the CLI's fast path; target under 0.15 s)
- peer app:   a minimal Textual app (one Static) reaching its first screen, headless
- our app:    `create_app()` reaching the Welcome screen, headless (Textual's auto-pilot
              starts only once the first screen is mounted and refreshed)

Both app rows also report "ready", the time from the interpreter's first line to the first
screen being up, measured inside the process (so it excludes interpreter start and exit).

Run:  python benchmarks/startup.py [-n 15]
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PEER_APP = """
import time
t0 = time.perf_counter()
from textual.app import App
from textual.widgets import Static

class Peer(App):
    def compose(self):
        yield Static("Hello")

async def ready(pilot):
    print(f"READY {time.perf_counter() - t0:.4f}")
    pilot.app.exit()

Peer().run(headless=True, size=(80, 24), auto_pilot=ready)
"""

OUR_APP = """
import time
t0 = time.perf_counter()
from auditor.tui.app import create_app

async def ready(pilot):
    assert type(pilot.app.screen).__name__ == "WelcomeScreen"
    print(f"READY {time.perf_counter() - t0:.4f}")
    pilot.app.exit()

app = create_app(profile_path="/nonexistent/profile.toml")  # history in a temporary HOME
app.run(headless=True, size=(80, 24), auto_pilot=ready)
"""


def timed(command: list[str], env: dict[str, str]) -> tuple[float, float | None]:
    started = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    wall = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"{command[:3]} failed: {result.stderr.strip()[-400:]}")
    ready = None
    for line in result.stdout.splitlines():
        if line.startswith("READY "):
            ready = float(line.split()[1])
    return wall, ready


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--runs", type=int, default=15)
    args = parser.parse_args()
    python = sys.executable
    auditor = shutil.which("auditor", path=str(Path(python).parent)) or "auditor"
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "HOME": home, "XDG_DATA_HOME": home, "XDG_CONFIG_HOME": home}
        env.pop("TEXTUAL", None)
        rows = [
            ("floor: python -c pass", [python, "-c", "pass"]),
            ("auditor --version", [auditor, "--version"]),
            ("peer: minimal Textual app, first screen", [python, "-c", PEER_APP]),
            ("auditor app, Welcome screen", [python, "-c", OUR_APP]),
        ]
        for _label, command in rows:  # warm the file cache and bytecode
            timed(command, env)
        load_start = _loadavg()
        print(f"Python {platform.python_version()}, {platform.machine()}, {args.runs} runs each")
        print()
        print("| what | median wall | min | max | ready (in-process, median) |")
        print("| --- | ---: | ---: | ---: | ---: |")
        # Round-robin, so a busy moment on the machine lands on every row alike.
        results: dict[str, list[tuple[float, float | None]]] = {label: [] for label, _ in rows}
        for _ in range(args.runs):
            for label, command in rows:
                results[label].append(timed(command, env))
        for label, _command in rows:
            samples = results[label]
            walls = [w for w, _ in samples]
            readies = [r for _, r in samples if r is not None]
            ready = f"{statistics.median(readies) * 1000:.0f} ms" if readies else "—"
            print(
                f"| {label} | {statistics.median(walls) * 1000:.0f} ms | "
                f"{min(walls) * 1000:.0f} ms | {max(walls) * 1000:.0f} ms | {ready} |"
            )
        ours, peer = results["auditor app, Welcome screen"], results[rows[2][0]]
        wall_ratio = statistics.median(w for w, _ in ours) / statistics.median(w for w, _ in peer)
        print()
        print(
            "our app / peer app: "
            f"ready {_median_ready(ours) / _median_ready(peer):.2f}x, wall {wall_ratio:.2f}x; "
            f"load average {load_start} at the start, {_loadavg()} at the end"
        )
    return 0


def _median_ready(samples: list[tuple[float, float | None]]) -> float:
    return statistics.median(r for _, r in samples if r is not None)


def _loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "n/a"


if __name__ == "__main__":
    raise SystemExit(main())
