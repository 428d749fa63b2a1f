"""Pure parsers for MTA-STS (RFC 8461): the ``_mta-sts`` TXT record, the policy file, and
the policy's ``mx`` patterns.

Only ``MtaStsError`` is ever raised. Work is bounded: the policy is capped at 64 KiB and
1,000 lines, and patterns are compared label by label (no regular expressions).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from auditor.standards.digits import ascii_int

MAX_POLICY_BYTES = 64 * 1024
MAX_LINES = 1000
MAX_MAX_AGE = 31_557_600  # one year (RFC 8461 §3.2)
MIN_ENFORCE_MAX_AGE = 1_209_600  # two weeks; shorter leaves gaps an attacker can use
MODES = ("enforce", "testing", "none")

_ID = re.compile(r"[A-Za-z0-9]{1,32}")
_KEY = re.compile(r"[A-Za-z0-9_.-]{1,32}")


class MtaStsError(ValueError):
    """The record or policy cannot be used, with a human reason."""


@dataclass(frozen=True)
class StsRecord:
    id: str
    extensions: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class MtaStsPolicy:
    version: str
    mode: str
    max_age: int
    mx: tuple[str, ...]
    problems: tuple[str, ...] = ()  # recoverable oddities (unknown keys are not problems)


def starts_with_version(text: str, version: str) -> bool:
    """Whether a TXT record begins with exactly this version field: the record's first bytes
    are ``version``, then a field delimiter (``*WSP ";"``) or the end, so ``v=STSv12`` and
    `` v=STSv1`` are not ``v=STSv1`` (RFC 8461 §3.1, RFC 8460 §3 grammars)."""
    if not text.startswith(version):
        return False
    rest = text[len(version) :].lstrip(" \t")
    return rest == "" or rest.startswith(";")


def is_sts_record(text: str) -> bool:
    """Senders consider only TXT records that start with ``v=STSv1`` (RFC 8461 §3.1)."""
    return starts_with_version(text, "v=STSv1")


def parse_sts_record(text: str) -> StsRecord:
    if len(text) > 4096:
        raise MtaStsError("the record is longer than 4096 characters")
    fields = [f.strip() for f in text.strip().split(";")]
    if fields and fields[-1] == "":
        fields.pop()
    if not fields or fields[0] != "v=STSv1":
        raise MtaStsError('the record must start with "v=STSv1"')
    record_id: str | None = None
    extensions: list[tuple[str, str]] = []
    for field in fields[1:]:
        key, sep, value = field.partition("=")
        key, value = key.strip(), value.strip()
        if not sep or not _KEY.fullmatch(key):
            raise MtaStsError(f"malformed field {field[:60]!r}")
        if key == "id":
            if record_id is not None:
                raise MtaStsError("the id field appears twice")
            if not _ID.fullmatch(value):
                raise MtaStsError(f"the id {value[:60]!r} is not 1-32 letters and digits")
            record_id = value
        elif key == "v":
            raise MtaStsError("the v field appears twice")
        else:
            extensions.append((key, value[:200]))
    if record_id is None:
        raise MtaStsError("the record has no id field")
    return StsRecord(record_id, tuple(extensions))


def parse_policy(text: str) -> MtaStsPolicy:
    """The policy file's fields; raises MtaStsError when a sender would reject it."""
    if len(text.encode("utf-8", errors="replace")) > MAX_POLICY_BYTES:
        raise MtaStsError("the policy is larger than 64 KiB")
    indented = False
    lines = text.splitlines()
    if len(lines) > MAX_LINES:
        raise MtaStsError(f"the policy has more than {MAX_LINES} lines")
    values: dict[str, str] = {}
    mx: list[str] = []
    problems: list[str] = []
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line:
            continue
        if raw[:1] in (" ", "\t") and not indented:
            # The §3.2 grammar starts each line with its key; a sender may skip such a line.
            problems.append(
                f"line {number} starts with whitespace ({line[:40]!r}), which RFC 8461 3.2 "
                "does not allow; a strict sender may not read it"
            )
            indented = True
        key, sep, value = line.partition(":")
        key, value = key.strip(), value.strip()
        if not sep or not key:
            problems.append(f"line {number} is not 'key: value': {line[:60]!r}")
            continue
        if key == "mx":
            mx.append(value.lower().rstrip("."))
        elif key in ("version", "mode", "max_age"):
            if key in values:
                problems.append(f"{key} appears more than once; the first value is used")
                continue
            values[key] = value
    version = values.get("version")
    if version != "STSv1":
        raise MtaStsError(
            'the policy has no "version: STSv1" line'
            if version is None
            else f"the version is {version[:40]!r}, not STSv1"
        )
    mode = values.get("mode")
    if mode not in MODES:
        raise MtaStsError(
            "the policy has no mode"
            if mode is None
            else f"the mode {mode[:40]!r} is not enforce, testing or none"
        )
    age_text = values.get("max_age")
    if age_text is None:
        raise MtaStsError("the policy has no max_age")
    parsed_age = ascii_int(age_text, max_digits=10)
    if parsed_age is None:
        raise MtaStsError(f"max_age {age_text[:40]!r} is not a whole number of seconds")
    max_age = parsed_age
    if max_age > MAX_MAX_AGE:
        raise MtaStsError(f"max_age {max_age} is more than the allowed {MAX_MAX_AGE} (one year)")
    for pattern in mx:
        if not valid_pattern(pattern):
            problems.append(f"the mx pattern {pattern[:80]!r} is not a valid host name or *.name")
    if mode != "none" and not mx:
        raise MtaStsError(f"a policy in {mode} mode must list at least one mx")
    return MtaStsPolicy(version, mode, max_age, tuple(mx), tuple(problems))


def valid_pattern(pattern: str) -> bool:
    name = pattern[2:] if pattern.startswith("*.") else pattern
    labels = name.split(".")
    return (
        len(name) <= 253
        and len(labels) >= 2
        and all(
            0 < len(label) <= 63
            and label.replace("-", "").replace("_", "").isalnum()
            and label.isascii()
            and not label.startswith("-")
            and not label.endswith("-")
            for label in labels
        )
    )


def mx_matches(pattern: str, host: str) -> bool:
    """RFC 8461 §4.1: exact, case-insensitive; ``*.`` stands for exactly one leftmost label."""
    pattern = pattern.strip().lower().rstrip(".")
    host = host.strip().lower().rstrip(".")
    if not pattern or not host:
        return False
    if pattern.startswith("*."):
        head, sep, rest = host.partition(".")
        return bool(sep) and bool(head) and head != "*" and rest == pattern[2:]
    return "*" not in pattern and host == pattern


def uncovered_mx(patterns: Iterable[str], hosts: Iterable[str]) -> list[str]:
    """The MX hosts no pattern matches (mail to them fails once the policy is enforced)."""
    patterns = list(patterns)
    return [h for h in hosts if not any(mx_matches(p, h) for p in patterns)]
