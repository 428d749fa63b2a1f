"""Mail authentication and transport standards: SPF, DKIM, DMARC, BIMI, MTA-STS, TLS-RPT."""
