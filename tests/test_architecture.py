"""The package's tiers, visible as its folders, and imports pointing one way, down the stack:
errors, proc <- content <- site <- output <- incremental <- pipeline <- command <- serve. What reads the content,
renders and writes (content/, site/, output/) knows nothing of earlier builds: only the pipeline and the entry points
above it (the command line's build and the preview) know that sitegen/incremental/ exists."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from conftest import REPO

PACKAGE = REPO / "sitegen"
TIERS = ["errors", "proc", "content", "site", "output", "incremental", "pipeline", "command", "serve"]
LEVEL = {"proc": "errors"}  # modules that stand beside another at the same level


def tier_of(module: str) -> str:
    """The tier of a dotted module name inside the package: its sub-package, or the module at the top."""
    return module.split(".")[0]


def imports_of(path: Path) -> set[str]:
    """The package modules a file imports, as dotted names relative to the package (content.kinds, pipeline ...)."""
    here = path.relative_to(PACKAGE).with_suffix("").parts[:-1] if path.is_relative_to(PACKAGE) else ()
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = list(here[: len(here) - node.level + 1])
                parts = base + (node.module.split(".") if node.module else [])
                found |= (
                    {".".join(parts + ([a.name] if not node.module else [])) for a in node.names}
                    if not node.module
                    else {".".join(parts)}
                )
            elif node.module and node.module.startswith("sitegen"):
                rest = node.module.split(".")[1:]
                found |= {".".join(rest + [a.name]) for a in node.names} if not rest else {".".join(rest)}
        elif isinstance(node, ast.Import):
            found |= {a.name.split(".", 1)[1] for a in node.names if a.name.startswith("sitegen.")}
    return found


MODULES = sorted(p for p in PACKAGE.rglob("*.py") if p.name != "__init__.py")


def test_every_module_sits_in_a_tier():
    assert {tier_of(p.relative_to(PACKAGE).with_suffix("").as_posix().replace("/", ".")) for p in MODULES} <= set(TIERS)
    assert sorted(p.name for p in PACKAGE.iterdir() if p.is_dir() and p.name != "__pycache__") == [
        "content",
        "incremental",
        "output",
        "site",
    ]


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_imports_point_down_the_stack(path):
    def level(module: str) -> int:
        tier = tier_of(module)
        return TIERS.index(LEVEL.get(tier, tier))

    mine = level(path.relative_to(PACKAGE).with_suffix("").as_posix().replace("/", "."))
    for name in imports_of(path):
        assert level(name) <= mine, f"{path.relative_to(PACKAGE)} imports {name}, which is above it"


def test_only_the_pipeline_and_the_entry_points_know_earlier_builds():
    for path in [*MODULES, REPO / "build.py"]:
        rel = path.relative_to(REPO).as_posix()
        if rel.startswith("sitegen/incremental/") or rel in (
            "sitegen/pipeline.py",
            "sitegen/command.py",
            "sitegen/serve.py",
        ):
            continue
        assert not {n for n in imports_of(path) if tier_of(n) == "incremental"}, rel


def test_the_linter_passes():
    """ruff, configured in ruff.toml to fit the code as it is written: 120 characters a line, imports in order."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "ruff", "check", "."], cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_code_is_formatted():
    """The code's layout is ruff format's, configured in ruff.toml (120 characters a line)."""
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--check", "."], cwd=REPO, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr


def _blocks(path: Path):
    """Every function and method of a file, as radon measures them: (name, cyclomatic complexity, lines)."""
    from radon.complexity import cc_visit

    for block in cc_visit(path.read_text()):
        for fn in [*getattr(block, "methods", []), block]:
            name = f"{block.name}.{fn.name}" if fn is not block else fn.name
            yield name, fn.complexity, fn.endline - fn.lineno + 1


def test_the_pipeline_reads_straight():
    """The pipeline's stages, like MkDocs' build(): no function over 40 lines or over complexity 10."""
    over = [(name, cc, lines) for name, cc, lines in _blocks(PACKAGE / "pipeline.py") if cc > 10 or lines > 40]
    assert not over, over


def test_no_function_in_the_package_is_too_tangled():
    """No function in sitegen/ above cyclomatic complexity 20 (radon)."""
    over = [
        (path.relative_to(REPO).as_posix(), name, cc) for path in MODULES for name, cc, _ in _blocks(path) if cc > 20
    ]
    assert not over, over


def test_the_state_a_build_leaves_is_small():
    """What a build leaves for the next one has at most 8 fields."""
    from dataclasses import fields

    from sitegen.incremental.cache import State

    assert len(fields(State)) <= 8, [f.name for f in fields(State)]


def test_the_types_check():
    """mypy, configured in mypy.ini (the generator and build.py, at Python 3.11), finds no error: annotations say
    what the code does. Its cache (.mypy_cache, not committed) makes a run after a small change take a second or
    two."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "mypy"], cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("Success: no issues found"), done.stdout
