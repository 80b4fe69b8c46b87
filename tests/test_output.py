"""The output folder is never left half-written: an interrupted or failing build leaves the old site or the new one,
whole, and no temporaries; only a folder a build made is ever replaced; the caches are optional."""

from __future__ import annotations

import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import traceback
from pathlib import Path

import pytest
from conftest import REPO, build, edit, folders, leftovers, make_site, run_build_process, tree_bytes, write_files

from sitegen.errors import BuildFailed

ADDED_PROJECT = (
    "\n- id: second-line\n  name: A second line\n  company: chipco\n  industry: chips\n"
    "  status: [signed]\n  year: 2024\n  summary: A second line, added by the test.\n  source: release\n"
)


def versions(root: Path) -> dict[str, dict[str, str]]:
    """Two versions of a site's files: "old" as it is, and "new", with an edit that changes a template, a figure
    (pages and data files) and adds a project (new pages in new folders, and the lists that show it). write_files()
    puts one in place."""
    old = {
        rel: (root / rel).read_text()
        for rel in ("content/events.yaml", "content/projects.yaml", "templates/project.html")
    }
    new = dict(old)
    new["content/events.yaml"] = old["content/events.yaml"].replace("    value: 217\n", "    value: 218\n")
    new["content/projects.yaml"] = old["content/projects.yaml"] + ADDED_PROJECT
    new["templates/project.html"] = old["templates/project.html"].replace(
        "{% block content %}", "{% block content %}<!-- new version -->"
    )
    assert all(new[rel] != old[rel] for rel in old)
    return {"old": old, "new": new}


def cut_short(write, step: int, how: str) -> int:
    """Run write() in a forked child that is stopped at its `step`-th rename (SIGKILL: it ends there; SIGINT: Ctrl-C
    arrives there); return its exit code (0 when it had fewer renames)."""
    pid = os.fork()
    if pid == 0:
        code = 3
        try:
            real, calls = os.replace, [0]

            def replace(src, dst, **kwargs):
                if calls[0] == step:
                    if how == "kill":
                        os._exit(137)
                    os.kill(os.getpid(), signal.SIGINT)
                calls[0] += 1
                return real(src, dst, **kwargs)

            os.replace = os.rename = replace
            write()
            code = 0
        except KeyboardInterrupt:
            code = 130
        except BaseException:  # noqa: BLE001 - reported by the exit code
            traceback.print_exc()
        finally:
            os._exit(code)
    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])


def renames(write) -> list[str]:
    """The kind of each rename write() makes, in order, from a forked child that runs it whole: where the file goes
    (the journal, the old files' folder, the site) and from where."""
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(reader)
        kinds, real = [], os.replace

        def replace(src, dst, **kwargs):
            src, dst = Path(src), Path(dst)
            if dst.parent.name == "old":
                kinds.append(f"{dst.name[:1]} aside")  # a file of the site (c: replaced, r: removed) moved aside
            elif src.parent.name == "new":
                kinds.append("in")  # a new file moved in
            else:
                kinds.append(f"{src.name} to {dst.name}")  # the journal, a whole folder
            return real(src, dst, **kwargs)

        os.replace = os.rename = replace
        try:
            write()
            os.write(writer, "\n".join(kinds).encode())
        finally:
            os._exit(0)
    os.close(writer)
    with os.fdopen(reader) as pipe:
        kinds = pipe.read().split("\n")
    os.waitpid(pid, 0)
    return kinds


def stops(kinds: list[str]) -> list[int]:
    """Where to stop a build among its renames: each of the first four and the last four, and each where the kind
    of rename is not the kind two renames before and two after (the run of a loop starts or ends there: files of
    the site moved aside, or moved aside and replaced in turn), and past the end (no stop: the build finishes). Its
    middle repeats one step of one loop, so it adds nothing."""
    picked = set(range(4)) | set(range(len(kinds) - 4, len(kinds)))
    for i, kind in enumerate(kinds):
        if i < 2 or i + 2 >= len(kinds) or kind != kinds[i - 2] or kind != kinds[i + 2]:
            picked.add(i)
    return sorted(n for n in picked if n >= 0) + [len(kinds)]


@pytest.mark.parametrize("how", ["kill", "interrupt"])
@pytest.mark.parametrize("incremental", [True, False], ids=["incremental", "full"])
def test_a_build_stopped_at_each_kind_of_rename_leaves_the_old_site_or_the_new_one(tmp_path, how, incremental):
    """Issue 14, item 7: a build killed (SIGKILL) at any step of putting its files in place leaves what the next
    build rolls back (or finishes) first; one interrupted (SIGINT) there finishes the swap or never starts it. An
    incremental build starts from the state of the build of the old site, as the command line's does."""
    from sitegen.output.swap import recover

    root = make_site(tmp_path / "site")
    out = root / "_site"
    sources, sites = versions(root), {}
    for version in ("new", "old"):  # each build's files, made by fresh builds
        write_files(root, sources[version])
        build(root, tmp_path / version)
        sites[version] = tree_bytes(tmp_path / version)
    for direction in ("old", "new"), ("new", "old"):  # forward adds pages and folders, backward removes them
        write_files(root, sources[direction[0]])
        shutil.rmtree(out, ignore_errors=True)
        previous = build(root, out).state
        pristine = tmp_path / "pristine"
        shutil.rmtree(pristine, ignore_errors=True)
        shutil.copytree(out, pristine)
        write_files(root, sources[direction[1]])
        if incremental:
            write = lambda: build(root, out, last=previous)  # noqa: E731
        else:
            write = lambda: build(root, out)  # noqa: E731
        shutil.rmtree(out)
        shutil.copytree(pristine, out, copy_function=os.link)
        kinds = renames(write)
        steps = stops(kinds)
        for step in steps:
            shutil.rmtree(out)
            shutil.copytree(pristine, out, copy_function=os.link)  # a swap only renames: the files stay untouched
            code = cut_short(write, step, how)
            assert code in (0, 130, 137), f"step {step}: exit {code}"
            if how == "kill":
                recover(out)  # what the next build does first
            got = tree_bytes(out) if out.is_dir() else {}
            assert got in (sites[direction[0]], sites[direction[1]]), f"{direction}, stopped at rename {step}: mixed"
            which = direction[0] if got == sites[direction[0]] else direction[1]
            assert folders(out) == folders(tmp_path / which), f"stopped at rename {step}: folders left or missing"
            if how == "interrupt" and code == 130:
                assert got == sites[direction[1]], "an interrupted swap finishes"
            assert leftovers(out) == [], f"stopped at rename {step}"
        assert code == 0 and len(kinds) > (10 if incremental else 2) and tree_bytes(out) == sites[direction[1]]


def test_an_interrupted_incremental_build_is_rolled_back_by_the_next_build(site):
    """Issue 14, item 7: the command line recovers from a build killed mid-swap before anything else, so the next
    build finds the old site whole (and its cache still true: it renders only the edit)."""
    assert run_build_process(site).returncode == 0
    old = tree_bytes(site / "_site")
    update = site / f"._site.update-{dead_pid()}"
    (update / "new").mkdir(parents=True)
    (update / "old").mkdir()
    (update / "new/0").write_text("new")  # killed after it moved the old index.html aside (the 1st changed file):
    os.replace(site / "_site/index.html", update / "old/c0")
    (update / "journal").write_text('{"changed": ["index.html"], "removed": []}')
    edit(site, "content/events.yaml", "    value: 217\n", "    value: 218\n")
    result = run_build_process(site)
    assert result.returncode == 0, result.stderr
    assert re.search(r"; [1-9] pages rendered", result.stdout), "the cache held: the old site was whole again"
    assert leftovers(site / "_site") == []
    edit(site, "content/events.yaml", "    value: 218\n", "    value: 217\n")
    assert run_build_process(site).returncode == 0 and tree_bytes(site / "_site") == old


def dead_pid() -> int:
    """The id of a process that has ended."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def limited(max_bytes: int):
    """A preexec_fn: files the child writes may not grow past max_bytes (write() fails with EFBIG, as on a full
    disk)."""

    def apply():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (max_bytes, max_bytes))

    return apply


@pytest.mark.parametrize("fresh", [False, True], ids=["incremental", "full"])
def test_a_write_error_is_reported_and_leaves_the_old_site(site, fresh):
    """Issue 14, item 8: a write that fails mid-build (here files may not pass 6 KB, as on a full disk) is an error
    (exit 1) naming the file, not a bug; the old site stays whole and no temporary file is left."""
    assert run_build_process(site).returncode == 0
    old = tree_bytes(site / "_site")
    edit(site, "content/events.yaml", "    value: 217\n", "    value: 218\n")
    result = subprocess.run(
        [sys.executable, str(REPO / "build.py"), "--root", str(site)] + ["--fresh"] * fresh,
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=limited(6000),
    )
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr and "bug" not in result.stderr
    assert re.search(r"^_site/\S+: error: cannot write this file: File too large\n  hint: ", result.stderr, re.M), (
        result.stderr
    )
    assert result.stderr.endswith("Failed: 1 error; _site/ was left as it was.\n")
    assert tree_bytes(site / "_site") == old
    assert leftovers(site / "_site") == []


@pytest.mark.parametrize("incremental", [False, True], ids=["full", "incremental"])
def test_a_write_error_while_pages_are_written_names_the_page(tmp_path, monkeypatch, incremental):
    """Issue 14, item 8: a page that cannot be written as it is rendered (into the staging folder, or beside the
    site after an edit) is named as the site's file, and the old site stays."""
    from sitegen.errors import BuildFailed
    from sitegen.output import write

    root = make_site(tmp_path / "site")
    last = build(root).state if incremental else None
    before = tree_bytes(root / "_site") if incremental else {}
    edit(root, "content/sources.yaml", "title: ", "title: Renamed ")
    real = write.write_file

    def write_file(folder, dest, data):
        if b'<ol class="sources">' in data and b'lang="en"' in data:  # the English Sources page
            raise OSError(28, "No space left on device", f"{folder}/{dest}")
        real(folder, dest, data)

    monkeypatch.setattr(write, "write_file", write_file)
    with pytest.raises(BuildFailed) as failed:
        build(root, last=last)
    assert [e.format() for e in failed.value.errors][0] == (
        "_site/sources/index.html: error: cannot write this file: No space left on device\n"
        "  hint: free some space and build again; the old site was left as it was"
    )
    assert tree_bytes(root / "_site") == before and leftovers(root / "_site") == []


def test_folders_left_by_killed_builds_are_removed_by_any_build(site):
    """Issue 14, item 9: staging and swap folders of builds that were killed (their process is gone) are removed by
    the next build, incremental or not; a live build's are left alone."""
    assert run_build_process(site).returncode == 0
    dead, alive = dead_pid(), os.getpid()
    for name in (f"._site.staging-{dead}", f"._site.update-{dead}", f"._site.old-{dead}", f"._site.staging-{alive}"):
        (site / name / "projects").mkdir(parents=True)
        (site / name / "projects/page.html").write_text("x" * 1000)
    edit(site, "content/events.yaml", "    value: 217\n", "    value: 218\n")
    result = run_build_process(site)
    assert re.search(r"; [1-9] pages rendered", result.stdout), result.stdout  # incremental
    assert sorted(p.name for p in site.iterdir() if p.name.startswith("._site")) == [f"._site.staging-{alive}"]


def test_out_refuses_a_folder_no_build_made(site, tmp_path):
    """Issue 14, item 12: a folder holding an index.html among other files (a web root) is not replaced: exit 2 and
    how to proceed. A folder a build made (it holds the marker), an empty one and a new one are."""
    www = tmp_path / "www"
    (www / "blog").mkdir(parents=True)
    (www / "index.html").write_text("my home page")
    (www / "blog/post.html").write_text("a post")
    result = run_build_process(site, "--out", str(www))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"the output folder {www} holds files that no build made" in result.stderr
    assert "refusing to replace it\n  hint: choose a new or empty folder with --out" in result.stderr
    assert tree_bytes(www) == {"index.html": b"my home page", "blog/post.html": b"a post"}
    schema = site / "schema"
    shutil.copytree(REPO / "schema", schema)
    (schema / "index.html").write_text("<p>schemas</p>")
    assert run_build_process(site, "--out", str(schema)).returncode == 2 and len(list(schema.iterdir())) > 2
    empty = tmp_path / "empty"
    empty.mkdir()
    for out in (empty, tmp_path / "new"):
        assert run_build_process(site, "--out", str(out)).returncode == 0
        assert (out / ".sitegen-output").is_file()
        assert run_build_process(site, "--out", str(out), "--fresh").returncode == 0  # made by a build: replaced


def test_the_marker_is_the_same_in_every_build(site, tmp_path):
    """Issue 14, item 12: the marker never makes two builds differ."""
    assert run_build_process(site, "--out", str(tmp_path / "a")).returncode == 0
    assert run_build_process(site, "--out", str(tmp_path / "b"), "--base-url", "https://example.com/").returncode == 0
    assert (tmp_path / "a/.sitegen-output").read_bytes() == (tmp_path / "b/.sitegen-output").read_bytes()


def test_out_in_a_place_that_cannot_hold_a_folder_is_a_usage_error(site):
    """Issue 14, item 15: --out under a file, or where no folder can be made, is refused without a traceback."""
    (site / "notes.txt").write_text("notes")
    result = run_build_process(site, "--out", str(site / "notes.txt/x"))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"--out {site / 'notes.txt/x'}: {site / 'notes.txt'} is a file, not a folder" in result.stderr
    result = run_build_process(site, "--out", "/proc/x")
    assert result.returncode in (1, 2) and "Traceback" not in result.stderr and "bug" not in result.stderr
    assert "/proc/x" in result.stderr and "hint: choose an --out you can write to" in result.stderr


def test_a_cache_that_is_a_file_is_ignored(site):
    """Issue 14, item 15: the caches are optional: a .cache that is a file changes nothing but the speed."""
    (site / ".cache").write_text("not a folder")
    for command in ([], ["check"], ["--fresh"]):
        result = run_build_process(site, *command)
        assert result.returncode == 0 and result.stderr == "", (command, result.stderr)


def test_a_read_only_checkout_builds_elsewhere(site, tmp_path):
    """Issue 14, item 15: a checkout nobody may write to builds with --out elsewhere, and checks."""
    out = tmp_path / "public"
    command = [sys.executable, str(REPO / "build.py"), "--root", str(site)]
    if os.geteuid() == 0:  # root writes anywhere: make the checkout a read-only mount, in a mount namespace
        if not shutil.which("unshare") or subprocess.run(["unshare", "-m", "true"]).returncode:
            pytest.skip("needs a non-root user or unshare")
        prefix = [
            "unshare",
            "-m",
            "sh",
            "-c",
            f'mount --bind "{site}" "{site}" && mount -o remount,bind,ro "{site}" && exec "$@"',
            "sh",
        ]
    else:
        prefix = []
        for path in [site, *site.rglob("*")]:
            if path.is_dir():
                path.chmod(0o555)
    try:
        for args in (["--out", str(out)], ["check"]):
            result = subprocess.run(prefix + command + args, capture_output=True, text=True, timeout=120)
            assert result.returncode == 0 and "Traceback" not in result.stderr, (args, result.stderr)
    finally:
        for path in [site, *site.rglob("*")]:
            if path.is_dir():
                path.chmod(0o755)
    assert (out / "index.html").is_file() and not (site / ".cache").exists()


def test_a_compiled_template_cut_short_is_compiled_again(site):
    """Issue 14, item 16: a compiled-template cache file cut short after its header (a full disk, a killed write)
    is ignored, in every command."""
    assert run_build_process(site).returncode == 0
    from jinja2.bccache import bc_magic

    for command in (["--fresh"], ["check"], []):
        files = list((site / ".cache/sitegen/templates").iterdir())
        assert files
        for path in files:
            path.write_bytes(bc_magic)
        result = run_build_process(site, *command)
        assert result.returncode == 0 and result.stderr == "", (command, result.stderr)


def test_pages_written_while_rendered_leave_no_trace_when_the_build_fails(tmp_path):
    root = make_site(tmp_path / "site", content=REPO / "content")
    build(root, root / "_site")
    before = tree_bytes(root / "_site")
    # every page renders (and is written to the staging folder), then the link check fails the build
    edit(root, "templates/base.html", "</footer>", "<a href=\"{{ url('no-such-page/') }}\">x</a></footer>")
    with pytest.raises(BuildFailed) as failed:
        build(root, root / "_site")
    assert "broken link" in failed.value.errors[0].message
    assert tree_bytes(root / "_site") == before
    assert sorted(p.name for p in root.iterdir()) == ["_site", "content", "models", "static", "templates"]


def test_a_killed_builds_leftovers_are_removed_by_the_next_build(tmp_path):
    root = make_site(tmp_path / "site", content=REPO / "content")
    dead = 2**22 + 12345  # above Linux's largest process id: no such process
    for name in (f"._site.staging-{dead}", f"._site.old-{dead}"):
        (root / name / "x").mkdir(parents=True)
    (root / "._site.notes-1").mkdir()  # not ours: left alone
    build(root, root / "_site")
    assert sorted(p.name for p in root.iterdir() if p.name.startswith(".")) == ["._site.notes-1"]
