"""The SPF tree walk asks each level at once: a record's a/mx/exists checks and the records
it includes together, not one after the other; the lookup count is the tree's either way."""

from __future__ import annotations

from auditor.demo.dns_server import DnsServer
from auditor.net.dns import DnsClient, Nameserver
from auditor.standards.email.spf_policy import inspect_policy
from tests.email_auth.conftest import start_dns_server

ZONE = """$ORIGIN walk.example.
@ 300 SOA ns hostmaster 1 7200 3600 1209600 300
@ 300 NS ns
ns 300 A 127.0.0.1
@ 300 TXT "v=spf1 mx:slow.walk.example a:gone.walk.example include:inc.walk.example -all"
slow 300 MX 10 ns.walk.example.
inc 300 TXT "v=spf1 a:gone2.walk.example include:deep.walk.example ~all"
deep 300 TXT "v=spf1 ip4:192.0.2.0/24 exists:gone3.walk.example -all"
"""


async def test_includes_are_asked_while_the_checks_of_their_parent_wait() -> None:
    server: DnsServer = await start_dns_server()
    try:
        server.add_zone(ZONE)
        # The mx: check's answer never comes in time: the client asks twice, 1 s apart.
        server.faults.set("slow.walk.example", "timeout")
        with DnsClient([Nameserver("127.0.0.1", server.port)], timeout=1.0, attempts=2) as dns:
            policy = await inspect_policy(dns, "walk.example")
        asked = [(q.qname, q.qtype) for q in server.queries]
    finally:
        await server.stop()
    first_mx = asked.index(("slow.walk.example", "MX"))
    second_mx = asked.index(("slow.walk.example", "MX"), first_mx + 1)
    # The include and the include under it were asked before the mx: check gave up on its
    # first try; walked level by level, they would come only after its second.
    assert asked.index(("inc.walk.example", "TXT")) < second_mx
    assert asked.index(("deep.walk.example", "TXT")) < second_mx
    assert [n.domain for n in policy.nodes] == [
        "walk.example", "inc.walk.example", "deep.walk.example",
    ]  # fmt: skip
    # The tree's count of lookup terms (RFC 7208 4.6.4) and the lists in tree order.
    assert policy.lookups == 3 + 2 + 1
    assert [v.split()[0] for v in policy.voids] == [
        "a:gone.walk.example", "a:gone2.walk.example", "exists:gone3.walk.example",
    ]  # fmt: skip
    assert len(policy.dns_errors) == 1 and "timeout" in policy.dns_errors[0]
