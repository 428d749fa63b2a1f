"""Zone texts for bulk audits: the benchmark's synthetic campaign domains and a small corpus
of mixed-provider set-ups, shared by benchmarks/bulk_vs_checkdmarc.py and the tests that
prove provider-first DKIM discovery gives the same verdicts as the full sweep.

The providers' zones use the providers' real host names (``_spf.google.com``,
``servers.mcsv.net``, ...) because email.dkim recognises a sending provider by them
(auditor/standards/data/mail_providers.toml). They are served only by a DNS server on
loopback; nothing here is ever asked of the real DNS.
"""

from __future__ import annotations

PROVIDERS = {
    "google": {
        "spf": "include:_spf.google.com",
        "mx": ["1 aspmx.l.google.com.", "5 alt1.aspmx.l.google.com."],
        "selector": "google",
    },
    "microsoft": {
        "spf": "include:spf.protection.outlook.com",
        "mx": ["0 {label}.mail.protection.outlook.com."],
        "selector": "selector1",
    },
    "nationbuilder": {
        "spf": "include:_spf.nationbuilder.com include:servers.mcsv.net",
        "mx": ["10 mx.nationbuilder.com."],
        "selector": "k1",  # Mailchimp's, through NationBuilder's newsletter sending
    },
}
TENANT = "candidates.onmicrosoft.com"
RSA_2048 = (
    "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA1hrQ5lddVM6ZkCCsIrmalQIdpfac8VcXSpkL7TnY6y9u9+tk"
    "bMPldnd1gdwMIW3cghBk/NvCGj7Q98WbWg7FyrTKsfZLapDOQxPVFWMu72nivYyPaDBCwBffn/NKO/HQDGomIqAwpI3S"
    "uM0hOk0tZkps8ScYHI10RGtKbhXbBDH4af7fZqQ5Tpt0ULy8SgAqSwdF5vP0xqcKe5SCk+lAlHAJOIeNA9WPJDX1BHta"
    "HYYGuOZbN9GYhoJPkM2CEys/UGPDetHG4uAeypvNAKFwAGuGrEkD3KTc2VA/NsMz+0NRw7aAcVx1gJPlWrgbq/mlToao"
    "FmNRx+NGSTwlcpatPQIDAQAB"
)
RSA_1024 = (
    "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDJ6ynU6vjyRYJyUsf4KuUeTJIIvjXFa+omS+c8YpUxIUge0gZIXPMK"
    "w579HwkhcooBMsp9kRmNWnTxJFQVTcR5sN5vdXuQiIZujLDPyoRVQjZW9VCXsbBr9wv9DqU8SpLQx1UAjvCKGpG4S8Yh"
    "NsgeErFNPu6KYnZrfLd6RhbG5QIDAQAB"
)
SOA = "@ 300 SOA ns hostmaster 1 7200 3600 1209600 300\n@ 300 NS ns\nns 300 A 127.0.0.1"


def txt(value: str) -> str:
    """A TXT record's value split into quoted strings of at most 255 octets."""
    return " ".join(f'"{value[i : i + 255]}"' for i in range(0, len(value), 255))


KEY_2048 = txt(f"v=DKIM1; k=rsa; p={RSA_2048}")
KEY_1024 = txt(f"v=DKIM1; k=rsa; p={RSA_1024}")


def provider_zones() -> list[str]:
    """The providers' zones that the domains of both corpora include, point at or report to."""
    return [
        f"""$ORIGIN google.com.\n{SOA}
_spf 300 TXT "v=spf1 include:_netblocks.google.com ~all"
_netblocks 300 TXT "v=spf1 ip4:192.0.2.0/24 ip4:198.51.100.0/24 ~all"
aspmx.l 300 A 127.0.0.1\nalt1.aspmx.l 300 A 127.0.0.1""",
        f"""$ORIGIN outlook.com.\n{SOA}
spf.protection 300 TXT "v=spf1 ip4:203.0.113.0/24 -all"
*.mail.protection 300 A 127.0.0.1""",
        f"""$ORIGIN {TENANT}.\n{SOA}\n*._domainkey 300 TXT {KEY_2048}""",
        f"""$ORIGIN nationbuilder.com.\n{SOA}
_spf 300 TXT "v=spf1 ip4:192.0.2.128/25 -all"\nmx 300 A 127.0.0.1""",
        f"""$ORIGIN mcsv.net.\n{SOA}
servers 300 TXT "v=spf1 ip4:205.201.128.0/20 ~all\"""",
        f"""$ORIGIN sendgrid.net.\n{SOA}\n@ 300 TXT "v=spf1 ip4:167.89.0.0/17 ~all\"""",
        f"""$ORIGIN brevo.com.\n{SOA}\nspf 300 TXT "v=spf1 ip4:185.41.28.0/22 ~all\"""",
        f"""$ORIGIN zoho.eu.\n{SOA}\nmx 300 A 127.0.0.1\nmx2 300 A 127.0.0.1
@ 300 TXT "v=spf1 ip4:185.20.208.0/22 ~all\"""",
        # The DMARC report receiver authorises reports for every domain (RFC 7489 §7.1).
        f"""$ORIGIN reports-sim.example.\n{SOA}\n*._report._dmarc 300 TXT "v=DMARC1\"""",
    ]


def domain_zone(index: int) -> tuple[str, str]:
    """The benchmark's domain number ``index``: its name and zone text."""
    label = f"candidate{index:05d}"
    domain = f"{label}.org.uk"
    kind = ["google", "microsoft", "nationbuilder", "parked"][index % 4]
    records = [f"$ORIGIN {domain}.", SOA, "www 300 A 127.0.0.1"]
    if kind == "parked":
        records += [
            '@ 300 TXT "v=spf1 -all"', "@ 300 MX 0 .", '_dmarc 300 TXT "v=DMARC1; p=reject"',
            '*._domainkey 300 TXT "v=DKIM1; p="',
        ]  # fmt: skip
        return domain, "\n".join(records)
    provider = PROVIDERS[kind]
    records += [f"@ 300 MX {mx.format(label=label)}" for mx in provider["mx"]]
    if index % 17 == 1:
        records.append('@ 300 TXT "v=spf1 include: -all"')  # a syntax error
    elif index % 29 != 2:  # some have no SPF at all
        records.append(f'@ 300 TXT "v=spf1 {provider["spf"]} {"~all" if index % 2 else "-all"}"')
    records.append('@ 300 TXT "google-site-verification=abc123"')
    if index % 31 != 3:  # some have no DMARC
        policy = ["none", "quarantine", "reject"][index % 3]
        rua = f"dmarc@{domain}" if index % 7 == 0 else "dmarc@reports-sim.example"
        dmarc = f"v=DMARC1; p={policy}; rua=mailto:{rua}" + ("; pct=50" if index % 5 == 0 else "")
        records.append(f'_dmarc 300 TXT "{dmarc}"')
        if index % 23 == 4:
            records.append('_dmarc 300 TXT "v=DMARC1; p=none"')  # two records: invalid
    selector = provider["selector"]
    if kind == "microsoft":  # Microsoft 365 publishes its keys behind CNAMEs
        for name in ("selector1", "selector2"):
            records.append(f"{name}._domainkey 300 CNAME {name}-{label}._domainkey.{TENANT}.")
    elif index % 11 == 5:
        records.append(f"{selector}._domainkey 300 TXT {KEY_1024}")
    elif index % 13 == 6:
        records.append(f'{selector}._domainkey 300 TXT "v=DKIM1; k=rsa; p={RSA_2048[:90]}"')
    else:
        records.append(f"{selector}._domainkey 300 TXT {KEY_2048}")
    return domain, "\n".join(records)


GOOGLE_MX = ["@ 300 MX 1 aspmx.l.google.com.", "@ 300 MX 5 alt1.aspmx.l.google.com."]
DMARC = '_dmarc 300 TXT "v=DMARC1; p=quarantine; rua=mailto:dmarc@reports-sim.example"'

# name -> (what it is, its records under the domain). Each says which way provider-first
# discovery goes for it (checks/email/dkim.py): stop at the named providers, stop at an
# NXDOMAIN _domainkey, stop for a domain that sends nothing, or sweep the whole table.
MIXED: dict[str, tuple[str, list[str]]] = {
    "gws-newsletter": (
        "Google Workspace that also sends a newsletter through Mailchimp (named providers)",
        [
            *GOOGLE_MX,
            '@ 300 TXT "v=spf1 include:_spf.google.com include:servers.mcsv.net ~all"',
            f"google._domainkey 300 TXT {KEY_2048}",
            f"k1._domainkey 300 TXT {KEY_2048}",
            DMARC,
        ],
    ),
    "gws-second-1024": (
        "Google Workspace and SendGrid, a 1024-bit key under SendGrid's second selector",
        [
            *GOOGLE_MX,
            '@ 300 TXT "v=spf1 include:_spf.google.com include:sendgrid.net -all"',
            f"google._domainkey 300 TXT {KEY_2048}",
            f"s2._domainkey 300 TXT {KEY_1024}",
            DMARC,
        ],
    ),
    "gws-redirect": (
        "Google Workspace named by an SPF redirect= only",
        [
            *GOOGLE_MX[:1],
            '@ 300 TXT "v=spf1 redirect=_spf.google.com"',
            f"google._domainkey 300 TXT {KEY_1024}",
        ],
    ),
    "wildcard-key": (
        "own mail server, a real key in a wildcard under _domainkey (nothing named: full sweep)",
        [
            "@ 300 MX 10 mail",
            "mail 300 A 127.0.0.1",
            '@ 300 TXT "v=spf1 mx -all"',
            f"*._domainkey 300 TXT {KEY_2048}",
            DMARC,
        ],
    ),
    "wildcard-revoke-google": (
        "a revoking wildcard under _domainkey beside a real Google key (named providers)",
        [
            *GOOGLE_MX,
            '@ 300 TXT "v=spf1 include:_spf.google.com -all"',
            f"google._domainkey 300 TXT {KEY_2048}",
            '*._domainkey 300 TXT "v=DKIM1; p="',
            DMARC,
        ],
    ),
    "no-dkim": (
        "Google Workspace with no DKIM at all (_domainkey is NXDOMAIN)",
        [*GOOGLE_MX, '@ 300 TXT "v=spf1 include:_spf.google.com ~all"', DMARC],
    ),
    "no-dkim-own-server": (
        "own mail server, no DKIM at all, nothing named (_domainkey is NXDOMAIN)",
        ["@ 300 MX 10 mail", "mail 300 A 127.0.0.1", '@ 300 TXT "v=spf1 mx ~all"'],
    ),
    "own-server-key": (
        "own mail server with a key under 'mail' (nothing named: full sweep finds it)",
        [
            "@ 300 MX 10 mail",
            "mail 300 A 127.0.0.1",
            '@ 300 TXT "v=spf1 mx ip4:192.0.2.10 -all"',
            f"mail._domainkey 300 TXT {KEY_2048}",
        ],
    ),
    "google-key-elsewhere": (
        "Google MX, but its key is under Mailchimp's k2, which SPF does not name (swept)",
        [
            *GOOGLE_MX,
            '@ 300 TXT "v=spf1 include:_spf.google.com ~all"',
            f"k2._domainkey 300 TXT {KEY_2048}",
        ],
    ),
    "microsoft-brevo": (
        "Microsoft 365 behind CNAMEs and Brevo for newsletters (named providers)",
        [
            "@ 300 MX 0 mixed-microsoft-brevo.mail.protection.outlook.com.",
            '@ 300 TXT "v=spf1 include:spf.protection.outlook.com include:spf.brevo.com -all"',
            f"selector1._domainkey 300 CNAME selector1-mixed._domainkey.{TENANT}.",
            f"selector2._domainkey 300 CNAME selector2-mixed._domainkey.{TENANT}.",
            f"brevo1._domainkey 300 TXT {KEY_2048}",
            DMARC,
        ],
    ),
    "zoho-revoked-testing": (
        "Zoho Mail (MX only), a revoked key and a key in test mode",
        [
            "@ 300 MX 10 mx.zoho.eu.",
            "@ 300 MX 20 mx2.zoho.eu.",
            '@ 300 TXT "v=spf1 include:zoho.eu ~all"',
            '@ 300 TXT "v=spf1 include:zoho.eu -all"',  # two SPF records: a permerror
            'zmail._domainkey 300 TXT "v=DKIM1; p="',
            f"zoho._domainkey 300 TXT {txt(f'v=DKIM1; t=y; p={RSA_2048}')}",
        ],
    ),
    "parked": (
        "parked: SPF -all, null MX, no DKIM (_domainkey is NXDOMAIN)",
        ['@ 300 TXT "v=spf1 -all"', "@ 300 MX 0 .", '_dmarc 300 TXT "v=DMARC1; p=reject"'],
    ),
    "parked-wildcard": (
        "parked with a revoking wildcard under _domainkey (sends nothing)",
        [
            '@ 300 TXT "v=spf1 -all"',
            "@ 300 MX 0 .",
            '_dmarc 300 TXT "v=DMARC1; p=reject"',
            '*._domainkey 300 TXT "v=DKIM1; p="',
        ],
    ),
    "unguessable": (
        "Google Workspace whose admin chose the selector 'campaign' (swept; nothing found)",
        [
            *GOOGLE_MX,
            '@ 300 TXT "v=spf1 include:_spf.google.com ~all"',
            f"campaign._domainkey 300 TXT {KEY_2048}",
            DMARC,
        ],
    ),
}


def mixed_zones() -> list[tuple[str, str]]:
    """The mixed-provider corpus: (domain, zone text) for each entry of MIXED."""
    zones = []
    for name, (_what, records) in MIXED.items():
        domain = f"mixed-{name}.org.uk"
        zones.append((domain, "\n".join([f"$ORIGIN {domain}.", SOA, *records])))
    return zones
