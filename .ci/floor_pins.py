"""Print the declared lower bound of every direct dependency as an exact pin.

pip has no "lowest direct versions" resolution (uv's --resolution lowest-direct), so CI makes
one: each `name>=X` (or `name==X`) of [project].dependencies and the `test` extra becomes
`name==X`; a requirement without a lower bound stays as it is. Installing these pins and
running the suite proves every floor that pyproject declares really works.
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

_REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*(.*)$")
_FLOOR = re.compile(r"(?:>=|==|~=)\s*([0-9][^,;\s]*)")


def floor_pins(pyproject: Path, extras: tuple[str, ...] = ("test",)) -> list[str]:
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    requirements = list(project["dependencies"])
    for extra in extras:
        requirements += project["optional-dependencies"][extra]
    pins = []
    for requirement in requirements:
        specifier, semicolon, marker = requirement.partition(";")
        match = _REQUIREMENT.match(specifier)
        if match is None:
            raise SystemExit(f"cannot read the requirement {requirement!r}")
        name, extra_names, spec = match.groups()
        floor = _FLOOR.search(spec)
        # An environment marker ("; sys_platform != 'win32'") stays with its pin.
        where = f"; {marker.strip()}" if semicolon else ""
        pins.append(f"{name}{extra_names or ''}=={floor.group(1)}{where}" if floor else requirement)
    return pins


if __name__ == "__main__":
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent
    print("\n".join(floor_pins(root / "pyproject.toml")))
