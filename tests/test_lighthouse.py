"""Lighthouse scores 100 in performance, accessibility, best practices and SEO on the home page, a project page,
the article and the peers page (the widest tables), in both languages, on a phone, and on the home page on a desktop
too (TOOLING.md §6).

About 4 s per run (shorter quiet windows than Lighthouse's defaults, for a local server: tests/lighthouse.mjs), all
in one Node process with one Chromium (the CLI spends as long again starting both each run), one at a time, and no
other test beside them (`exclusive` in conftest.py). Headless Chromium now and then presents a page's first frame a
second after painting it (seen on identical runs of the home page on a busy machine, with the main thread idle all
along), and on a machine busy with other work total blocking time loses a point or two; Lighthouse then scores that
against the page. So a run below 100 is repeated (up to three runs) and each category keeps its best score: a real
regression fails every run."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from conftest import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, REPO

SCRIPT = REPO / "tests" / "lighthouse.mjs"
PAGES = {
    "home": "",
    "project": "projects/sj-3dic-packaging/",
    "article": "news/2023-jiangyin-development-summit/",
    "zh-home": "zh/",
    "zh-project": "zh/projects/sj-3dic-packaging/",
    "zh-article": "zh/news/2023-jiangyin-development-summit/",
    "peers": "peers/",  # the widest tables and the most charts
    "zh-peers": "zh/peers/",
}
RUNS = [(name, "mobile") for name in PAGES] + [("home", "desktop")]
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
ATTEMPTS = 3  # a busy machine costs total-blocking-time points now and then; a real regression fails all three


def lighthouse(runs: list[tuple[str, str, Path]]) -> list[dict]:
    """Run Lighthouse on each (URL, form, report path) with one Chromium (tests/lighthouse.mjs); return the
    reports."""
    job = runs[0][2].with_name("job.json")
    job.write_text(
        json.dumps(
            {
                "chrome": CHROMIUM,
                "flags": ["--headless", "--no-sandbox", *CHROMIUM_ARGS],
                "categories": list(CATEGORIES),
                "runs": [{"url": url, "form": form, "out": str(out)} for url, form, out in runs],
            }
        )
    )
    subprocess.run(["node", str(SCRIPT), str(job)], check=True, timeout=120 * len(runs), cwd=REPO)
    return [json.loads(out.read_text()) for _, _, out in runs]


@pytest.fixture(scope="module")
def scored(live_site, tmp_path_factory):
    """Every run's reports, by (page, form): each run once, then again those that lost a point (up to ATTEMPTS)."""
    base, _ = live_site
    folder = tmp_path_factory.mktemp("lighthouse")
    reports: dict[tuple[str, str], list[dict]] = {run: [] for run in RUNS}
    for attempt in range(ATTEMPTS):
        todo = [run for run, done in reports.items() if not done or best(done) != dict.fromkeys(CATEGORIES, 1)]
        if not todo:
            break
        paths = [folder / f"{name}-{form}-{attempt}.json" for name, form in todo]
        for run, report in zip(todo, lighthouse([(base + PAGES[n], f, p) for (n, f), p in zip(todo, paths)])):
            reports[run].append(report)
    return reports


def best(reports: list[dict]) -> dict:
    """Each category's best score over some runs of one page."""
    return {cat: max(r["categories"][cat]["score"] for r in reports) for cat in CATEGORIES}


def failing(report: dict) -> dict:
    """The audits that lost points, by category, with their scores."""
    found = {}
    for cat in CATEGORIES:
        refs = [r["id"] for r in report["categories"][cat]["auditRefs"] if r["weight"] > 0]
        found[cat] = {a: report["audits"][a]["score"] for a in refs if (report["audits"][a]["score"] or 0) < 1}
    return {k: v for k, v in found.items() if v}


@pytest.mark.parametrize("name,form", RUNS)
def test_lighthouse_scores_100(scored, name, form):
    reports = scored[name, form]
    scores = best(reports)
    folder = ARTIFACTS / "lighthouse"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}-{form}.json").write_text(
        json.dumps(
            {
                "url": reports[0]["finalDisplayedUrl"],
                "scores": scores,
                "runs": len(reports),
                "lost": [failing(r) for r in reports],
            },
            indent=2,
        )
        + "\n"
    )
    assert scores == dict.fromkeys(CATEGORIES, 1), [failing(r) for r in reports]
