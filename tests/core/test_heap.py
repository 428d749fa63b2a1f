"""What outlives an audit is frozen, and the frozen set stays bounded (auditor/heap.py).

A full collection walks exactly the objects ``gc.get_objects()`` lists (the frozen ones are
not among them), so these tests ask what it lists and count objects; nothing is timed."""

from __future__ import annotations

import gc
import weakref

from auditor.audit import run_audit
from auditor.heap import REGROWTH, HeapSettler, settle
from auditor.profile import profile_for_domain
from auditor.testing import loopback_dns, loopback_options
from tests.support.zones import small_zone

DOMAIN = "example-campaign.org.uk"
EMAIL_CHECKS = ("email.spf", "email.dmarc", "email.mx")


class Cycle:
    """Refers to itself: when dropped, only a collection frees it, never its reference count."""

    def __init__(self) -> None:
        self.me = self


def walked_by_a_full_collection(thing: object) -> bool:
    assert gc.is_tracked(thing)
    return any(each is thing for each in gc.get_objects())


def test_settle_collects_the_garbage_before_it_freezes_the_survivors() -> None:
    kept, dropped = Cycle(), Cycle()
    dropped_ref = weakref.ref(dropped)
    del dropped
    settle()
    assert dropped_ref() is None  # collected: a bare gc.freeze() would have kept it for good
    assert not walked_by_a_full_collection(kept)


async def test_a_re_audit_leaves_its_report_frozen_and_the_frozen_set_no_bigger() -> None:
    settler = HeapSettler()
    frozen_after: list[int] = []
    async with loopback_dns(small_zone(DOMAIN)) as dns:
        options = loopback_options(dns.port)
        for _ in range(6):
            report = await run_audit(
                profile_for_domain(DOMAIN), options, selected=list(EMAIL_CHECKS)
            )
            assert len(report.results) == len(EMAIL_CHECKS)
            assert walked_by_a_full_collection(report)
            settler.settle()
            # the next audit's full collections no longer walk this report or its findings,
            # and what they would walk is a sliver of the heap
            assert not walked_by_a_full_collection(report)
            assert not walked_by_a_full_collection(report.results[0].findings[0])
            assert len(gc.get_objects()) < gc.get_freeze_count() // 100
            frozen_after.append(gc.get_freeze_count())
            del report  # replaced by the next audit's, as in the app
    # What a re-audit keeps alive is freed when the next one replaces it, so the frozen set
    # hardly grows after the first audit (whose imports stay): 14 objects a re-audit here,
    # importlib.metadata's entry-point lookups that die in cycles (10, which a reclaim
    # frees) and the test DNS server's query log (4). One report is ~50 objects.
    growth = frozen_after[-1] - frozen_after[1]
    assert growth < 20 * (len(frozen_after) - 2), frozen_after


def test_frozen_cycles_that_die_are_reclaimed_once_the_frozen_set_grows_by_a_quarter() -> None:
    settler = HeapSettler()
    settler.settle()
    first = gc.get_freeze_count()
    batch = first // 40 + 1  # each round leaves a twentieth of the heap frozen, then dead
    for _ in range(16):  # (a Cycle is two objects) 80% of the heap, were nothing reclaimed
        survivors = [Cycle() for _ in range(batch)]
        settler.settle()  # frozen alive...
        del survivors  # ...and then dead, in cycles no frozen collection frees
    settler.settle()
    assert settler.reclaims >= 1
    assert gc.get_freeze_count() <= first * (1 + REGROWTH) + 4 * batch
