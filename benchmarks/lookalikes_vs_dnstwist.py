"""Lookalike names, side by side with dnstwist: recall of its registrable plain-ASCII names
within our default bound, and the time both generators take.

dnstwist (PyPI, pinned in the `bench` extra) is given the dictionaries it ships
(`dictionaries/common_tlds.dict` and `dictionaries/english.dict` of its repository, Apache
2.0, as data below) plus four campaign words, and all of its fuzzers. Its names are counted
when they are *registrable and plain ASCII*:

- ASCII only (its IDN homoglyphs and Cyrillic names are left out: Nominet takes no IDNs, and
  no registry following ICANN's IDN guidelines takes a label mixing scripts);
- a registrable name itself: one label under a public suffix (its `subdomain` kind,
  ``alex.marlowe.org.uk``, is a name under *another* registrable domain, so it is left out);
- not under an ending nobody can register in (gov, edu, mil, int).

Recall is the share of those names that `permutations(domain, limit=DEFAULT)` produces —
the names the `domain.lookalikes` check looks up by default. Time is the median of N runs of
each generator for the same domain (dnstwist's `Fuzzer.generate()`, with its IDN work).

Run:  pip install -e '.[bench]' && python benchmarks/lookalikes_vs_dnstwist.py [-n 5]
"""

from __future__ import annotations

import argparse
import collections
import statistics
import sys
import time
from pathlib import Path

import dnstwist

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from auditor.net.domains import organisational_domain, public_suffix
from auditor.services import AuditOptions
from auditor.standards.domain.permutations import permutations

DEFAULT = AuditOptions().lookalikes

# Fictional campaign domains under real endings, short to long, with and without hyphens.
DOMAINS = (
    "jo4mp.uk",
    "alexmarlowe.org.uk",
    "votepatel.co.uk",
    "samokafor.com",
    "team-okafor.org.uk",
    "fernbridgeprogressives.org",
    "marlowe4hollinvale.uk",
    "hollinvale-greens.org.uk",
    "lucyfraser2026.co.uk",
    "wendyschofield.uk",
    "keepbrightonlocal.org",
    "newtownindependents.co.uk",
)

# dnstwist's dictionaries/common_tlds.dict ("100 most popular TLDs by Google index").
_DNSTWIST_TLDS = """com net org jp de uk fr com.br it ru es me gov pl ca au cn co in nl edu info
eu ch id at kr cz mx be tv se tr tw al ua ir vn cl sk ly cc to no fi us pt dk ar hu tk gr il news
ro my biz ie za nz sg ee th io xyz pe bg hk rs lt link ph club si site mobi by cat wiki la ga xxx
cf hr ng jobs online kz ug gq ae is lv pro fm tips ms sa app"""
DNSTWIST_TLDS = _DNSTWIST_TLDS.split()
# dnstwist's dictionaries/english.dict, and the campaign words the issue names.
_DNSTWIST_WORDS = """auth access account admin agree blue business cdn choose claim cl click
confirm confirmation connect download enroll find group http https https-www install login mobile
mail my online pay payment payments portal recovery register ssl safe secure security service
services signin signup support summary update user verify verification view ww www web"""
DNSTWIST_WORDS = _DNSTWIST_WORDS.split()
CAMPAIGN_WORDS = ["vote", "team", "news", "donate"]
UNREGISTRABLE_ENDINGS = {"gov", "edu", "mil", "int"}


def dnstwist_names(domain: str) -> tuple[dict[str, str], float]:
    """dnstwist's registrable plain-ASCII names (name -> its fuzzer) and the seconds taken."""
    start = time.perf_counter()
    fuzzer = dnstwist.Fuzzer(
        domain, dictionary=DNSTWIST_WORDS + CAMPAIGN_WORDS, tld_dictionary=list(DNSTWIST_TLDS)
    )
    fuzzer.generate()
    seconds = time.perf_counter() - start
    names: dict[str, str] = {}
    for permutation in fuzzer.domains:
        name, kind = permutation["domain"].lower(), permutation["fuzzer"]
        if kind in ("*original", "subdomain") or not name.isascii() or "xn--" in name:
            continue
        if organisational_domain(name) != name:
            continue
        if public_suffix(name).split(".")[-1] in UNREGISTRABLE_ENDINGS:
            continue
        names.setdefault(name, kind)
    return names, seconds


def our_names(domain: str, limit: int | None) -> tuple[list[str], float]:
    start = time.perf_counter()
    names = [p.name for p in permutations(domain, limit=limit)]
    return names, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=5, help="runs per generator and domain")
    parser.add_argument("--limit", type=int, default=DEFAULT, help="our bound (0: none)")
    args = parser.parse_args()
    limit = args.limit or None

    print(f"dnstwist {dnstwist.__version__}; our bound: {limit} names per domain\n")
    print("| domain | dnstwist names | ours (bounded) | found | recall | dnstwist ms | ours ms |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    missed_by_kind: collections.Counter[str] = collections.Counter()
    total_by_kind: collections.Counter[str] = collections.Counter()
    total = found_total = 0
    for domain in DOMAINS:
        theirs_runs = [dnstwist_names(domain) for _ in range(args.n)]
        ours_runs = [our_names(domain, limit) for _ in range(args.n)]
        theirs, ours = theirs_runs[0][0], set(ours_runs[0][0])
        found = [name for name in theirs if name in ours]
        for name, kind in theirs.items():
            total_by_kind[kind] += 1
            if name not in ours:
                missed_by_kind[kind] += 1
        total += len(theirs)
        found_total += len(found)
        their_ms = statistics.median(s for _, s in theirs_runs) * 1000
        our_ms = statistics.median(s for _, s in ours_runs) * 1000
        print(
            f"| {domain} | {len(theirs)} | {len(ours)} | {len(found)} | "
            f"{len(found) / len(theirs):.1%} | {their_ms:.1f} | {our_ms:.1f} |"
        )
    print(f"| **all** | {total} | | {found_total} | **{found_total / total:.1%}** | | |\n")
    print("| dnstwist kind | names | found | recall |")
    print("| --- | ---: | ---: | ---: |")
    for kind, count in sorted(total_by_kind.items(), key=lambda kv: -kv[1]):
        hit = count - missed_by_kind[kind]
        print(f"| {kind} | {count} | {hit} | {hit / count:.1%} |")


if __name__ == "__main__":
    main()
