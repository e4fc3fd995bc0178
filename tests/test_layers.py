"""The dependency direction of DESIGN.md's layout, checked on every import in the code (at the top of a
module or inside a function): ontology ← graph ← ingest, ui; the ontology package uses rdflib only."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MAY_IMPORT = {
    "ontology": {"ontology"},
    "graph": {"ontology", "graph"},
    "ingest": {"ontology", "graph", "ingest"},
    "ui": {"ontology", "graph", "ingest", "ui"},
}


def imports(path: Path) -> list[tuple[int, str]]:
    """(line, top-level module) of every absolute import in a file."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name.split(".")[0]) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module.split(".")[0]))
    return found


@pytest.mark.parametrize("package", sorted(MAY_IMPORT))
def test_each_package_imports_only_what_the_layout_allows(package: str) -> None:
    files = sorted((ROOT / package).rglob("*.py"))
    assert files
    wrong = [f"{path.relative_to(ROOT)}:{line} imports {name}" for path in files for line, name in imports(path)
             if name in MAY_IMPORT and name not in MAY_IMPORT[package]]
    assert wrong == []


def test_the_ontology_package_uses_rdflib_and_the_standard_library_only() -> None:
    wrong = [f"{path.relative_to(ROOT)}:{line} imports {name}" for path in sorted((ROOT / "ontology").rglob("*.py"))
             for line, name in imports(path)
             if name not in sys.stdlib_module_names and name not in {"rdflib", "ontology", "__future__"}]
    assert wrong == []
