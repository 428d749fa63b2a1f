"""Report writers: pure ``render(report, ...) -> str`` functions, no I/O, clock or environment."""
