"""Property-based tests (Hypothesis) of the loader, the validator and the build, on mutations of the real content:
line edits, unicode, aliases, numbers, indentation. Whatever the edit, a build ends in success or in errors that
each name `path:line:col` (never another exception: the exit 3 of build.py), within a time bound; a failed build
leaves the previous output byte-identical; a successful incremental build equals a fresh one.

The default profile runs a few dozen examples; `python3 -m pytest tests/test_properties.py --hypothesis-profile=long`
runs thousands (see the README's Tests section)."""
from __future__ import annotations

import re
import shutil
import signal
import time
from pathlib import Path

import pytest
from conftest import REPO, make_site, tree_bytes
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sitegen.content.validate import load_content
from sitegen.errors import BuildFailed, Problems
from sitegen.pipeline import build
from sitegen.site.article import time_limit

FILES = sorted(p.relative_to(REPO).as_posix() for p in (REPO / "content").rglob("*")
               if p.is_file() and p.suffix in (".yaml", ".md"))
BUILD_SECONDS = 20  # CPU seconds one build may take before the test calls it a hang (a real one takes under one)
PLACE = re.compile(r"^[^\s:]+:\d+:\d+: (?:error|warning): ")

# Text an editor, a paste or an attacker may put into a line: YAML's special characters, numbers in every YAML
# spelling, aliases and anchors, Markdown, and unicode (CJK, private use, controls, surrogate escapes).
SNIPPETS = ["&a ", "*a", "<<: *a", "&a [*a]", "- ", ": ", "'", '"', "[", "]", "{", "}", "#", "|", ">", "!", "%", "@",
            "`", "---", "...", "\t", "  ", "\\", '"\\x01"', '"\\0"', '"\\ud800"', "1.0e+999999", "0x1F", "0o17", "012",
            "1_000", "2006.0", "1:20", "-5", ".inf", ".nan", "9" * 40, "no", "~", "null", "2023-10-28", "[[", "]]",
            "[[profile.gdp.2022]]", "[[nope]]", "<!--", "](javascript:x)", "[x][r]", "\n[r]: javascript:x", "&#x6A;",
            "\ue000", "\ue0001\ue001", "江阴", "\u200b", "\ufeff", "é", "\U0001F600"]
payload = st.lists(st.one_of(st.sampled_from(SNIPPETS), st.text(max_size=8)), max_size=4).map("".join)


@st.composite
def mutation(draw) -> tuple[str, str]:
    """(file, its text after one to three edits of its lines)."""
    rel = draw(st.sampled_from(FILES))
    lines = (REPO / rel).read_text(encoding="utf-8").split("\n")
    for _ in range(draw(st.integers(1, 3))):
        edit_line(draw, lines, draw(st.integers(0, len(lines) - 1)))
    return rel, "\n".join(lines)


def edit_line(draw, lines: list[str], n: int) -> None:
    """Edit line n in place: replace, insert, delete, duplicate, indent, dedent, swap a number, or splice text in."""
    line = lines[n] if n < len(lines) else ""
    op = draw(st.sampled_from(["replace", "insert", "delete", "duplicate", "indent", "dedent", "number", "splice"]))
    if op == "replace":
        lines[n:n + 1] = [draw(payload)]
    elif op == "insert":
        lines.insert(n, draw(payload))
    elif op == "delete":
        del lines[n:n + 1]
    elif op == "duplicate":
        lines.insert(n, line)
    elif op == "indent":
        lines[n:n + 1] = [" " * draw(st.integers(1, 4)) + line]
    elif op == "dedent":
        lines[n:n + 1] = [line[draw(st.integers(1, 4)):] if line.startswith(" ") else line]
    elif op == "number":
        number = draw(st.one_of(st.sampled_from(SNIPPETS[27:40]), st.integers().map(str),
                                st.floats(allow_nan=True).map(repr), st.decimals(allow_nan=False).map(str)))
        lines[n:n + 1] = [re.sub(r"\d+(?:\.\d+)?", number, line, count=1) if re.search(r"\d", line) else line + number]
    else:
        col = draw(st.integers(0, len(line)))
        lines[n:n + 1] = [line[:col] + draw(payload) + line[col:]]


class Hang(AssertionError):
    """A build ran past the test's CPU-time bound."""


def cpu_limit(seconds: float):
    """Fail the example after `seconds` of CPU time (a hang), on the profiling timer: the build's own Markdown time
    limit uses the real-time one."""
    return time_limit(seconds, signal.ITIMER_PROF, Hang)


def assert_placed(errors, root: Path) -> None:
    """Every error names a file, a line within it and a column."""
    for error in errors:
        text = error.format()
        assert PLACE.match(text), text
        path = root / error.loc.source
        if path.is_file() and error.loc.source.startswith("content/"):
            assert error.loc.line <= path.read_text(encoding="utf-8", errors="replace").count("\n") + 1, text


class Project:
    """A copy of the real project, one file of which an example edits and the next example restores."""

    def __init__(self, folder: Path):
        self.root = make_site(folder / "site", content=REPO / "content")
        self.original = {rel: (self.root / rel).read_bytes() for rel in FILES}

    def edited(self, rel: str, text: str) -> None:
        for name, data in self.original.items():
            (self.root / name).write_bytes(data)
        (self.root / rel).write_bytes(text.encode("utf-8", "surrogatepass"))


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Project:
    return Project(tmp_path_factory.mktemp("properties"))


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(edit=mutation())
def test_any_edit_validates_or_fails_with_placed_errors(project, edit):
    project.edited(*edit)
    problems = Problems()
    start = time.monotonic()
    with cpu_limit(BUILD_SECONDS):
        content = load_content(project.root, problems)
    assert time.monotonic() - start < BUILD_SECONDS
    assert (content is None) == bool(problems.errors)
    assert_placed(problems.errors + problems.warnings, project.root)


@pytest.fixture(scope="module")
def built(project, tmp_path_factory):
    """The original project built once: (its state, a pristine copy of its output, the output folder builds use)."""
    out = tmp_path_factory.mktemp("out") / "_site"
    project.edited(FILES[0], project.original[FILES[0]].decode("utf-8"))
    state = build(project.root, out).state
    pristine = out.with_name("pristine")
    shutil.copytree(out, pristine)
    return state, pristine, out


@settings(max_examples=settings().max_examples // 4 or 1,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(edit=mutation())
def test_any_edit_builds_or_keeps_the_old_site_and_incremental_equals_fresh(project, built, edit, tmp_path_factory):
    state, pristine, out = built
    project.edited(*edit)
    shutil.rmtree(out)
    shutil.copytree(pristine, out)
    with cpu_limit(BUILD_SECONDS):
        try:
            build(project.root, out, last=state)
        except BuildFailed as failed:
            assert_placed(failed.errors, project.root)
            assert tree_bytes(out) == tree_bytes(pristine)
            return
        fresh = tmp_path_factory.mktemp("fresh") / "_site"
        build(project.root, fresh)
    assert tree_bytes(out) == tree_bytes(fresh)
    shutil.rmtree(fresh.parent)
