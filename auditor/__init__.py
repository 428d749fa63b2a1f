"""Candidate Auditor: a local-first security and exposure audit for people standing for election."""

__version__ = "0.1.0"
