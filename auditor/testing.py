"""The public harness for checks, for the project's tests and a plugin's alike: run one check
as the engine would (its ``requires`` run first, their results handed over through the
context), but directly, so that a bug raises in the test instead of becoming an "internal
error" finding. It talks to whatever ``Services`` it is given: real servers, on loopback in
tests."""

from __future__ import annotations

from collections.abc import Iterable

from auditor.check import Check, CheckContext
from auditor.model import CheckResult, Finding
from auditor.profile import Profile
from auditor.registry import discover, load_check
from auditor.services import Services


async def run_check(
    check: type[Check],
    target: str,
    services: Services,
    profile: Profile | None = None,
    *,
    provided: Iterable[type[Check]] = (),
) -> CheckResult:
    """The findings and published facts of ``check`` on ``target``. Checks it requires are
    taken from ``provided`` or else from the ``auditor.checks`` entry points, and run first on
    the same target (each once). The caller closes ``services``."""
    profile = profile or Profile(name="Test Candidate", domains=(target,), websites=(target,))
    classes = {c.meta.id: c for c in provided}
    done: dict[str, CheckResult] = {}

    def resolve(check_id: str) -> type[Check]:
        if check_id not in classes:
            entry = discover().get(check_id)
            if entry is None:
                raise LookupError(f"{check.meta.id} requires {check_id}, which is not registered")
            classes[check_id] = load_check(entry.module, entry.attr)
        return classes[check_id]

    async def run_one(current: type[Check]) -> CheckResult:
        for required in current.meta.requires:
            if required not in done:
                done[required] = await run_one(resolve(required))

        async def lookup(check_id: str) -> list[CheckResult]:
            return [done[check_id]]

        ctx = CheckContext(current.meta, target, profile, services, lookup)
        findings: list[Finding] = list(await current().run(ctx))
        return CheckResult(
            current.meta.id, target, tuple(findings), ctx.now_iso(), 0.0, facts=dict(ctx.facts)
        )

    return await run_one(check)
