"""The code's shape, checked: no private name imported across modules, no oversized module.

(The layers, the pure domain and the absence of cycles are import-linter contracts in
.importlinter, run by `make lint` in CI.)
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"
MAX_LINES = 400


def _modules() -> list[Path]:
    return sorted(SRC.rglob("*.py"))


def test_no_private_name_is_imported_from_another_module() -> None:
    found = []
    for path in _modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("payrun"):
                private = [a.name for a in node.names if a.name.startswith("_")]
                if private and not node.module.endswith("__init__"):
                    found.append(f"{path.relative_to(SRC)}: {node.module} {private}")
    assert found == []


def test_no_module_is_over_400_lines() -> None:
    sizes = {
        str(path.relative_to(SRC)): len(path.read_text(encoding="utf-8").splitlines())
        for path in _modules()
    }
    assert sorted(name for name, lines in sizes.items() if lines > MAX_LINES) == []
