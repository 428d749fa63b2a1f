"""The library floor: pure parsers and evaluators of standards and data.

Nothing here imports the core (engine, checklist, history), a check, a writer or the TUI.
Modules may use auditor.net for I/O helpers and auditor.vocabulary for statuses.
"""

from pathlib import Path

# Facts the library ships (provider tables, the services table, the DNSSEC root anchors).
DATA_DIR = Path(__file__).resolve().parent / "data"
