"""Issue 26, hardening round three: deep nesting, hostile git histories, bidi controls, raw-HTML link lines, and the
preview under stress (a second preview, a restart on the same port, memory and idle cost). One test (or a few) per
numbered item of the issue."""
from __future__ import annotations

import pytest
from conftest import commit, edit, run_build

DEEP_FLOW = "{a: " * 25_000 + "1" + "}" * 25_000  # libyaml's composer recursed once per level: SIGSEGV
DEEP_BLOCK = "- " * 25_000 + "1"


def errors_of(result) -> list[str]:
    """The error lines of a failed build, after checking it failed as a user error (exit 1, no traceback)."""
    assert result.returncode == 1, result.stderr + result.stdout
    assert "Traceback" not in result.stderr
    return [line for line in result.stderr.splitlines() if ": error: " in line]


# 1. Deep nesting: refused at its line before libyaml composes it.

@pytest.mark.parametrize("rel, old, new, error", [
    ("content/site.yaml", "publisher: Test Publisher", "publisher: " + DEEP_FLOW,
     "content/site.yaml:5:408: error: the YAML nests too deeply: more than 100 lists and mappings inside each other"),
    ("content/projects.yaml", "  year: 2023\n  event: summit-2023", "  year: 2023\n  event:\n    " + DEEP_BLOCK,
     "content/projects.yaml:8:201: error: the YAML nests too deeply: more than 100 lists and mappings inside each "
     "other"),
    ("content/articles/summit.md", "sources: [release]", "sources: " + "[" * 30_000 + "release" + "]" * 30_000,
     "content/articles/summit.md:5:109: error: the YAML nests too deeply: more than 100 lists and mappings inside "
     "each other"),
    ("models/site.yaml", "\n", "\nx: " + DEEP_FLOW + "\n",
     "models/site.yaml:2:400: error: the YAML nests too deeply: more than 100 lists and mappings inside each other"),
], ids=["record-flow", "list-block", "front-matter", "model"])
@pytest.mark.parametrize("command", ["check", "build"])
def test_deep_nesting_is_an_error_at_its_line_not_a_crash(site, command, rel, old, new, error):
    edit(site, rel, old, new)
    assert errors_of(run_build(site, command)) == [error]


def test_nesting_within_the_limit_is_read(tmp_path):
    from sitegen.content.load import MAX_DEPTH, parse_yaml
    from sitegen.errors import Problems

    for text in ("a: " + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1),
                 "".join("  " * i + "a:\n" for i in range(MAX_DEPTH - 1)) + "  " * (MAX_DEPTH - 1) + "a: 1\n"):
        problems = Problems()
        assert parse_yaml(text, "x.yaml", problems) is not None and not problems.errors
    problems = Problems()
    assert parse_yaml("a: " + "[" * MAX_DEPTH + "]" * MAX_DEPTH, "x.yaml", problems) is None
    assert [str(e.loc) for e in problems.errors] == [f"x.yaml:1:{3 + MAX_DEPTH}"]
