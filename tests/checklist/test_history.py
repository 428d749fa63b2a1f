"""The audit history: persistence across restarts, state, diff/verify, crash safety."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from auditor.actions import ActionSet
from auditor.changes import diff
from auditor.checklist import ItemStatus, build_checklist
from auditor.history import DEMO_SUBJECT, History, HistoryError
from auditor.model import Evidence, Report, Severity, Status

ReportFactory = Callable[..., Report]


def _home_finding(
    make_finding: Callable[..., object], location: str = "https://a.example/"
) -> object:
    return make_finding(
        "exposure.pages", Status.FAIL, Severity.CRITICAL, kind="home-address", location=location,
        actions=["exposure.remove-home-address"],
        evidence=[Evidence("page-text", location, "Jane lives at 12 Acacia Avenue, AB1 2CD",
                           sensitive=("12 Acacia Avenue", "AB1 2CD"),
                           detail={"secret": "JBSWY3DPEHPK3PXPJBSWY3DP", "n": 1})],
    )  # fmt: skip


def test_audits_persist_across_restarts_masked_and_without_secrets(
    tmp_path: Path, make_report: ReportFactory, make_finding: Callable[..., object]
) -> None:
    report = make_report([_home_finding(make_finding)])
    record = History(tmp_path / "h").save(report)
    fresh = History(tmp_path / "h")  # a new process, as far as the store can tell
    [listed] = fresh.audits()
    assert listed.id == record.id and listed.subject == "Jane Candidate"
    loaded = fresh.load(listed.id)
    # Same finding across the restart, though what is stored is masked.
    assert loaded.findings[0].fingerprint == report.findings[0].fingerprint
    assert loaded.sensitive == ()
    assert "12 Acacia Avenue" not in loaded.findings[0].evidence[0].snippet
    assert "[hidden]" in loaded.findings[0].evidence[0].snippet
    text = record.path.read_text(encoding="utf-8")
    assert "acacia" not in text.lower() and "AB1 2CD" not in text
    assert "JBSWY3DPEHPK3PXP" not in text and '"n": 1' in text
    assert fresh.warnings == []


def test_files_and_folders_are_private(
    tmp_path: Path, make_report: ReportFactory, make_finding: Callable[..., object]
) -> None:
    history = History(tmp_path / "candidate-auditor" / "history")
    record = history.save(make_report([]))
    history.tick("Jane Candidate", "email.dmarc-enforce")
    for directory in (history.root.parent, history.root, history.audits_dir, history.state_dir):
        assert stat.S_IMODE(directory.stat().st_mode) == 0o700, directory
    for path in (record.path, *history.state_dir.iterdir()):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


def test_default_root_is_the_user_data_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, make_report: ReportFactory
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    history = History()
    history.save(make_report([]))
    assert history.root == tmp_path / "data" / "candidate-auditor" / "history"
    assert (
        len(list((tmp_path / "data" / "candidate-auditor" / "history" / "audits").iterdir())) == 1
    )


def test_subjects_are_kept_apart_and_the_demo_never_mixes(
    tmp_path: Path, make_report: ReportFactory
) -> None:
    history = History(tmp_path)
    history.save(make_report([], started_at="2026-05-01T09:00:00Z"))
    history.save(make_report([], started_at="2026-05-02T09:00:00Z"), subject=DEMO_SUBJECT)
    history.save(make_report([], started_at="2026-05-01T10:00:00Z", subject="Other Person"))
    assert history.subjects() == ["Jane Candidate", "Other Person", "demo"]
    latest = history.latest()
    assert latest is not None and latest.subject == "Other Person"  # not the newer demo
    demo = history.latest(DEMO_SUBJECT)
    assert demo is not None and demo.label == "Jane Candidate"
    assert [r.subject for r in history.audits("Jane Candidate")] == ["Jane Candidate"]


def test_same_second_audits_do_not_overwrite(tmp_path: Path, make_report: ReportFactory) -> None:
    history = History(tmp_path)
    a = history.save(make_report([]))
    b = history.save(make_report([]))
    assert a.id != b.id and len(history.audits()) == 2
    assert history.previous(b) == a


def test_find_by_id_prefix_and_path(tmp_path: Path, make_report: ReportFactory) -> None:
    history = History(tmp_path)
    record = history.save(make_report([]))
    assert history.find(record.id[:12]) == record
    assert history.find(str(record.path)).id == record.id
    with pytest.raises(HistoryError, match="no saved audit"):
        history.find("1999")


def test_ticks_dismissals_and_answers_persist(tmp_path: Path) -> None:
    History(tmp_path).tick("Jane", "email.dmarc-enforce", at="2026-05-01T10:00:00+00:00")
    History(tmp_path).dismiss("Jane", "abcd1234abcd1234", note="accepted: party office")
    History(tmp_path).answer("Jane", "ffff0000ffff0000", "yes")
    History(tmp_path).tick("Jane", "web.add-headers")
    History(tmp_path).untick("Jane", "web.add-headers")
    state = History(tmp_path).load_state("Jane")
    assert state.ticked == {"email.dmarc-enforce": "2026-05-01T10:00:00+00:00"}
    assert state.dismissed == {"abcd1234abcd1234": "accepted: party office"}
    assert state.answers == {"ffff0000ffff0000": "yes"}
    assert History(tmp_path).load_state("Someone else").ticked == {}
    History(tmp_path).undismiss("Jane", "abcd1234abcd1234")
    assert History(tmp_path).load_state("Jane").dismissed == {}


def test_diff_fixed_new_still_open_and_not_rechecked(
    make_report: ReportFactory, make_finding: Callable[..., object]
) -> None:
    f = make_finding
    home_a = _home_finding(f, "https://a.example/")
    home_b = _home_finding(f, "https://b.example/")
    dmarc = f("email.dmarc", Status.FAIL, actions=["email.dmarc-enforce"])
    spf_fail = f("email.spf", Status.FAIL, actions=["email.spf-fix"])
    spf_timeout = f("email.spf", Status.TIMEOUT)
    headers = f("web.headers", Status.WARN, Severity.LOW)
    old = make_report([home_a, dmarc, spf_fail])
    new = make_report([home_b, dmarc, spf_timeout, headers])
    changes = diff(old, new)
    assert [x.location for x in changes.fixed] == ["https://a.example/"]
    assert {x.check_id for x in changes.new} == {"exposure.pages", "web.headers"}
    assert [x.check_id for x in changes.still_open] == ["email.dmarc"]
    assert [x.check_id for x in changes.not_rechecked] == ["email.spf"]  # timeout is not "fixed"


def test_reaudit_verifies_fixed_actions_and_unverifies_regressions(
    tmp_path: Path,
    make_report: ReportFactory,
    make_finding: Callable[..., object],
    actions: ActionSet,
) -> None:
    f = make_finding
    dmarc = f("email.dmarc", Status.FAIL, actions=["email.dmarc-enforce"])
    first = make_report(
        [_home_finding(f), dmarc, f("web.headers", Status.WARN, Severity.LOW,
                                    actions=["web.add-headers"])],
        started_at="2026-05-01T09:00:00Z",
    )  # fmt: skip
    history = History(tmp_path)
    assert history.record(first, actions).diff is None
    history.tick("Jane Candidate", "exposure.remove-home-address")

    home_gone = f("exposure.pages", Status.PASS, Severity.INFO, kind="home-address",
                  location="https://a.example/")  # fmt: skip
    second = make_report(
        [home_gone, dmarc, f("web.headers", Status.PASS, Severity.INFO)],
        started_at="2026-05-08T09:00:00Z",
    )
    recorded = History(tmp_path).record(second, actions)
    assert set(recorded.verified) == {"exposure.remove-home-address", "web.add-headers"}
    state = History(tmp_path).load_state("Jane Candidate")
    assert "exposure.remove-home-address" not in state.ticked  # the tick became a verification
    checklist = build_checklist(second, actions, state)
    item = checklist.item("exposure.remove-home-address")
    assert item is not None and item.status is ItemStatus.VERIFIED
    assert item.verified is not None and item.verified.at == "2026-05-08T09:00:00Z"
    open_item = checklist.item("email.dmarc-enforce")
    assert open_item is not None and open_item.status is ItemStatus.OPEN

    third = make_report([_home_finding(f), dmarc], started_at="2026-05-15T09:00:00Z")
    History(tmp_path).record(third, actions)
    state = History(tmp_path).load_state("Jane Candidate")
    assert "exposure.remove-home-address" not in state.verified
    assert "web.add-headers" in state.verified  # web.headers was not run: nothing regressed
    item = build_checklist(third, actions, state).item("exposure.remove-home-address")
    assert item is not None and item.status is ItemStatus.OPEN


def test_corrupt_foreign_and_partial_files_are_skipped_with_a_warning(
    tmp_path: Path, make_report: ReportFactory, make_finding: Callable[..., object]
) -> None:
    history = History(tmp_path)
    good = history.save(make_report([_home_finding(make_finding)]))
    text = good.path.read_text(encoding="utf-8")
    audits = history.audits_dir
    (audits / "20260101T000000Z--truncated.json").write_text(text[: len(text) // 2])
    (audits / "20260102T000000Z--foreign.json").write_text('{"hello": "world"}')
    (audits / "20260103T000000Z--list.json").write_text("[1, 2, 3]")
    (audits / "20260104T000000Z--binary.json").write_bytes(b"\xff\xfe\x00garbage")
    (audits / "20260105T000000Z--empty.json").write_text("")
    broken = json.loads(text)
    del broken["report"]["results"]
    (audits / "20260106T000000Z--incomplete.json").write_text(json.dumps(broken))
    (audits / f".{good.path.name}.abc123.tmp").write_text(text[:100])  # interrupted write
    (audits / "notes.txt").write_text("not an audit")
    fresh = History(tmp_path)
    assert [r.id for r in fresh.audits()] == [good.id]
    assert len(fresh.warnings) == 6 and all(w.startswith("skipped ") for w in fresh.warnings)
    assert fresh.load(fresh.audits()[0]).subject == "Jane Candidate"
    with pytest.raises(HistoryError):
        fresh.load(fresh.find(str(audits / "20260102T000000Z--foreign.json")))


def test_corrupt_state_is_set_aside_not_fatal(tmp_path: Path) -> None:
    history = History(tmp_path)
    history.tick("Jane", "email.dmarc-enforce")
    [path] = history.state_dir.iterdir()
    path.write_text("{ not json")
    fresh = History(tmp_path)
    assert fresh.load_state("Jane").ticked == {}
    assert fresh.warnings and "unreadable" in fresh.warnings[0]
    assert (history.state_dir / f"{path.name}.unreadable").exists()
    fresh.tick("Jane", "web.add-headers")
    assert list(History(tmp_path).load_state("Jane").ticked) == ["web.add-headers"]


# The child saves audits in a loop. Its file writes are instrumented to stop half-way
# through the data (after flushing that half to disk) and wait for the parent, which then
# either lets it go on or kills it right there: a deterministic "killed mid-write".
_WRITER = textwrap.dedent(
    """
    import os, sys
    from pathlib import Path

    real_fdopen = os.fdopen

    class HalfThenWait:
        def __init__(self, stream):
            self.stream = stream
        def write(self, text):
            half = len(text) // 2
            self.stream.write(text[:half])
            self.stream.flush()
            os.fsync(self.stream.fileno())
            print("half-written", flush=True)
            sys.stdin.readline()
            return self.stream.write(text[half:]) + half
        def __getattr__(self, name):
            return getattr(self.stream, name)
        def __enter__(self):
            self.stream.__enter__()
            return self
        def __exit__(self, *exc):
            return self.stream.__exit__(*exc)

    os.fdopen = lambda *a, **k: HalfThenWait(real_fdopen(*a, **k))

    from auditor.history import History
    from auditor.model import CheckResult, Evidence, Finding, Report, Severity, Status

    findings = tuple(
        Finding("exposure.pages", Status.FAIL, Severity.HIGH, "m", "Jane", location=f"u{i}",
                evidence=(Evidence("page-text", f"u{i}", "x" * 5000),))
        for i in range(20)
    )
    history = History(Path(sys.argv[1]))
    for n in range(1000):
        report = Report("Jane", f"2026-05-01T09:{n // 60 % 60:02d}:{n % 60:02d}Z", "", "0",
                        (CheckResult("exposure.pages", "Jane", findings, "", 0.1),))
        history.save(report)
        history.tick("Jane", f"general.action-{n}")
    """
)


@pytest.mark.parametrize("kill_at", [1, 2, 3, 4, 7, 10])
def test_killing_the_writer_mid_save_never_corrupts_the_history(
    tmp_path: Path, kill_at: int
) -> None:
    """Odd kill points land in an audit file's write, even ones in the state file's."""
    root = tmp_path / "history"
    child = subprocess.Popen(
        [sys.executable, "-c", _WRITER, str(root)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )
    assert child.stdin is not None and child.stdout is not None
    writes = 0
    for line in child.stdout:
        if line.strip() == "half-written":
            writes += 1
            if writes == kill_at:
                break
            child.stdin.write("\n")
            child.stdin.flush()
    child.send_signal(signal.SIGKILL)
    child.wait()
    child.stdin.close()
    child.stdout.close()
    assert writes == kill_at and child.returncode == -signal.SIGKILL
    history = History(root)
    records = history.audits()
    assert len(records) == kill_at // 2  # completed saves only
    for record in records:
        assert len(history.load(record).findings) == 20
    assert len(history.load_state("Jane").ticked) == (kill_at - 1) // 2
    assert history.warnings == []
    assert list(root.rglob("*.tmp"))  # the half-written temporary file is really there
