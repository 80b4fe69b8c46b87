"""The package's imports point one way, down the stack: errors <- load <- schema <- kinds <- validate <- render <- pipeline."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "sitegen"
LAYERS = ["memory", "errors", "model", "load", "prose", "schema", "kinds", "validate", "localize", "article", "numbers", "charts", "jsonld", "track", "render", "swap", "write", "links", "workers", "data",
          "publish", "pipeline", "cache", "serve"]


def local_imports(path: Path) -> set[str]:
    """Names of sitegen modules a module imports."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            names |= {node.module} if node.module else {a.name for a in node.names}
    return {n.split(".")[0] for n in names}


@pytest.mark.parametrize("path", sorted(PACKAGE.glob("*.py")), ids=lambda p: p.stem)
def test_imports_point_down_the_stack(path):
    if path.stem == "__init__":
        return
    assert path.stem in LAYERS, f"add {path.stem} to LAYERS in the right place"
    mine = LAYERS.index(path.stem)
    for name in local_imports(path):
        assert LAYERS.index(name) < mine, f"{path.stem} imports {name}, which is above it"


def test_build_py_is_only_the_command_line():
    tree = ast.parse((PACKAGE.parent / "build.py").read_text())
    functions = [n for n in tree.body if isinstance(n, ast.FunctionDef)]
    assert all(len(f.body) < 40 for f in functions)
    assert not [n for n in ast.walk(tree) if isinstance(n, ast.ClassDef)]
