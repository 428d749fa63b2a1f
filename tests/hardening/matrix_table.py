"""The "Observed results" table of docs/fault-matrix.md, from a recorded matrix run.

    HARDENING_MATRIX_OUT=matrix.jsonl pytest tests/hardening/test_faults.py
    python tests/hardening/matrix_table.py matrix.jsonl > table.md

Each case's rows: check @ target, its overall status, and the finding that names the cause
(the first could-not-check finding, else the first fail, else the first finding), with the
demo's domains shortened to D and P so the table stays readable.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

SHORT = (
    ("https://www.alexmarlowe.example/", "site"),
    ("alexmarlowe.example", "D"),
    ("marlowe4hollinvale.example", "P"),
)
WIDTH = 120


def shorten(text: str, *, target: bool = False) -> str:
    for long, short in SHORT if target else SHORT[1:]:
        text = text.replace(long, short)
    return text


def cause(findings: list[list[str]]) -> str:
    for wanted in (("error", "timeout"), ("fail",), ()):
        for status, message in findings:
            if not wanted or status in wanted:
                message = shorten(message).replace("|", "\\|")
                return message if len(message) <= WIDTH else message[: WIDTH - 1] + "…"
    return ""


def table(lines: list[str]) -> str:
    out = [
        "| fault | check @ target | status | the finding that names the cause |",
        "|---|---|---|---|",
    ]
    for line in lines:
        entry = json.loads(line)
        peak = f" (peak traced memory {entry['peak_mb']} MB)" if entry["peak_mb"] else ""
        first = f"**{entry['case']}**: {shorten(entry['fault'])}{peak}"
        for index, row in enumerate(entry["rows"]):
            target = row["target"] if "." in row["target"] else "person"  # profile-wide
            where = f"{row['check']} @ {shorten(target, target=True)}"
            head = first if index == 0 else ""
            out.append(f"| {head} | {where} | {row['status']} | {cause(row['findings'])} |")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    recorded = Path(sys.argv[1]).read_text(encoding="utf-8").splitlines()
    sys.stdout.write(table([line for line in recorded if line.strip()]))
