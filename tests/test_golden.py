"""A golden build of the mini fixture site (but its search index, Pagefind's binary files: see test_search.py).
Refresh after an intended change with:

    UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py
"""

from __future__ import annotations

import os
import shutil

from conftest import REPO, run_build, tree_bytes

GOLDEN = REPO / "tests" / "golden" / "mini"


def test_golden_build(site):
    result = run_build(site, "--base-url", "https://example.org/mini/")
    assert result.returncode == 0, result.stderr
    built = {dest: data for dest, data in tree_bytes(site / "_site").items() if not dest.startswith("pagefind/")}
    if os.environ.get("UPDATE_GOLDEN"):
        shutil.rmtree(GOLDEN, ignore_errors=True)
        shutil.copytree(site / "_site", GOLDEN, ignore=shutil.ignore_patterns("pagefind"))
    expected = tree_bytes(GOLDEN)
    assert sorted(built) == sorted(expected)
    for dest in expected:
        assert readable(built[dest]) == readable(expected[dest]), f"{dest} differs from the golden copy"


def readable(data: bytes) -> str | bytes:
    """Text files as text, for a readable diff; images as bytes."""
    try:
        return data.decode()
    except UnicodeDecodeError:
        return data
