"""build.py as a process: exit codes, the summary line, --out, --base-url, check, determinism."""

from __future__ import annotations

import re
import subprocess
import sys
import time

from conftest import REPO, edit, run_build_process, tree_bytes


def test_build_writes_site_and_prints_one_summary_line(site):
    result = run_build_process(site)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert re.fullmatch(r"Built 23 pages \(88 files, \d+ KB\) into _site/ in \d+\.\d\d s\.\n", result.stdout)
    for dest in [
        "index.html",
        "404.html",
        "sources/index.html",
        "news/summit/index.html",
        "projects/chip-line/index.html",
        "companies/chipco/index.html",
        "industries/chips/index.html",
        "summits/summit-2023/index.html",
        "sitemap.xml",
        "robots.txt",
        "feed.xml",
        ".nojekyll",
        "changes/index.html",
        "changes.xml",
        "social.png",
        "favicon.ico",
        "apple-touch-icon.png",
        "data/index.html",
        "data/facts.json",
        "data/gdp.csv",
        "data/schema/sources.schema.json",
    ]:
        assert (site / "_site" / dest).is_file(), dest
    assert len(list((site / "_site").glob("style.*.css"))) == 1 and not (site / "_site/style.css").exists()


def test_check_validates_without_writing(site):
    result = run_build_process(site, "check")
    assert result.returncode == 0
    assert re.fullmatch(r"Checked 23 pages: no errors \(\d+\.\d\d s\)\.\n", result.stdout)
    assert not (site / "_site").exists()


def test_check_reports_errors_and_exits_1(site):
    edit(site, "content/projects.yaml", "  year: 2023", "  year: '2023'")
    result = run_build_process(site, "check")
    assert result.returncode == 1
    assert "content/projects.yaml:6:9: error: expected a year such as 2023, got the text '2023'" in result.stderr
    assert not (site / "_site").exists()


def test_out_option(site, tmp_path):
    out = tmp_path / "elsewhere" / "public"
    result = run_build_process(site, "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert (out / "index.html").is_file() and not (site / "_site").exists()


def test_base_url_prefixes_every_internal_url(site):
    result = run_build_process(site, "--base-url", "https://user.github.io/repo/")
    assert result.returncode == 0, result.stderr
    for path in (site / "_site").rglob("*.html"):
        html = path.read_text()
        for url in re.findall(r'(?:href|src)="([^"]+)"', html):
            if url.startswith(("#", "https://example.org", "https://user.github.io/repo/")):
                continue
            assert url.startswith("/repo/"), f"{path.name}: {url}"


def test_root_base_url(site):
    assert run_build_process(site, "--base-url", "https://example.com").returncode == 0
    html = (site / "_site/index.html").read_text()
    assert re.search(r'href="/style\.[0-9a-f]{8}\.css"', html) and 'href="/projects/"' in html
    assert '<link rel="canonical" href="https://example.com/">' in html


def test_two_builds_are_byte_identical(site, tmp_path):
    assert run_build_process(site, "--out", str(tmp_path / "a")).returncode == 0
    assert run_build_process(site, "--out", str(tmp_path / "b")).returncode == 0
    assert tree_bytes(tmp_path / "a") == tree_bytes(tmp_path / "b")


def test_usage_errors_exit_2(site):
    for args in (
        ["publish"],
        ["--base-url", "ftp://x/"],
        ["--port", "eighty"],
        ["serve", "--port", "99999"],
        ["--out", str(site / "content")],
    ):
        result = run_build_process(site, *args)
        assert result.returncode == 2, args
        assert "Traceback" not in result.stderr and "usage:" in result.stderr


def test_out_refuses_to_replace_a_foreign_folder(site, tmp_path):
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "thesis.txt").write_text("do not delete")
    result = run_build_process(site, "--out", str(precious))
    assert result.returncode == 2 and "refusing to replace it" in result.stderr
    assert (precious / "thesis.txt").read_text() == "do not delete"


def test_help_runs():
    result = subprocess.run([sys.executable, str(REPO / "build.py"), "--help"], capture_output=True, text=True)
    assert result.returncode == 0 and "--base-url" in result.stdout


def test_cached_rebuild_after_an_edit_equals_a_fresh_build(site, tmp_path):
    assert run_build_process(site).returncode == 0
    assert (site / ".cache/sitegen/state.db").is_file()
    edit(site, "content/events.yaml", "    value: 217\n", "    value: 218\n")
    result = run_build_process(site)
    assert result.returncode == 0, result.stderr
    assert re.search(r"; [1-9] pages rendered, [1-9] files written\)", result.stdout), result.stdout
    assert run_build_process(site, "--out", str(tmp_path / "fresh"), "--fresh").returncode == 0
    assert tree_bytes(site / "_site") == tree_bytes(tmp_path / "fresh")


def test_a_build_waits_while_another_writes_the_cache(site):
    """The cache is written in one transaction; a build started meanwhile waits for it, then uses it."""
    import sqlite3

    assert run_build_process(site).returncode == 0
    edit(site, "content/events.yaml", "    value: 217\n", "    value: 218\n")
    db = sqlite3.connect(site / ".cache/sitegen/state.db", isolation_level=None)
    db.execute("BEGIN EXCLUSIVE")  # as a build writing its state holds it
    waiting = subprocess.Popen(
        [sys.executable, str(REPO / "build.py"), "--root", str(site)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(1.5)
    assert waiting.poll() is None, "the build should wait for the cache being written"
    db.execute("COMMIT")
    db.close()
    out, err = waiting.communicate(timeout=60)
    assert waiting.returncode == 0, err
    assert re.search(r"; [1-9] pages rendered", out), out  # it used the cache once it was free


def test_cache_is_rewritten_only_when_the_build_changed_something(site):
    assert run_build_process(site).returncode == 0
    cached = site / ".cache/sitegen/state.db"
    stamp = cached.stat().st_mtime_ns
    result = run_build_process(site)
    assert "0 pages rendered, 0 files written" in result.stdout and cached.stat().st_mtime_ns == stamp
    edit(site, "content/events.yaml", "    value: 217\n", "    value: 218\n")
    assert run_build_process(site).returncode == 0 and cached.stat().st_mtime_ns != stamp
    stamp = cached.stat().st_mtime_ns
    edit(site, "content/events.yaml", "    value: 218\n", "    value: 217\n")  # back: the cache must follow
    result = run_build_process(site)
    assert re.search(r"; [1-9] pages rendered", result.stdout) and cached.stat().st_mtime_ns != stamp


def test_the_build_after_a_change_of_models_starts_from_the_state_that_change_left(site):
    """A change to the models (or to the generator) makes the next build a full one, which writes every file anew:
    the state it leaves must say so (it once kept the old files' times, so that the build after it was full again)."""
    assert run_build_process(site).returncode == 0
    model = site / "models/site.yaml"
    model.write_text(model.read_text() + "# a comment\n")
    result = run_build_process(site)
    assert result.returncode == 0 and "pages rendered" not in result.stdout
    edit(site, "content/events.yaml", "    value: 217\n", "    value: 218\n")
    result = run_build_process(site)
    assert re.search(r"; [1-9]\d* pages rendered", result.stdout), result.stdout


def test_cache_is_ignored_when_the_output_was_touched(site):
    assert run_build_process(site).returncode == 0
    (site / "_site/index.html").write_text("tampered")
    result = run_build_process(site)
    assert result.returncode == 0 and "pages rendered" not in result.stdout
    assert "tampered" not in (site / "_site/index.html").read_text()


def test_an_output_file_changed_by_hand_means_a_full_build(site):
    """The cache vouches for the output folder only while every file it wrote is as it was: one changed by hand
    (or by another program) makes the next build a full one, which puts it right."""
    assert run_build_process(site).returncode == 0
    page = site / "_site/sources/index.html"
    written = page.read_bytes()
    page.write_bytes(written.replace(b"</main>", b"<p>changed by hand</p></main>"))
    result = run_build_process(site)
    assert result.returncode == 0 and "pages rendered" not in result.stdout and page.read_bytes() == written


def test_fresh_ignores_the_cache(site):
    assert run_build_process(site).returncode == 0
    result = run_build_process(site, "--fresh")
    assert result.returncode == 0 and "pages rendered" not in result.stdout


def test_a_cache_of_an_older_layout_is_made_anew(site, tmp_path):
    """A cache written by an earlier version of the generator, whose tables had other columns, means one full build,
    which writes the cache in the new layout: the build after it uses it (a cache that could no longer be written
    would make every build a full one)."""
    import sqlite3

    assert run_build_process(site).returncode == 0
    db = sqlite3.connect(site / ".cache/sitegen/state.db", isolation_level=None)
    db.executescript("DROP TABLE rows; CREATE TABLE rows (key BLOB PRIMARY KEY, line BLOB);")
    db.execute("UPDATE meta SET value = ? WHERE name = 'format'", (b"1",))
    db.close()
    result = run_build_process(site)
    assert result.returncode == 0 and "pages rendered" not in result.stdout and result.stderr == ""
    edit(site, "content/events.yaml", "    value: 217\n", "    value: 218\n")
    result = run_build_process(site)
    assert re.search(r"; [1-9] pages rendered", result.stdout), result.stdout
    assert run_build_process(site, "--out", str(tmp_path / "fresh"), "--fresh").returncode == 0
    assert tree_bytes(site / "_site") == tree_bytes(tmp_path / "fresh")


def test_a_corrupt_cache_means_a_full_build(site):
    assert run_build_process(site).returncode == 0
    (site / ".cache/sitegen/state.db").write_bytes(b"not a pickle at all")
    result = run_build_process(site)
    assert result.returncode == 0 and "pages rendered" not in result.stdout and result.stderr == ""


def test_ctrl_c_during_a_parallel_build_stops_quietly_and_leaves_no_trace(tmp_path):
    import os
    import signal
    import time

    sys.path.insert(0, str(REPO / "bench"))
    import synth  # enough pages for the parallel render

    root = synth.write_site(tmp_path / "site", 1500)
    proc = subprocess.Popen(
        [sys.executable, str(REPO / "build.py"), "--root", str(root)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    deadline = time.monotonic() + 60
    while not any((p / "projects").is_dir() for p in root.glob("._site.staging-*")):  # workers are writing pages
        assert proc.poll() is None and time.monotonic() < deadline, "the build ended before it could be stopped"
        time.sleep(0.01)
    os.killpg(proc.pid, signal.SIGINT)  # as a terminal does: the whole process group, workers included
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert err == "Interrupted before the build finished; run it again.\n"
    # no site, no staging
    assert sorted(p.name for p in root.iterdir()) == [".cache", "content", "models", "static", "templates"]
    assert not (root / ".cache/sitegen/state.db").exists()


def test_a_closed_output_pipe_is_not_a_crash(site):
    proc = subprocess.Popen(
        [sys.executable, str(REPO / "build.py"), "--root", str(site)], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    proc.stdout.close()  # as `build.py | head -0` does
    with proc.stderr:
        err = proc.stderr.read().decode()
    assert proc.wait() == 141 and err == ""
    assert (site / "_site/index.html").is_file()  # the build itself was done


def test_schema_on_a_broken_model_is_an_error_at_its_line(tmp_path):
    """`build.py schema` reads the models as a build does: a mistake in one is exit 1 at its line, no traceback."""
    import shutil

    shutil.copytree(REPO / "models", tmp_path / "models")
    path = tmp_path / "models/zones.yaml"
    path.write_text(path.read_text().replace("kind: zones\n", "kind: zones\nbogus: 1\n", 1))
    result = subprocess.run(
        [sys.executable, str(REPO / "build.py"), "schema", "--root", str(tmp_path)], capture_output=True, text=True
    )
    assert result.returncode == 1, result.stderr
    assert result.stderr.startswith("models/zones.yaml:4:1: error: unknown key 'bogus'"), result.stderr
    assert "Traceback" not in result.stderr and not (tmp_path / "schema").exists()
