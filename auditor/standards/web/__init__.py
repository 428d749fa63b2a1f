"""Web standards: security header grading, security.txt, certificates."""
