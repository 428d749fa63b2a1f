"""auditor demo --serve, as a presenter uses it: started as its own process, the options it
prints point other commands (auditor spf, auditor scan) at the fictional candidate's world,
and Ctrl-C (SIGINT) stops it cleanly, removing its files and closing its ports."""

from __future__ import annotations

import json
import os
import queue
import shlex
import signal
import socket
import stat
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from auditor.commands.demo import READY_LINE
from auditor.demo import candidate

# Bounds so that a hang fails the test instead of the CI run; no speed is asserted.
START_LIMIT_SECONDS = 120
COMMAND_LIMIT_SECONDS = 180


@dataclass
class Served:
    process: subprocess.Popen[str]
    text: str
    options: list[str]
    audit_options: list[str]


def _line_after(text: str, heading: str) -> str:
    lines = text.splitlines()
    return next(lines[i + 1] for i, line in enumerate(lines) if line.startswith(heading))


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "data"), "TMPDIR": str(tmp_path)}
    process = subprocess.Popen(
        [sys.executable, "-m", "auditor", "demo", "--serve"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    assert process.stdout is not None
    lines: queue.Queue[str] = queue.Queue()

    def read() -> None:
        for line in process.stdout or ():
            lines.put(line)

    threading.Thread(target=read, daemon=True).start()
    seen: list[str] = []
    try:
        while not (seen and "projector" in seen[-1]):
            seen.append(lines.get(timeout=START_LIMIT_SECONDS))
        text = "".join(seen)
        options = shlex.split(_line_after(text, "Options that point"))
        audit = shlex.split(text.split("Audits also take:", 1)[1].splitlines()[0])
        yield Served(process, text, options, audit)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=30)
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()


def _option_values(options: list[str], name: str) -> list[str]:
    return [options[i + 1] for i, option in enumerate(options) if option == name]


def _auditor(*args: str, env_home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "XDG_DATA_HOME": str(env_home)}
    return subprocess.run(
        [sys.executable, "-m", "auditor", *args],
        capture_output=True, text=True, env=env, timeout=COMMAND_LIMIT_SECONDS,
        stdin=subprocess.DEVNULL, check=False,
    )  # fmt: skip


def test_serve_prints_every_option_and_the_story_in_order(served: Served) -> None:
    text, options = served.text, served.options
    assert text.startswith(READY_LINE)
    for name in ("--nameserver", "--connect-to", "--ca-file", "--endpoint"):
        assert _option_values(options, name), name
    assert _option_values(served.audit_options, "--trust-anchor")
    assert "--no-save" in served.audit_options  # a briefing leaves no audit in anyone's history
    story = [text.index(step) for step in ("stalker", "send email as", "two-step sign-in")]
    assert story == sorted(story)
    folder = Path(_option_values(options, "--ca-file")[0]).parent
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for path in folder.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


def test_other_commands_reach_the_served_world_and_ctrl_c_stops_it(
    served: Served, tmp_path: Path
) -> None:
    spf = _auditor("spf", candidate.DOMAIN, "--ip", "192.0.2.1", "--format", "json",
                   *served.options, env_home=tmp_path / "data")  # fmt: skip
    assert spf.returncode == 1, spf.stderr  # permerror (auditor spf's documented exit code)
    evaluated = json.loads(spf.stdout)
    assert evaluated["domain"] == candidate.DOMAIN and evaluated["lookups"] > 10  # the planted flaw
    assert evaluated["result"] == "permerror"

    scan = _auditor("scan", "--domain", candidate.DOMAIN, *served.options, *served.audit_options,
                    "--format", "json", "-q", env_home=tmp_path / "data")  # fmt: skip
    assert scan.returncode == 1, scan.stderr  # problems found
    report = json.loads(scan.stdout)
    dmarc = [f for r in report["results"] if r["check_id"] == "email.dmarc" for f in r["findings"]]
    assert any(f["status"] == "fail" for f in dmarc), dmarc  # the spoofable domain
    assert not (tmp_path / "data" / "candidate-auditor").exists()  # --no-save kept nothing

    nameserver = _option_values(served.options, "--nameserver")[0]
    port = int(nameserver.rsplit(":", 1)[1])
    folder = Path(_option_values(served.options, "--ca-file")[0]).parent
    served.process.send_signal(signal.SIGINT)
    assert served.process.wait(timeout=60) == 0
    assert served.process.stderr is not None
    errors = served.process.stderr.read()
    assert "has stopped" in errors and "Traceback" not in errors
    assert not folder.exists()
    with pytest.raises(ConnectionRefusedError), socket.create_connection(("127.0.0.1", port), 5):
        pass
