"""Domain standards: the DNSSEC chain of trust and lookalike permutations."""
