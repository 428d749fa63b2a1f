"""The embedded demo world: a fictional candidate (candidate.py) and their world (content/),
served on loopback by real servers (dns_server.py, web_server.py, smtp_server.py) that
world.DemoWorld starts together. Tests use the servers directly with their own zones and
routes; ``auditor demo`` and the TUI use DemoWorld.
"""
