"""Shared fixtures: a small site built from tests/fixtures/mini plus the real templates, and build.py run as a process."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
FIXTURE = REPO / "tests" / "fixtures" / "mini"
sys.path.insert(0, str(REPO))


def make_site(dest: Path, files: dict | None = None, content: Path = FIXTURE / "content") -> Path:
    """Copy a content folder and the real templates and static files to dest, then apply file overrides.

    `files` maps a path relative to the site to text, bytes, or None (delete the file)."""
    shutil.copytree(content, dest / "content")
    shutil.copytree(REPO / "templates", dest / "templates")
    shutil.copytree(REPO / "static", dest / "static")
    for rel, data in (files or {}).items():
        path = dest / rel
        if data is None:
            path.unlink()
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data) if isinstance(data, bytes) else path.write_text(data, encoding="utf-8")
    return dest


def edit(root: Path, rel: str, old: str, new: str, count: int = 1) -> None:
    """Replace text in a site file, failing loudly if the text is not there."""
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {rel}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def run_build(root: Path, *args: str) -> subprocess.CompletedProcess:
    """Run build.py as a process against a site folder."""
    return subprocess.run([sys.executable, str(REPO / "build.py"), *args, "--root", str(root)],
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A fresh copy of the mini fixture site."""
    return make_site(tmp_path / "site")


def tree_bytes(folder: Path) -> dict[str, bytes]:
    """Every file under a folder, by relative path."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}
