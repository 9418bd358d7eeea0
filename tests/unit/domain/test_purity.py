"""payrun.domain stays pure: no database, workflow, web, HTTP or validation frameworks, no I/O."""

from __future__ import annotations

import ast
import pkgutil
from importlib.resources import files
from pathlib import Path

import payrun.domain

FORBIDDEN_IMPORTS = {
    "sqlalchemy",
    "temporalio",
    "fastapi",
    "httpx",
    "pydantic",
    "requests",
    "urllib",
    "http",
    "socket",
    "subprocess",
    "sqlite3",
    "psycopg",
    "shutil",
    "tempfile",
    "pathlib",
    "io",
    "fsspec",
    "asyncio",
}
FORBIDDEN_CALLS = {"open", "print", "input"}


def _modules() -> list[Path]:
    root = Path(str(files("payrun.domain")))
    found = [root / "__init__.py"]
    for info in pkgutil.walk_packages(payrun.domain.__path__, "payrun.domain."):
        relative = info.name.removeprefix("payrun.domain.").replace(".", "/")
        path = root / (relative + "/__init__.py" if info.ispkg else relative + ".py")
        found.append(path)
    return found


def _violations(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    problems = []
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        for name in names:
            if name.split(".")[0] in FORBIDDEN_IMPORTS:
                problems.append(f"{path.name}: imports {name}")
        call = isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
        if call and node.func.id in FORBIDDEN_CALLS:  # type: ignore[attr-defined]
            problems.append(f"{path.name}: calls {node.func.id}()")  # type: ignore[attr-defined]
    return problems


def test_domain_modules_import_no_frameworks_and_do_no_io() -> None:
    modules = _modules()
    assert len(modules) > 10
    problems = [problem for path in modules for problem in _violations(path)]
    assert problems == []
