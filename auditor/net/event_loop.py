"""The event loop a headless bulk run uses: uvloop's (libuv, in C) where it is installed.

A bulk audit of thousands of domains is bound by its event loop's own work once the DNS
server keeps up: scheduling the tasks, futures, timers and datagrams of ~10 queries per
domain. uvloop does that work in C and cuts the CPU per domain by about a fifth
(benchmarks/RESULTS.md); it has no Windows build, so there the standard loop runs, with
the same behaviour. The app keeps Textual's own loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def run(main: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run(main)``, on uvloop's loop when it can be imported."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(main)
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(main)
