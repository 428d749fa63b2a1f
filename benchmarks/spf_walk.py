"""The SPF tree walk, level by level vs each level at once, side by side in one run.

The demo world's campaign domain has the deep SPF tree (nested includes, ``mx``, ``a``
and ``a:`` terms). Its DNS server adds DELAY to every answer, so the walk's wall time
divided by DELAY is the number of dependent round trips on its path. Two walkers fetch
the same tree from the same server, alternately, REPEATS times each:

- ``serial``: the walk as it was before issue 19 (a record's a/mx/exists checks are
  awaited, and only then are its includes fetched);
- ``at once``: the walk in auditor/standards/email/spf_policy.py (the checks and the
  includes of a record asked together).

Both must find the same tree, lookup count, void lookups and DNS errors; the script
checks that before it prints anything.

Run: python benchmarks/spf_walk.py [--delay 0.1] [--repeats 3]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time

from auditor.demo import candidate as c
from auditor.demo.world import DemoWorld
from auditor.net.dns import DnsClient
from auditor.standards.email import spf_policy
from auditor.standards.email.spf_policy import SpfNode, SpfPolicy, _Walker


class SerialWalker(_Walker):
    """The walk before issue 19: a record's checks first, then its includes."""

    async def follow(self, node: SpfNode, path: tuple[str, ...], at: tuple[int, ...]) -> None:
        record = node.record
        assert record is not None
        children: list[tuple[str, str]] = []
        checks = []
        for index, mechanism in enumerate(record.mechanisms):
            spec = mechanism.domain
            if spec is not None and spec.has_macros:
                self.dynamic.append(f"{mechanism.text} in {node.domain}")
                continue
            target = node.domain if spec is None else spf_policy.query_name(spec.text)
            if target is None:
                continue
            if mechanism.name == "include":
                children.append((target, f"include:{target}"))
            elif (
                mechanism.name in ("a", "mx", "exists")
                and self.name_checks < spf_policy.MAX_NAME_CHECKS
            ):
                self.name_checks += 1
                checks.append(
                    self.void_check(mechanism.name, target, mechanism.text, (*at, 0, index))
                )
        redirect = record.redirect
        if (
            redirect is not None
            and record.all_mechanism is None
            and not redirect.has_macros
            and (target := spf_policy.query_name(redirect.text)) is not None
        ):
            children.append((target, f"redirect={target}"))
        await asyncio.gather(*checks)
        node.children = list(
            await asyncio.gather(
                *(self.node(t, via, path, (*at, 1, i)) for i, (t, via) in enumerate(children))
            )
        )


async def walk(walker_class: type[_Walker], dns: DnsClient, domain: str) -> SpfPolicy:
    walker = walker_class(dns)
    root = await walker.node(domain, "", ())
    return SpfPolicy(
        root,
        spf_policy._in_tree_order(walker.voids),
        spf_policy._in_tree_order(walker.mx_over),
        spf_policy._in_tree_order(walker.errors),
        walker.dynamic,
        walker.truncated,
    )


def summary(policy: SpfPolicy) -> tuple[object, ...]:
    return (policy.tree_text(), policy.lookups, policy.voids, policy.dns_errors)


async def main(delay: float, repeats: int) -> None:
    walls: dict[str, list[float]] = {"serial": [], "at once": []}
    queries: dict[str, int] = {}
    seen: dict[str, tuple[object, ...]] = {}
    async with DemoWorld(dns_delay=delay) as world:
        options = world.audit_options(dns_timeout=5.0)
        for _ in range(repeats):
            for name, walker in (("serial", SerialWalker), ("at once", _Walker)):
                # A fresh client each time: nothing cached between runs.
                with DnsClient(options.nameservers, timeout=5.0) as dns:
                    started = time.monotonic()
                    policy = await walk(walker, dns, c.DOMAIN)
                    walls[name].append(time.monotonic() - started)
                    queries[name] = dns.queries_sent
                seen[name] = summary(policy)
    if seen["serial"] != seen["at once"]:
        sys.exit("the two walks found different trees: not comparable")
    load = os.getloadavg()[0]
    lookups = seen["serial"][1]
    print(
        f"\nSPF tree of {c.DOMAIN} (demo world), {delay * 1000:.0f} ms per DNS answer, "
        f"{lookups} lookup terms, {repeats} runs each, load average {load:.2f}\n"
    )
    print("| walk | DNS queries | wall s (runs) | median s | round trips (median / delay) |")
    print("| --- | ---: | --- | ---: | ---: |")
    for name, runs in walls.items():
        median = statistics.median(runs)
        print(
            f"| {name} | {queries[name]} | {' / '.join(f'{w:.3f}' for w in runs)} | "
            f"{median:.3f} | {median / delay:.1f} |"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--delay", type=float, default=0.1)
    parser.add_argument("--repeats", type=int, default=3)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.delay, arguments.repeats))
