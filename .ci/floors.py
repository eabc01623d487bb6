"""Print pip constraints that pin each direct dependency to its floor in pyproject.toml.

    python .ci/floors.py [EXTRA ...] > constraints.txt

One ``name==version`` line for each requirement of ``[project] dependencies``
and of the named optional extras (``test``), from its ``>=`` lower bound, so
the floors live in one place and CI can install exactly them (``.ci/run``).
A requirement without a ``>=`` floor is an error: every floor must be tested.
Requirements on the project itself (``recordpack[test]`` in ``dev``) are skipped.
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"

# name, optional [extras], then a version clause list holding ">=VERSION"
REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*([^;]*)")
FLOOR = re.compile(r">=\s*([^,\s]+)")


def floors(requirements: list[str], project: str) -> list[str]:
    lines = []
    for requirement in requirements:
        match = REQUIREMENT.match(requirement)
        if match is None:
            raise SystemExit(f"floors: cannot read the requirement {requirement!r}")
        name, clauses = match.groups()
        if name.lower() == project.lower():
            continue
        floor = FLOOR.search(clauses)
        if floor is None:
            raise SystemExit(f"floors: {requirement!r} has no '>=' floor in pyproject.toml")
        lines.append(f"{name}=={floor.group(1)}")
    return lines


def main(extras: list[str]) -> None:
    project = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]
    optional = project.get("optional-dependencies", {})
    requirements = list(project.get("dependencies", []))
    for extra in extras:
        if extra not in optional:
            raise SystemExit(f"floors: pyproject.toml has no extra {extra!r}")
        requirements += optional[extra]
    print("\n".join(floors(requirements, project["name"])))


if __name__ == "__main__":
    main(sys.argv[1:])
