"""Every command the README names works as written, run in a copy of the project: each `python3 build.py ...`
builds, checks or serves, and a site it builds for local viewing loads whole from `python3 -m http.server`.
A command added to the README that this file does not know how to run fails the test until it is added here."""

from __future__ import annotations

import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import REPO
from test_subpath import check_crawl, crawl, fetch

README = (REPO / "README.md").read_text(encoding="utf-8")
DOCS = "\n".join(p.read_text(encoding="utf-8") for p in sorted((REPO / "docs").glob("*.md")))
NOT_RUN = {  # commands the README names that this test does not run, and why
    "python3 -m pip install -r requirements.txt": "installs packages (CI runs it)",
    "bash .ci/install": "installs test tools (CI runs it)",
    "python3 -m pytest": "the suite itself",
    'python3 -m pytest -m "not browser and not slow"': "the suite itself (its fast subset)",
    'python3 -m pytest -n auto --dist loadfile -m "not browser and not slow"': "the suite itself (its fast subset)",
    "KILL_TEST_RUNS=200 KILL_TEST_PROJECTS=2000 python3 -m pytest tests/test_kill.py": "a long run of a test here",
    "CAMPAIGN_EDITS=1000 python3 -m pytest tests/test_incremental.py -k campaign": "a long run of a test here",
    "bash ../shared/anchors/install_anchors.sh": "installs the benchmark's anchors outside the project",
    "python3 bench/run.py": "minutes long (tests/test_bench.py runs it small)",
    "python3 bench/run.py --projects 10000 --runs 3": "minutes long (tests/test_bench.py runs it small)",
    "python3 bench/run.py --real --runs 7": "a minute long (tests/test_bench.py runs it small)",
    "UPDATE_GOLDEN=1 python3 -m pytest tests/test_golden.py": "rewrites the golden copy",
    "python3 tools/make_images.py": "rewrites the committed images with Chromium",
    "python3 bench/reload_latency.py": "needs Chromium and minutes",
    "python3 bench/serve_idle.py --static-files 2000 --edits 500": "minutes long",
    "python3 -m pytest tests/test_properties.py --hypothesis-profile=long": "a long run of the suite's own tests",
    "printf '#!/bin/sh\\nexec python3 build.py check\\n' > .git/hooks/pre-commit && chmod +x .git/hooks/pre-commit": "installs a git hook (its command, build.py check, runs here)",
}


def readme_commands() -> list[str]:
    """Every shell command in the README and docs/: lines of their bash blocks (comments dropped) and inline
    `python3 ...` (after any VARIABLE=value)."""
    found = []
    for block in re.findall(r"```bash\n(.*?)```", README + DOCS, re.S):
        found += [line.split("  #")[0].strip() for line in block.splitlines() if line.strip()]
    found += re.findall(r"`((?:[A-Z_]+=\S+ )*(?:python3|bash) [^`]+)`", README + DOCS)
    commands = []
    for line in found:
        for command in line.split(" && ") if "printf" not in line else [line]:
            if command not in commands:
                commands.append(command.strip())
    return commands


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """A copy of the project as a checkout has it (no output, no cache)."""
    root = tmp_path_factory.mktemp("checkout")
    for name in ("models", "content", "templates", "static", "schema", "sitegen"):
        shutil.copytree(REPO / name, root / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "build.py", root / "build.py")
    return root


def free_port() -> int:
    """A TCP port nobody listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def shell(command: str, cwd: Path) -> subprocess.CompletedProcess:
    """Run a command as a shell would, with this Python as python3."""
    return subprocess.run(
        command.replace("python3 ", f"{sys.executable} ", 1),
        shell=True,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )


class Background:
    """A command running until the block ends (a server), stopped with Ctrl-C."""

    def __init__(self, command: str, cwd: Path):
        self.proc = subprocess.Popen(
            command.replace("python3 ", f"{sys.executable} ", 1).split(),
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # Ctrl-C stops it, as at a terminal
        )

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.communicate()


def wait_for(url: str) -> None:
    """Return once url answers."""
    deadline = time.monotonic() + 60
    while True:
        try:
            if fetch(url)[0] == 200:
                return
        except OSError:  # not listening yet
            pass
        assert time.monotonic() < deadline, f"{url} never answered"
        time.sleep(0.1)


def test_the_readme_names_only_commands_this_test_knows():
    known = {
        c for c in readme_commands() if c in NOT_RUN or c.startswith(("python3 build.py", "python3 -m http.server"))
    }
    assert set(readme_commands()) == known, "add the new command to NOT_RUN or run it in this file"
    assert "python3 -m http.server -d _site" in readme_commands()


def test_a_default_build_served_by_http_server_loads_whole(project):
    """Issue 14, item 20: `python3 build.py`, then `python3 -m http.server -d _site`, as the README says: every page,
    stylesheet, image and feed answers, and no link leaves the site (the default build links from the root)."""
    result = shell("python3 build.py", project)
    assert result.returncode == 0, result.stderr
    port = free_port()
    with Background(f"python3 -m http.server -d _site {port}", project):
        start = f"http://127.0.0.1:{port}/"
        wait_for(start)
        found = crawl(start)
        check_crawl(found, start)
        assert len(found.ids) > 30 and any(u.endswith(".css") for u in found.status)
    html = (project / "_site/index.html").read_text()
    assert '<link rel="canonical" href="http://127.0.0.1:8000/">' in html  # where the README serves it


@pytest.mark.parametrize("command", [c for c in readme_commands() if c.startswith("python3 build.py")])
def test_every_build_py_command_in_the_readme_works(project, tmp_path, command):
    """Each `python3 build.py ...` the README names ends well; a served one answers with its pages."""
    command = command.replace(" DIR", f" {tmp_path / 'dir'}").replace("/tmp/www", str(tmp_path / "www"))
    command = command.replace("<that address>/", "https://user.github.io/repo/")  # what the workflow passes
    if " serve" in command:
        port = free_port()
        command = re.sub(r"--port \d+", "", command) + f" --port {port}"
        with Background(command, project) as server:
            prefix = "/repo/" if "/repo/" in command else "/"
            start = f"http://127.0.0.1:{port}{prefix}"
            wait_for(start)
            found = crawl(start)
            check_crawl(found, start)
            assert len(found.ids) > 30, server
        return
    result = shell(command, project)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr


def test_the_readme_subpath_preview_works(project, tmp_path):
    """The README's preview of a project-site build: build under /REPO/ into a folder, serve its parent."""
    line = next(c for c in re.findall(r"`(python3 build.py --base-url http://127.0.0.1:8000/REPO/[^`]+)`", README))
    port = free_port()
    build, serve = line.replace("/tmp/www", str(tmp_path / "www")).replace(":8000/", f":{port}/").split(" && ")
    assert shell(build, project).returncode == 0
    with Background(f"{serve} {port}", project):
        start = f"http://127.0.0.1:{port}/REPO/"
        wait_for(start)
        check_crawl(crawl(start), start)
