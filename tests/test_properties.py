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
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import REPO, build, commit, git, make_site, run_build_process, tree_bytes
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sitegen.content.validate import load_content
from sitegen.errors import BuildFailed, Problems
from sitegen.site.article import time_limit

FILES = sorted(
    p.relative_to(REPO).as_posix()
    for p in (REPO / "content").rglob("*")
    if p.is_file() and p.suffix in (".yaml", ".md")
)
BUILD_SECONDS = 20  # CPU seconds one build may take before the test calls it a hang (a real one takes under one)
PLACE = re.compile(r"^[^\s:]+:\d+:\d+: (?:error|warning): ")

# Text an editor, a paste or an attacker may put into a line: YAML's special characters, numbers in every YAML
# spelling, aliases and anchors, Markdown, and unicode (CJK, private use, controls, surrogate escapes).
SNIPPETS = [
    "&a ",
    "*a",
    "<<: *a",
    "&a [*a]",
    "- ",
    ": ",
    "'",
    '"',
    "[",
    "]",
    "{",
    "}",
    "#",
    "|",
    ">",
    "!",
    "%",
    "@",
    "`",
    "---",
    "...",
    "\t",
    "  ",
    "\\",
    '"\\x01"',
    '"\\0"',
    '"\\ud800"',
    "1.0e+999999",
    "0x1F",
    "0o17",
    "012",
    "1_000",
    "2006.0",
    "1:20",
    "-5",
    ".inf",
    ".nan",
    "9" * 40,
    "no",
    "~",
    "null",
    "2023-10-28",
    "[[",
    "]]",
    "[[profile.gdp.2022]]",
    "[[nope]]",
    "<!--",
    "](javascript:x)",
    "[x][r]",
    "\n[r]: javascript:x",
    "&#x6A;",
    "\ue000",
    "\ue0001\ue001",
    "江阴",
    "\u200b",
    "\ufeff",
    "é",
    "\U0001f600",
]
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
        lines[n : n + 1] = [draw(payload)]
    elif op == "insert":
        lines.insert(n, draw(payload))
    elif op == "delete":
        del lines[n : n + 1]
    elif op == "duplicate":
        lines.insert(n, line)
    elif op == "indent":
        lines[n : n + 1] = [" " * draw(st.integers(1, 4)) + line]
    elif op == "dedent":
        lines[n : n + 1] = [line[draw(st.integers(1, 4)) :] if line.startswith(" ") else line]
    elif op == "number":
        number = draw(
            st.one_of(
                st.sampled_from(SNIPPETS[27:40]),
                st.integers().map(str),
                st.floats(allow_nan=True).map(repr),
                st.decimals(allow_nan=False).map(str),
            )
        )
        lines[n : n + 1] = [
            re.sub(r"\d+(?:\.\d+)?", number, line, count=1) if re.search(r"\d", line) else line + number
        ]
    else:
        col = draw(st.integers(0, len(line)))
        lines[n : n + 1] = [line[:col] + draw(payload) + line[col:]]


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


@settings(
    max_examples=settings().max_examples // 4 or 1,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
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


# Random git histories behind content/: odd commit dates, renames, deletions, binary, non-UTF-8, unreadable and
# too-deep old versions, control and bidi characters, submodules, merge commits. The history is never a reason for
# a build to fail: each build (a process: a segfault must show) exits 0, or 1 with every error at a real
# file:line:col of the working tree; never 3, never a hang; its changes page and feed hold no forbidden character.

MINI = REPO / "tests" / "fixtures" / "mini" / "content"
MINI_FILES = sorted(p.relative_to(MINI.parent).as_posix() for p in MINI.rglob("*") if p.is_file())
DATES = [
    "2022-05-01T12:00:00+00:00",
    "2022-05-01T23:59:59-12:00",
    "2021-01-01T00:00:00+14:00",
    "@0 +0000",
    "@253402344000 +0000",
    "@4102444800 +0000",
    "2099-12-31T23:59:59+14:00",
    "2024-02-29T12:00:00+00:00",
]
OPERATIONS = [
    "figure",
    "syntax",
    "deep",
    "binary",
    "latin-1",
    "controls",
    "rename",
    "delete",
    "submodule",
    "merge",
    "front-matter",
    "empty",
    "restore",
]
UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff\u202a-\u202e\u2066-\u2069]")


@st.composite
def git_history(draw) -> tuple[list, bool]:
    """(commits as (date, [(operation, file, data)]), whether the working tree is made valid again at the end)."""
    commits = []
    for _ in range(draw(st.integers(1, 5))):
        changes = [
            (draw(st.sampled_from(OPERATIONS)), draw(st.sampled_from(MINI_FILES)), draw(st.binary(max_size=40)))
            for _ in range(draw(st.integers(1, 3)))
        ]
        commits.append((draw(st.sampled_from(DATES)), changes))
    return commits, draw(st.booleans()) or draw(st.booleans())


def change(root: Path, operation: str, rel: str, data: bytes, n: str) -> None:
    """One change of the working tree (staged by the commit that follows); `n` names what it adds."""
    path, original = root / rel, (MINI.parent / rel).read_bytes()
    path.parent.mkdir(parents=True, exist_ok=True)  # git removes a folder whose last file a commit deleted
    text = path.read_text(encoding="utf-8", errors="replace") if path.is_file() else original.decode("utf-8")
    if operation == "figure":
        path.write_text(re.sub(r"value: [^\n]*", f"value: {int.from_bytes(data[:3] or b'1', 'big')}", text, count=1))
    elif operation == "syntax":
        path.write_text(text + "\n  broken: [unclosed\n")
    elif operation == "deep":
        path.write_text(text.replace(": ", ": " + "[" * 30_000, 1))
    elif operation == "binary":
        path.write_bytes(data + b"\0\xff")
    elif operation == "latin-1":
        path.write_bytes(text.replace("name: ", "name: caf\xe9 ", 1).encode("latin-1", "replace"))
    elif operation == "controls":
        path.write_text(re.sub(r"(name|title): [^\n]*", r'\1: "Bad\\x01\\u202Eenil\\uFFFE 29.66"', text, count=1))
    elif operation == "rename" and path.is_file():
        path.rename(path.with_name(f"renamed-{n}-{path.name}.txt"))
    elif operation == "delete":
        path.unlink(missing_ok=True)
    elif operation == "submodule":
        (root / "content" / f"sub-{n}").mkdir(exist_ok=True)  # an unpopulated submodule, as a clone leaves it
        sha = f"1{(data * 20).hex()}"[:40].ljust(40, "0")  # a commit of another repository
        git(root, "update-index", "--add", "--cacheinfo", f"160000,{sha},content/sub-{n}")
    elif operation == "merge":
        git(root, "checkout", "-q", "-b", f"side-{n}")
        (root / "content" / f"side-{n}.txt").write_text("a file on a side branch\n")
        commit(root, "2023-03-03", "On the side")
        git(root, "checkout", "-q", "main")
        git(root, "merge", "-q", "--no-ff", "-m", "Merged", f"side-{n}", date="2023-03-04")
    elif operation == "front-matter":
        path.write_text(text.replace("---", "", 1))
    elif operation == "empty":
        path.write_text("")
    else:
        path.write_bytes(original)


def commit_at(root: Path, stamp: str) -> None:
    """Commit every change under content/ with an author and committer date git takes as written."""
    git(root, "add", "-A", "content", stamp=stamp)
    git(root, "commit", "-q", "--allow-empty", "-m", "An edit", stamp=stamp)


def assert_placed_lines(stderr: str, root: Path) -> None:
    """Every error line names a file of the working tree, a line within it and a column (or a file that is missing:
    no line to name)."""
    errors = [line for line in stderr.splitlines() if ": error: " in line]
    assert errors, stderr
    for line in errors:
        m = re.match(r"^([^\s:]+)(?::(\d+):(\d+))?: error: ", line)
        assert m, line
        path = root / m.group(1)
        if m.group(2) is None:
            assert not path.exists() and line.endswith("file is missing"), line
            continue
        assert path.is_file(), line
        assert int(m.group(2)) <= path.read_bytes().count(b"\n") + 1, line


@pytest.fixture(scope="module")
def mini_repo(tmp_path_factory) -> Path:
    """The mini site, first committed on 2020-01-01: each example copies it and commits its history on top."""
    return commit(make_site(tmp_path_factory.mktemp("history") / "site"), "2020-01-01", "The mini site")


@settings(
    max_examples=settings().max_examples // 10 or 1,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(history=git_history())
def test_any_git_history_builds_or_fails_at_a_real_line(mini_repo, history, tmp_path_factory):
    root = tmp_path_factory.mktemp("example") / "site"
    shutil.copytree(mini_repo, root, symlinks=True)
    commits, restored = history
    for n, (stamp, changes) in enumerate(commits):
        for i, (operation, rel, data) in enumerate(changes):
            change(root, operation, rel, data, f"{n}-{i}")
        commit_at(root, stamp)
    if restored:
        for rel in MINI_FILES:
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_bytes((MINI.parent / rel).read_bytes())
        commit_at(root, "2025-01-01T12:00:00+00:00")
    result = run_build_process(root)  # a hang: run_build_process's timeout fails the example
    assert result.returncode in (0, 1) and "Traceback" not in result.stderr, result.stderr
    if result.returncode == 1:
        assert not restored, result.stderr
        assert_placed_lines(result.stderr, root)
        return
    for rel in ("_site/changes/index.html", "_site/changes.xml"):
        text = (root / rel).read_text(encoding="utf-8")
        assert not UNPRINTABLE.search(text), rel
    ET.parse(root / "_site/changes.xml")
    shutil.rmtree(root.parent)
