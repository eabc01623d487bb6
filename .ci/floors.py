"""Print pip constraints that pin each direct dependency to its floor in pyproject.toml.

    python .ci/floors.py [EXTRA ...] > constraints.txt

One ``name==version`` line for each requirement of ``[project] dependencies``
and of the named optional extras (``test``), from its ``>=`` lower bound, so
the floors live in one place and CI can install exactly them (``.ci/run``).
A requirement without a ``>=`` floor is an error: every floor must be tested.
Requirements on the project itself (``recordpack[test]`` in ``dev``) are skipped.
"""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

from packaging.requirements import Requirement  # pytest's own dependency

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"


def floors(requirements: list[str], project: str) -> list[str]:
    lines = []
    for text in requirements:
        requirement = Requirement(text)
        if requirement.name.lower() == project.lower():
            continue
        floor = [s.version for s in requirement.specifier if s.operator == ">="]
        if not floor:
            raise SystemExit(f"floors: {text!r} has no '>=' floor in pyproject.toml")
        lines.append(f"{requirement.name}=={floor[0]}")
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
