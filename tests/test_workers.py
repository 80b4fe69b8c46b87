"""Rendering on several cores gives the same bytes as rendering on one, and reports errors the same way."""
from __future__ import annotations

import pytest
from conftest import REPO, edit, make_site, tree_bytes

from sitegen.errors import BuildFailed
from sitegen.incremental import workers
from sitegen.pipeline import build


def test_parallel_render_equals_serial(tmp_path, monkeypatch):
    root = make_site(tmp_path / "site", content=REPO / "content")
    build(root, tmp_path / "serial")
    monkeypatch.setattr(workers, "PARALLEL_MIN", 1)
    monkeypatch.setattr(workers.os, "cpu_count", lambda: 2)
    result = build(root, tmp_path / "parallel")
    assert result.rendered == result.pages
    assert tree_bytes(tmp_path / "parallel") == tree_bytes(tmp_path / "serial")


def test_parallel_render_reports_template_errors(site, monkeypatch):
    monkeypatch.setattr(workers, "PARALLEL_MIN", 1)
    monkeypatch.setattr(workers.os, "cpu_count", lambda: 2)
    edit(site, "templates/company.html", "{% block content %}", "{% block content %}\n<p>{{ item.sumary }}</p>")
    with pytest.raises(BuildFailed) as failed:
        build(site, site / "_site")
    assert [e.loc.source for e in failed.value.errors] == ["templates/company.html"]


def test_pages_written_while_rendered_leave_no_trace_when_the_build_fails(tmp_path, monkeypatch):
    monkeypatch.setattr(workers, "PARALLEL_MIN", 1)
    monkeypatch.setattr(workers.os, "cpu_count", lambda: 2)
    root = make_site(tmp_path / "site", content=REPO / "content")
    build(root, root / "_site")
    before = tree_bytes(root / "_site")
    # every page renders (and is written to the staging folder), then the link check fails the build
    edit(root, "templates/base.html", "</footer>", '<a href="{{ url(\'no-such-page/\') }}">x</a></footer>')
    with pytest.raises(BuildFailed) as failed:
        build(root, root / "_site")
    assert "broken link" in failed.value.errors[0].message
    assert tree_bytes(root / "_site") == before
    assert sorted(p.name for p in root.iterdir()) == ["_site", "content", "models", "static", "templates"]


def test_a_killed_builds_leftovers_are_removed_by_the_next_build(tmp_path):
    root = make_site(tmp_path / "site", content=REPO / "content")
    dead = 2 ** 22 + 12345  # above Linux's largest process id: no such process
    for name in (f"._site.staging-{dead}", f"._site.old-{dead}"):
        (root / name / "x").mkdir(parents=True)
    (root / "._site.notes-1").mkdir()  # not ours: left alone
    build(root, root / "_site")
    assert sorted(p.name for p in root.iterdir() if p.name.startswith(".")) == ["._site.notes-1"]
