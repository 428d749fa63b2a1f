"""The TUI tests share tui_kit (a canned audit, fixed actions, a frozen clock)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
