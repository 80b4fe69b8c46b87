"""Builds killed at random moments: whatever the moment and the signal, the output folder holds the old site or the
new one, whole, and no temporary files; the next build cleans up and builds.

The default run kills eight builds of a synthetic site of 437 pages (about 20 s). A longer run:

    KILL_TEST_RUNS=200 KILL_TEST_PROJECTS=2000 python3 -m pytest tests/test_kill.py

(KILL_TEST_SEED=N repeats a run's choices of signal, moment and kind of build; the moments themselves depend on the
machine's speed.)"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import REPO, build, folders, leftovers, tree_bytes, write_files

from sitegen.output.swap import recover

sys.path.insert(0, str(REPO / "bench"))
import synth  # noqa: E402

RUNS = int(os.environ.get("KILL_TEST_RUNS", "8"))
PROJECTS = int(os.environ.get("KILL_TEST_PROJECTS", "200"))
SEED = int(os.environ.get("KILL_TEST_SEED", str(random.randrange(10**6))))
HOW = [
    ("SIGINT to the process group (Ctrl-C)", signal.SIGINT, True),
    ("SIGTERM", signal.SIGTERM, False),
    ("SIGKILL", signal.SIGKILL, False),
    ("SIGKILL to the process group", signal.SIGKILL, True),
]


def two_versions(root: Path) -> dict[str, dict[str, str]]:
    """The site's files as written ("a"), and after an edit that changes every page (a template), one project's
    figure and drops another project (its pages go) ("b")."""
    base, projects = root / "templates/base.html", root / "content/projects.yaml"
    a = {"templates/base.html": base.read_text(), "content/projects.yaml": projects.read_text()}
    synth.edit_one_figure(root, project=1, value=777)
    head, rest = projects.read_text().split("- id: project-3\n")
    b = {
        "templates/base.html": a["templates/base.html"].replace("</body>", "<!-- b --></body>"),
        "content/projects.yaml": head + rest[rest.index("- id: project-4\n") :],
    }
    assert all(a[rel] != b[rel] for rel in a)
    return {"a": a, "b": b}


def run(root: Path, *args: str) -> tuple[int, float]:
    """Build to the end: (exit code, seconds)."""
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, str(REPO / "build.py"), "--root", str(root), *args],
        capture_output=True,
        text=True,
        timeout=300,
    )
    seconds = time.perf_counter() - start
    assert done.returncode == 0, done.stderr
    return done.returncode, seconds


def wait_for_group(group: int, limit: float = 10.0) -> None:
    """Wait until no process of a process group runs, or `limit` seconds: a killed process's threads each finish the
    system call they are in (Pagefind's may be creating a file) before it is gone."""
    end = time.monotonic() + limit
    while time.monotonic() < end and any(_running_in(stat, group) for stat in Path("/proc").glob("[0-9]*/stat")):
        time.sleep(0.01)
    time.sleep(0.01)


def stuck(proc: subprocess.Popen) -> str:
    """What a build that will not end is doing: its group's processes, and the Python stacks of each (SIGABRT)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if _running_in(stat, proc.pid):
                found.append(
                    (
                        stat.parent.name,
                        (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode(),
                        (stat.parent / "wchan").read_text(),
                        stat.read_text().split(")")[1][:40],
                    )
                )
        except OSError:
            pass
    for pid, *_ in found:
        try:
            os.kill(int(pid), signal.SIGABRT)
        except OSError:
            pass
    try:
        err = proc.communicate(timeout=20)[1]
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        err = proc.communicate()[1]
    return "\n".join(" | ".join(row) for row in found) + "\n" + err


def _running_in(stat: Path, group: int) -> bool:
    """Whether the process of a /proc/PID/stat is in a process group and not yet gone: any of its threads still runs
    (its first thread shows as a zombie while the others end; and here nothing may reap an orphan's zombie)."""
    try:
        if int(stat.read_text().rpartition(")")[2].split()[2]) != group:  # state, parent, process group
            return False
        tasks = stat.parent.glob("task/*/stat")
        return any(task.read_text().rpartition(")")[2].split()[0] not in "ZX" for task in tasks)
    except OSError:
        return False  # gone


def test_builds_killed_at_random_moments_leave_a_whole_site(tmp_path):
    rng = random.Random(SEED)
    root = synth.write_site(tmp_path / "site", PROJECTS)
    out = root / "_site"
    files = two_versions(root)
    sites = {}
    for name, version in files.items():  # the complete builds, made in this process
        write_files(root, version)
        build(root, tmp_path / name)
        sites[name] = tree_bytes(tmp_path / name)
    assert run(root, "--fresh")[0] == 0 and tree_bytes(out) == sites["b"]
    write_files(root, files["a"])
    seconds = {"incremental": run(root)[1]}
    write_files(root, files["b"])
    seconds["full"] = run(root, "--fresh")[1]
    held, seen = "b", {}
    for trial in range(RUNS):
        target = "a" if held == "b" else "b"
        write_files(root, files[target])
        kind = rng.choice(["incremental", "full"])
        how, sig, group = rng.choice(HOW)
        delay = rng.uniform(0, seconds[kind] * 1.3)  # now and then after the build ended
        about = f"seed {SEED}, trial {trial}: {kind} build from {held} to {target}, {how} after {delay:.3f} s"
        proc = subprocess.Popen(
            [sys.executable, str(REPO / "build.py"), "--root", str(root)] + ["--fresh"] * (kind == "full"),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
            env={**os.environ, "PYTHONFAULTHANDLER": "1"},
        )  # a SIGABRT prints every stack
        time.sleep(delay)
        try:
            os.killpg(proc.pid, sig) if group else os.kill(proc.pid, sig)
        except ProcessLookupError:
            pass
        try:
            _, err = proc.communicate(timeout=120)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"{about}: still running 120 s later\n{stuck(proc)}") from None
        # Stopped while Python itself started, before build.py ran (or set its handlers): Python's own ending,
        # -SIGINT or -SIGTERM, or exit 1 with a report that names no line of build.py ("KeyboardInterrupt", or
        # "Fatal Python error: init_import_site" for a Ctrl-C in its site module).
        starting = proc.returncode in (-signal.SIGINT, -signal.SIGTERM) or (
            proc.returncode == 1 and "build.py" not in err and "Failed:" not in err
        )
        assert proc.returncode in (0, 130, 143, -signal.SIGKILL) or starting, f"{about}: exit {proc.returncode}\n{err}"
        assert "Traceback" not in err or starting, f"{about}\n{err}"
        if proc.returncode == -signal.SIGKILL:
            wait_for_group(proc.pid)  # the workers and Pagefind end with the build, a moment after it
            recover(out)  # what the next build does first
        else:
            assert leftovers(out) == [], about
        got = tree_bytes(out)
        assert got in (sites[held], sites[target]), f"{about}: the output mixes the two builds"
        assert leftovers(out) == [], about
        outcome = "new" if got == sites[target] else "old"
        assert folders(out) == folders(tmp_path / (target if outcome == "new" else held)), f"{about}: folders"
        seen[outcome] = seen.get(outcome, 0) + 1
        took = run(root)[1]  # the next build: cleans up, builds, and leaves the new site
        assert tree_bytes(out) == sites[target] and leftovers(out) == [], f"{about}: the next build"
        if outcome == "old":  # it did the stopped build's work again (incrementally): keep the moments in step
            seconds = {k: v * (1 + took / seconds["incremental"]) / 2 for k, v in seconds.items()}
        held = target
    print(
        f"kill test: seed {SEED}, {RUNS} builds stopped; the output was the old site {seen.get('old', 0)} times "
        f"and the new one {seen.get('new', 0)} times"
    )


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_a_stop_while_pagefind_indexes_is_the_builds(tmp_path, sig):
    """A Ctrl-C (or a SIGTERM) to the process group reaches Pagefind's service as well as the build: whichever of
    the two notices first, the build ends as stopped (exit 130, or 143), with no traceback and nothing left beside
    the output folder."""
    root = synth.write_site(tmp_path / "site", PROJECTS)
    proc = subprocess.Popen(
        [sys.executable, str(REPO / "build.py"), "--root", str(root), "--fresh"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # as at a terminal, however pytest runs
    )
    end = time.monotonic() + 120
    while proc.poll() is None and time.monotonic() < end and not _pagefind_in(proc.pid):
        time.sleep(0.002)
    assert proc.poll() is None, f"the build ended before Pagefind started: {proc.communicate()[1]}"
    time.sleep(0.2)  # pages are being indexed
    os.killpg(proc.pid, sig)
    try:
        _, err = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        raise AssertionError(f"the build still runs 60 s after a {sig.name}\n{stuck(proc)}") from None
    wait_for_group(proc.pid)
    assert proc.returncode == 128 + sig, f"exit {proc.returncode}\n{err}"
    assert "Traceback" not in err and "Exception ignored" not in err, err
    assert leftovers(root / "_site") == []


def _pagefind_in(group: int) -> bool:
    """Whether Pagefind's service runs in a process group."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if _running_in(stat, group) and b"--service" in (stat.parent / "cmdline").read_bytes():
                return True
        except OSError:
            pass
    return False
