"""Round trips on the crawl's critical path: the demo candidate's site crawl under injected
latency, alone.

Every DNS answer and every HTTP response of the demo world is delayed by DELAY seconds, so
the crawl's wall time divided by DELAY counts the dependent round trips it waits for (the
name lookups of the site's host and the TLS connections included). The crawl of the demo
candidate's campaign site runs alone through the audit's own ``Services`` (``shared_crawl``);
page parsing is outside the timed part, so the count is round trips and not CPU. The server's
log gives the HTTP waves too: a wave is the requests that arrive while the previous wave's
first answer has not yet been sent (requests that could have gone out together).

Run: python benchmarks/crawl_round_trips.py [--delay 0.05] [--repeats 3]
Results: benchmarks/RESULTS-crawl.md
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time

from auditor.crawl import shared_crawl
from auditor.demo.web_server import Request
from auditor.demo.world import DemoWorld
from auditor.services import Services


async def one_crawl(delay: float) -> tuple[float, int, int]:
    world = DemoWorld(dns_delay=delay)
    world.web.delay = delay
    async with world:
        options = world.audit_options(dns_timeout=5.0, http_timeout=20.0, smtp_timeout=20.0)
        async with Services(options) as services:
            start = time.monotonic()
            await shared_crawl(services, world.profile.websites[0])
            wall = time.monotonic() - start
    return wall, len(world.web.requests), waves(world.web.requests, delay)


def waves(requests: list[Request], delay: float) -> int:
    """HTTP waves from arrival times: a new wave starts when a request arrives more than one
    delay after the first request of the current wave (it waited for an answer)."""
    arrivals = sorted(r.arrived for r in requests)
    count, first = 0, None
    for at in arrivals:
        if first is None or at >= first + delay * 0.9:
            count, first = count + 1, at
    return count


async def main(delay: float, repeats: int) -> None:
    await one_crawl(0.0)  # warm-up: imports and first-use caches are not latency
    walls: list[float] = []
    requests = wave_count = 0
    for _ in range(repeats):
        wall, requests, wave_count = await one_crawl(delay)
        walls.append(wall)
    median = statistics.median(walls)
    runs = ", ".join(f"{w:.2f}" for w in walls)
    print(f"delay {delay * 1000:.0f} ms, load {os.getloadavg()[0]:.2f}: crawl of the demo site "
          f"{median:.2f} s (runs: {runs}) = {median / delay:.1f} round trips; "
          f"{requests} HTTP requests in {wave_count} waves")  # fmt: skip


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--delay", type=float, default=0.05)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    asyncio.run(main(args.delay, args.repeats))
