#!/usr/bin/env python3
"""Benchmark the generator on synthetic content of N projects against a minimal jinja2+markdown loop.

Measures, each as the median wall time of several runs of `build.py` as a process (interpreter start
included): a cold full build (no cache, no previous output, the search index made), a rebuild after one figure
changes (which leaves the search index alone), one after a project's summary changes (edit_words_s: its words, so
the search index is made again), and the floor loop over the same data; with ms per page and peak memory (max RSS
of the build process). Also the preview's rebuild after one figure changes (bench/serve_edit.py: state kept in
memory, as in `build.py serve`).

build.py returns once the site is written and leaves its cache to a child process that writes it behind the
prompt: cold_s and edit_s are the times to the prompt; cold_cached_s and edit_cached_s the times until that
child is done too (each run waits for it before the next starts), and cache_writer_peak_mb the child's peak.

With --real, also the project's own site, from a copy of it: cold (no cache and no output, so its templates
are compiled too), with --fresh (the cache ignored, the compiled templates kept) and with nothing changed. Every
line carries what any Python build pays here before its own work: a bare interpreter (python_start_s) and one
that imports jinja2, markdown and yaml (python_imports_s), so figures from machines of different speeds compare.

    python3 bench/run.py --projects 1000 [--runs 5] [--real]

Ends with one line of JSON: {"projects": N, "pages": ..., "cold_s": ..., "edit_s": ..., "edit_words_s": ...,
"serve_edit_s": ..., "peak_mb": ..., "cold_cached_s": ..., "edit_cached_s": ..., "cache_writer_peak_mb": ...,
"floor_s": ..., "ms_per_page": ..., "ratio_to_floor": ..., "python_start_s": ..., "python_imports_s": ...}; with
--real, the line {"site": "real", "pages": ..., "cold_s": ..., "fresh_s": ..., "noop_s": ..., ...} comes before it
(and is the last line when --real is given without --projects).
"""
from __future__ import annotations

import argparse
import ctypes
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import synth  # noqa: E402

REPO = Path(__file__).resolve().parents[1]


def adopt_orphans() -> None:
    """Become the parent of processes our children leave behind (Linux), so that the cache build.py writes behind
    its prompt, in a child that outlives it, is waited for and measured too."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
    except (OSError, AttributeError):
        pass


def timed(cmd: list[str], after: list | None = None) -> tuple[float, float, str]:
    """Run a command; return (wall seconds, peak RSS in MB, stdout). Fails loudly on a non-zero exit. With `after`,
    a list: appends (seconds until every process it left behind ended, their peak RSS in MB). The disk is synced
    first, so that writing back what the last run (or its clean-up) left in memory is not timed as this run's work."""
    os.sync()
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if after is not None:
        peak = 0.0
        while True:
            try:
                _, _, left = os.wait4(-1, 0)
            except ChildProcessError:
                break
            peak = max(peak, left.ru_maxrss / 1024)
        after.append((time.perf_counter() - start, peak))
    out, err = proc.stdout.read(), proc.stderr.read()
    proc.stdout.close(), proc.stderr.close()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{err[-2000:]}")
    return wall, usage.ru_maxrss / 1024, out


def cold_build(build: list[str], site: Path) -> tuple[float, float, int]:
    """Remove the output and every cache, then build: (wall seconds, peak RSS in MB, pages built)."""
    for name in ("_site", ".cache"):
        shutil.rmtree(site / name, ignore_errors=True)
    wall, peak, out = timed(build)
    return wall, peak, int(re.search(r"Built (\d+) pages", out).group(1))


def median(values) -> float:
    """The median, rounded to the millisecond."""
    return round(statistics.median(values), 3)


def bench(projects: int, runs: int) -> dict:
    """Measure one size; return the figures."""
    site = synth.write_site(Path(tempfile.mkdtemp(prefix="bench-")) / "site", projects)
    build = [sys.executable, str(REPO / "build.py"), "--root", str(site)]
    cold, peaks, pages = [], [], 0
    for _ in range(runs):
        wall, peak, pages = cold_build(build, site)
        cold.append(wall)
        peaks.append(peak)
    edits = []
    for n in range(runs):
        synth.edit_one_figure(site, project=projects // 2, value=900 + n)
        wall, peak, _ = timed(build)
        edits.append(wall)
        peaks.append(peak)
    words = []  # an edit of a page's words: the search index is made again too
    for n in range(runs):
        synth.edit_one_summary(site, project=projects // 3, word=f"edited {n}")
        words.append(timed(build)[0])
    serve = json.loads(timed([sys.executable, str(REPO / "bench/serve_edit.py"), str(site), "--edits", str(runs)])[2])
    floor = []
    for _ in range(runs):
        shutil.rmtree(site / "_floor", ignore_errors=True)
        floor.append(timed([sys.executable, str(REPO / "bench/floor.py"), str(site), str(site / "_floor")])[0])
    shutil.rmtree(site.parent, ignore_errors=True)
    result = {"projects": projects, "pages": pages, "cold_s": median(cold), "edit_s": median(edits),
              "edit_words_s": median(words),
              "serve_edit_s": serve["median_s"], "peak_mb": round(max(peaks), 1), "floor_s": median(floor)}
    result["ms_per_page"] = round(result["cold_s"] * 1000 / pages, 3)
    result["ratio_to_floor"] = round(result["cold_s"] / result["floor_s"], 2)
    return result


def baseline(runs: int) -> dict:
    """What any Python build pays on this machine before its own work: a bare interpreter start, and one that
    imports the three libraries every build needs."""
    start = [timed([sys.executable, "-c", "pass"])[0] for _ in range(runs)]
    imports = [timed([sys.executable, "-c", "import jinja2, markdown, yaml"])[0] for _ in range(runs)]
    return {"python_start_s": median(start), "python_imports_s": median(imports)}


def bench_real(runs: int) -> dict:
    """Measure the project's own site, built from a copy (the repository's _site/ and .cache/ stay as they are):
    cold, with no cache and no output; --fresh, which ignores the cache but keeps the compiled templates; and a
    build with nothing changed."""
    root = Path(tempfile.mkdtemp(prefix="bench-real-")) / "site"
    for name in ("models", "content", "templates", "static"):
        shutil.copytree(REPO / name, root / name)
    build = [sys.executable, str(REPO / "build.py"), "--root", str(root)]
    cold, fresh, noop, pages = [], [], [], 0
    for _ in range(runs):
        wall, _, pages = cold_build(build, root)
        cold.append(wall)
        fresh.append(timed(build + ["--fresh"])[0])
        noop.append(timed(build)[0])
    shutil.rmtree(root.parent, ignore_errors=True)
    return {"site": "real", "pages": pages, "cold_s": median(cold), "fresh_s": median(fresh), "noop_s": median(noop)}


def main() -> None:
    """Parse arguments, run, print a readable line per size and the JSON line last."""
    parser = argparse.ArgumentParser(description="Benchmark the generator on synthetic content.")
    parser.add_argument("--projects", type=int, action="append", help="number of projects (repeatable)")
    parser.add_argument("--runs", type=int, default=5, help="runs per measurement (median is reported)")
    parser.add_argument("--real", action="store_true", help="also measure the project's own site (alone when "
                        "no --projects is given)")
    args = parser.parse_args()
    if args.runs < 1 or any(n < 1 for n in args.projects or ()):
        parser.error("--projects and --runs must be at least 1")
    adopt_orphans()
    machine = baseline(max(args.runs, 5))
    real = [{**bench_real(args.runs), **machine}] if args.real else []
    sizes = args.projects or ([] if args.real else [10, 1000, 10000])
    results = [{**bench(n, args.runs), **machine} for n in sizes]
    for r in real:
        print(f"the real site, {r['pages']} pages: cold {r['cold_s']:.3f} s, --fresh {r['fresh_s']:.3f} s, "
              f"nothing changed {r['noop_s']:.3f} s", file=sys.stderr)
    for r in results:
        print(f"{r['projects']:>6} projects, {r['pages']:>6} pages: cold {r['cold_s']:.3f} s "
              f"({r['ms_per_page']:.2f} ms/page, {r['ratio_to_floor']}x floor {r['floor_s']:.3f} s), "
              f"edit {r['edit_s']:.3f} s (in the preview {r['serve_edit_s']:.3f} s), edit of words "
              f"{r['edit_words_s']:.3f} s, peak {r['peak_mb']:.0f} MB",
              file=sys.stderr)
    print(f"this machine: python3 starts in {machine['python_start_s']:.3f} s, and imports jinja2, markdown and "
          f"yaml in {machine['python_imports_s']:.3f} s in all", file=sys.stderr)
    for r in real + results:
        print(json.dumps(r))


if __name__ == "__main__":
    main()
