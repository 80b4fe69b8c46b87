#!/usr/bin/env python3
"""Benchmark the generator side by side with the anchors (../shared/anchors/: Hugo, Hugo followed by Pagefind, a
plain Jinja loop), on synthetic content of N projects (bench/synth.py) and on the real site.

Every figure is a ratio of two commands timed in alternation, A B A B, so that a machine whose speed drifts affects
both alike (the median of the per-pair ratios). Absolute seconds are printed too, for the record only.

    python3 bench/run.py --projects 10000 [--runs 5]      # the declared scale, against the anchors
    python3 bench/run.py --real [--runs 7]                # the real site: a build with nothing changed
    python3 bench/run.py --projects 10000 --against ceb7b1e   # also CPU time against an earlier commit's build

Measured at N projects (one language, search included):
- cold_vs_hugo_pagefind: a cold build (no cache, no output) against Hugo followed by Pagefind over Hugo's output;
- cold_vs_floor: the same against the plain Jinja loop over the same data (bench/floor.py), where the time goes;
- cpu_s, peak_mb: the cold build's CPU time (user and system, Pagefind included) and the peak memory of the
  generator's own process (Pagefind's service apart: pagefind_peak_mb);
- edit_vs_hugo: a one-figure edit built from the command line against Hugo's build after the same edit;
- preview_edit_vs_hugo_server: the preview's rebuild after a one-figure edit (bench/serve_edit.py, in process)
  against Hugo's own server rebuild time (its "Total in" line);
- with --against REV: cpu_vs_REV, the cold build's CPU time against REV's on its own synthetic site of N projects.
On the real site: noop_vs_imports, a build with nothing changed against a bare Python importing jinja2, markdown and
yaml. The save-to-reload time in Chromium is bench/reload_latency.py's.

Without the anchors installed (bash ../shared/anchors/install_anchors.sh; the workload by make_workload.py), the
ratios against them are left out and the absolute figures still printed. Ends with one line of JSON per site."""

from __future__ import annotations

import argparse
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
ANCHORS = Path(os.environ.get("ANCHORS", Path(os.environ.get("TMPDIR", "/tmp")) / "ssg-anchors"))
SHARED = REPO.parent / "shared" / "anchors"
PEAK = (
    "import resource, runpy, sys; sys.argv = sys.argv[1:]\n"
    "try:\n    runpy.run_path(sys.argv[0], run_name='__main__')\n"
    "finally:\n    print(f'PEAK {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}', file=sys.stderr)\n"
)


class Run:
    """One command's run: wall seconds, CPU seconds (its whole tree), its own peak memory (MB) and its output."""

    def __init__(self, cmd: list[str], env: dict | None = None):
        os.sync()  # what the last run left to write back to disk is not timed as this one's work
        before = os.times()
        start = time.perf_counter()
        done = subprocess.run(cmd, capture_output=True, text=True, env=env)
        self.wall = time.perf_counter() - start
        after = os.times()
        self.cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
        if done.returncode:
            raise SystemExit(f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stderr[-2000:]}")
        found = re.search(r"PEAK (\d+)", done.stderr)
        self.peak = int(found.group(1)) / 1024 if found else 0.0
        self.out, self.err = done.stdout, done.stderr


def ours(site: Path, *args: str) -> list[str]:
    """build.py on a site, run so that its own process's peak memory is printed (PEAK in kB)."""
    return [sys.executable, "-c", PEAK, str(REPO / "build.py"), "--root", str(site), *args]


def anchor(tool: str, projects: int, mode: str, outroot: Path) -> list[str]:
    """One build of an anchor (build_cmd.sh), its output under outroot."""
    return ["env", f"OUTROOT={outroot}", "sh", str(SHARED / "build_cmd.sh"), tool, str(projects), mode]


def have_anchors(projects: int) -> bool:
    """Whether the anchors and their workload of `projects` projects are installed."""
    return (ANCHORS / "hugo").exists() and (ANCHORS / "work" / str(projects) / "hugo").is_dir()


def paired(a, b, runs: int) -> tuple[list, list, float]:
    """Run two thunks in alternation (one warm-up each, not counted): their runs and the median of the per-pair
    ratios of wall seconds, a over b."""
    a(), b()
    pairs = [(a(), b()) for _ in range(runs)]
    return [p[0] for p in pairs], [p[1] for p in pairs], round(statistics.median(x.wall / y.wall for x, y in pairs), 3)


def med(values) -> float:
    """The median, rounded to the millisecond."""
    return round(statistics.median(values), 3)


def cold(site: Path) -> Run:
    """A cold build: no cache, no output."""
    for name in ("_site", ".cache"):
        shutil.rmtree(site / name, ignore_errors=True)
    return Run(ours(site))


def fresh_outroot(outroot: Path) -> Path:
    """An empty folder for an anchor's cold build (a new one each run: no cleaning inside the timing)."""
    shutil.rmtree(outroot, ignore_errors=True)
    outroot.mkdir(parents=True)
    return outroot


def bench(projects: int, runs: int, against: str | None) -> dict:
    """Measure one size; return the figures."""
    work = Path(tempfile.mkdtemp(prefix="bench-"))
    site = synth.write_site(work / "site", projects)
    result: dict = {"projects": projects}
    first = cold(site)
    result["pages"] = int(re.search(r"Built (\d+) pages", first.out).group(1))
    floor = lambda: Run([sys.executable, str(REPO / "bench/floor.py"), str(site), str(work / "floor")])  # noqa: E731
    runs_a, runs_b, result["cold_vs_floor"] = paired(lambda: cold(site), floor, runs)
    result.update(
        cold_s=med(r.wall for r in runs_a),
        floor_s=med(r.wall for r in runs_b),
        cpu_s=med(r.cpu for r in runs_a),
        peak_mb=round(max(r.peak for r in runs_a), 1),
    )
    if have_anchors(projects):
        hugo_pf = lambda: Run(anchor("hugo-pagefind", projects, "cold", fresh_outroot(work / "anchor")))  # noqa
        _, runs_b, result["cold_vs_hugo_pagefind"] = paired(lambda: cold(site), hugo_pf, runs)
        result["hugo_pagefind_s"] = med(r.wall for r in runs_b)
        Run(anchor("hugo", projects, "again", work / "anchor-warm"))  # Hugo's warm folder, for its edits
        edit = iter(range(10**6))

        def mine():
            synth.edit_one_figure(site, project=projects // 2, value=900 + next(edit) % 2)
            return Run(ours(site))

        runs_a, runs_b, result["edit_vs_hugo"] = paired(
            mine, lambda: Run(anchor("hugo", projects, "edit", work / "anchor-warm")), runs
        )
        result.update(edit_s=med(r.wall for r in runs_a), hugo_edit_s=med(r.wall for r in runs_b))
        preview = json.loads(
            Run([sys.executable, str(REPO / "bench/serve_edit.py"), str(site), "--edits", str(max(runs, 3))]).out
        )
        server = hugo_server_rebuild(projects, max(runs, 3))
        result.update(
            preview_edit_s=preview["median_s"],
            hugo_server_rebuild_s=server,
            preview_edit_vs_hugo_server=round(preview["median_s"] / server, 3) if server else None,
        )
    if against:
        result[f"cpu_vs_{against}"] = round(result["cpu_s"] / cpu_of(against, projects, runs, work), 3)
    shutil.rmtree(work, ignore_errors=True)
    return result


def hugo_server_rebuild(projects: int, edits: int) -> float | None:
    """The median of Hugo's own rebuild times in its dev server after a one-value edit (seconds)."""
    done = subprocess.run(
        ["bash", str(SHARED / "hugo_server_rebuild.sh"), str(projects), "hugo", str(edits)],
        capture_output=True,
        text=True,
    )
    times = [float(ms) / 1000 for ms in re.findall(r"Total in (\d+(?:\.\d+)?) ms", done.stdout.split("rebuilds")[-1])]
    return med(times) if times else None


def cpu_of(rev: str, projects: int, runs: int, work: Path) -> float:
    """The median CPU time of a cold build by the generator as it was at a commit, on its own synthetic site."""
    tree = work / f"rev-{rev}"
    subprocess.run(
        ["git", "-C", str(REPO), "worktree", "add", "--detach", str(tree), rev], check=True, capture_output=True
    )
    try:
        site = work / "rev-site"
        subprocess.run(
            [
                sys.executable,
                "-c",
                f"import sys; sys.path.insert(0, 'bench'); import synth; "
                f"from pathlib import Path; synth.write_site(Path({str(site)!r}), {projects})",
            ],
            cwd=tree,
            check=True,
            capture_output=True,
        )
        times = []
        for _ in range(runs):
            for name in ("_site", ".cache"):
                shutil.rmtree(site / name, ignore_errors=True)
            times.append(Run([sys.executable, str(tree / "build.py"), "--root", str(site)]).cpu)
        return med(times)
    finally:
        subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(tree)], capture_output=True)


def bench_real(runs: int) -> dict:
    """The real site, built from a copy (the repository's _site/ and .cache/ stay as they are): a cold build, and a
    build with nothing changed against a bare Python that imports jinja2, markdown and yaml."""
    root = Path(tempfile.mkdtemp(prefix="bench-real-")) / "site"
    for name in ("models", "content", "templates", "static"):
        shutil.copytree(REPO / name, root / name)
    first = cold(root)
    imports = [sys.executable, "-c", "import jinja2, markdown, yaml"]
    runs_a, runs_b, ratio = paired(lambda: Run(ours(root)), lambda: Run(imports), runs)
    shutil.rmtree(root.parent, ignore_errors=True)
    return {
        "site": "real",
        "pages": int(re.search(r"Built (\d+) pages", first.out).group(1)),
        "cold_s": round(first.wall, 3),
        "noop_s": med(r.wall for r in runs_a),
        "imports_s": med(r.wall for r in runs_b),
        "noop_vs_imports": ratio,
    }


def main() -> None:
    """Parse arguments, run, print a readable summary and the JSON lines last."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, action="append", help="number of projects (repeatable)")
    parser.add_argument("--runs", type=int, default=5, help="pairs per measurement (the median is reported)")
    parser.add_argument("--real", action="store_true", help="also measure the real site (alone without --projects)")
    parser.add_argument("--against", help="also compare the cold build's CPU time with this commit's")
    args = parser.parse_args()
    if args.runs < 1 or any(n < 1 for n in args.projects or ()):
        parser.error("--projects and --runs must be at least 1")
    results = [bench_real(max(args.runs, 5))] if args.real else []
    results += [bench(n, args.runs, args.against) for n in args.projects or ([] if args.real else [1000])]
    for r in results:
        print(", ".join(f"{k} {v}" for k, v in r.items()), file=sys.stderr)
    if not all(have_anchors(n) for n in args.projects or ()):
        print(
            f"the anchors are not installed under {ANCHORS} for every size: ratios against them left out "
            "(bash ../shared/anchors/install_anchors.sh, then make_workload.py --n N)",
            file=sys.stderr,
        )
    for r in results:
        print(json.dumps(r))


if __name__ == "__main__":
    main()
