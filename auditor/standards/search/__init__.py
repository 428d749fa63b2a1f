"""Web search providers as data: requests to build and answers to read (no I/O)."""
