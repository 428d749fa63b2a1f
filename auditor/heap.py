"""Keeping the garbage collector's full collections short: what outlives an audit is frozen.

CPython's full (generation 2) collection walks every object the collector tracks, in one
piece and holding the GIL. With an audit's imports (dnspython, httpx, cryptography, the
checks) that is ~100,000 objects and 40-100 ms, and whether it runs on the loop thread or in
a worker thread, the event loop (the app's screen, the audit's network work) waits for all
of it (benchmarks/loop_stall.py). ``gc.freeze()`` moves every object alive into a permanent
generation that no collection walks. A frozen object is still freed when its last reference
goes; only one that later becomes part of an unreachable cycle stays until it is unfrozen.

``settle()`` collects the garbage, which walks only what is not frozen yet, and then freezes
the survivors. It is called where the loop has nothing to do: before a command's loop
starts (``auditor scan``, ``auditor bulk``) and after each of the app's audits, once its
outcome is drawn (the app freezes its start-up objects without collecting them, see
``CandidateAuditorApp.on_mount``). After the first audit that collection walks the audit's
imports, once (~55,000 objects, 30-40 ms of CPU); after a re-audit, only what that audit
left (a few thousand objects, 10-20 ms). It also sets CPython's count of long-lived objects
to the whole heap, so an automatic full collection during the next audit waits until a
quarter as many again have survived, and then walks only those.

What ``HeapSettler`` bounds: objects frozen alive that die in a cycle afterwards (each
audit's entry-point lookup in importlib.metadata leaves ~10) are kept while frozen. Its
first ``settle`` (after the app's first audit, whose imports are meant to stay) marks the
frozen set's size; once the set has grown by a quarter since then, or since it was last
reclaimed, ``settle`` unfreezes it and collects the whole heap once (one full collection,
at that idle point), so the memory of an app that re-audits many times stays bounded.
"""

from __future__ import annotations

import gc

REGROWTH = 0.25  # frozen growth, as a share of the frozen set last reclaimed, that reclaims it


def settle() -> None:
    """Collect the unfrozen garbage, then freeze what is left (see the module's docstring)."""
    gc.collect()
    gc.freeze()


class HeapSettler:
    """``settle()`` for a process that audits again and again (the app): each call also
    reclaims the frozen set, with one full collection, when it has grown by ``regrowth``
    since that was last done."""

    def __init__(self, regrowth: float = REGROWTH) -> None:
        self.regrowth = regrowth
        self.reclaimed_at: int | None = None  # the frozen count after the last reclaim
        self.settled = 0  # how many times settle ran (and reclaim, below)
        self.reclaims = 0

    def settle(self) -> None:
        settle()
        self.settled += 1
        frozen = gc.get_freeze_count()
        if self.reclaimed_at is None:
            self.reclaimed_at = frozen
        elif frozen > self.reclaimed_at * (1 + self.regrowth):
            self.reclaim()

    def reclaim(self) -> None:
        """Unfreeze everything, collect it all (the cycles that died while frozen), freeze."""
        gc.unfreeze()
        settle()
        self.reclaimed_at = gc.get_freeze_count()
        self.reclaims += 1
