"""The benchmark runs as the README says and ends with its line of JSON (figures are not asserted: no timed tests)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import REPO


@pytest.mark.slow  # builds the site several times
def test_benchmark_runs_and_reports_every_figure():
    result = subprocess.run(
        [sys.executable, str(REPO / "bench/run.py"), "--projects", "10", "--runs", "1"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    # with the economy, peers, rankings and series pages, and an empty zones index
    assert figures["projects"] == 10 and figures["pages"] == 49
    for key in ("cold_s", "floor_s", "cold_vs_floor", "cpu_s", "peak_mb"):
        assert figures[key] > 0, key


# What other tests make in the repository while this one runs: tests/test_architecture.py runs mypy and ruff there,
# whose caches a fresh clone does not have (seen on 2026-12-07: .mypy_cache appeared during the benchmark).
BESIDE = {".mypy_cache", ".ruff_cache", ".pytest_cache", "__pycache__", ".hypothesis"}


@pytest.mark.slow  # builds the site several times
def test_benchmark_measures_the_real_site_from_a_copy():
    before = {p.name for p in REPO.iterdir()}
    result = subprocess.run(
        [sys.executable, str(REPO / "bench/run.py"), "--real", "--runs", "1"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    figures = json.loads(lines[-1])
    assert len(lines) == 1 and figures["site"] == "real"
    assert figures["pages"] > 30  # the profile's pages, not a synthetic site's
    for key in ("cold_s", "noop_s", "imports_s", "noop_vs_imports"):
        assert figures[key] > 0, key
    after = {p.name for p in REPO.iterdir()}  # built elsewhere: nothing added to the repository or taken from it ...
    assert before <= after and after - before <= BESIDE, after ^ before  # ... but the caches of tests beside this one


def test_benchmark_scripts_refuse_bad_arguments_without_a_traceback(tmp_path):
    for script, args in (
        ("bench/run.py", ["--projects", "0"]),
        ("bench/run.py", ["--runs", "0"]),
        ("bench/serve_edit.py", [str(tmp_path)]),
    ):
        result = subprocess.run([sys.executable, str(REPO / script), *args], capture_output=True, text=True, timeout=60)
        assert result.returncode == 2 and "error:" in result.stderr, (script, args, result.stderr)
        assert "Traceback" not in result.stderr
