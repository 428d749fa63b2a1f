"""Interactive checks: what the person did in the app is kept beside the ticks and reported by
the next audit, from the CLI as from the app; a hand-edited state file cannot break it."""

from __future__ import annotations

import json
from pathlib import Path

from auditor import cli
from auditor.checklist import ChecklistState
from auditor.history import DEMO_SUBJECT, History
from auditor.interactions import Interaction
from auditor.model import Status

TOTP = Interaction(
    "accounts.totp_selftest",
    Status.PASS,
    "Your authenticator app passed the self-test and your phone's clock is right.",
    "2026-11-30T09:15:00+00:00",
    {"clock_steps": 0, "drift_seconds": 0},
)


def test_state_round_trip_and_malformed_entries() -> None:
    state = ChecklistState(interactions={TOTP.check_id: TOTP})
    assert ChecklistState.from_dict(json.loads(json.dumps(state.to_dict()))) == state
    hand_edited = {
        "interactions": {
            "a": {"check_id": "accounts.passwords", "status": "pass", "message": "x" * 10_000},
            "b": {"check_id": "accounts.totp_selftest", "status": "manual"},  # not an outcome
            "c": {"status": "pass"},  # no check id
            "d": "not a table",
            "e": {"check_id": "x", "status": "fail", "facts": {"n": 1, "nested": {"a": 1}}},
        }
    }
    read = ChecklistState.from_dict(hand_edited).interactions
    assert set(read) == {"accounts.passwords", "x"}
    assert len(read["accounts.passwords"].message) == 400
    assert read["x"].facts == {"n": 1}
    assert ChecklistState.from_dict({"interactions": []}).interactions == {}


def test_the_next_audit_reports_what_was_recorded(tmp_path: Path, monkeypatch: object) -> None:
    History().save_state(DEMO_SUBJECT, ChecklistState(interactions={TOTP.check_id: TOTP}))
    out = tmp_path / "report.json"
    assert cli.main(["demo", "--headless", "--format", "json", "-o", str(out), "-q"]) in (0, 1)
    report = json.loads(out.read_text())
    findings = {f["check_id"]: f for r in report["results"] for f in r["findings"]}
    totp = findings["accounts.totp_selftest"]
    assert totp["status"] == "pass" and "2026-11-30" in totp["message"]
    assert totp["evidence"][0]["source"] == "interactive"
    # Not run in the app yet: the audit invites the person to do it, it does not skip it.
    assert findings["accounts.passwords"]["status"] == "manual"
