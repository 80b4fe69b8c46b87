"""Shared fixtures: a small site built from tests/fixtures/mini plus the real templates, and build.py run as a
process."""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import settings

REPO = Path(__file__).resolve().parents[1]
FIXTURE = REPO / "tests" / "fixtures" / "mini"
sys.path.insert(0, str(REPO))

# Hypothesis: the default run stays within seconds (the same examples every run); `--hypothesis-profile=long` runs
# thousands of random ones (property tests in tests/test_properties.py).
settings.register_profile("quick", max_examples=50, deadline=15_000, derandomize=True, database=None)
settings.register_profile("long", max_examples=2_000, deadline=30_000)
settings.load_profile("quick")


def make_site(dest: Path, files: dict | None = None, content: Path = FIXTURE / "content") -> Path:
    """Copy a content folder and the real models, templates and static files to dest, then apply file overrides.

    `files` maps a path relative to the site to text, bytes, or None (delete the file)."""
    shutil.copytree(content, dest / "content")
    shutil.copytree(REPO / "models", dest / "models")
    shutil.copytree(REPO / "templates", dest / "templates")
    shutil.copytree(REPO / "static", dest / "static")
    for rel, data in (files or {}).items():
        path = dest / rel
        if data is None:
            path.unlink()
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data) if isinstance(data, bytes) else path.write_text(data, encoding="utf-8")
    return dest


def edit(root: Path, rel: str, old: str, new: str, count: int = 1) -> None:
    """Replace text in a site file, failing loudly if the text is not there."""
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {rel}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def build(root: Path, out_dir: Path | None = None, *args, **kwargs):
    """sitegen.pipeline.build, sharing the compiled templates between this process's builds as the preview does
    between its rebuilds and the command line does through .cache/ (`templates`): Jinja keys each by the template's
    file and its source's checksum, so an edited template is compiled again. Compiling them is a tenth of a fresh
    build of the real site, and the random-edit tests build afresh after every edit."""
    from sitegen.pipeline import build as build_site

    kwargs.setdefault("templates", _compiled())
    return build_site(root, out_dir, *args, **kwargs)


@functools.cache
def _compiled():
    """This process's compiled templates (build() above)."""
    from sitegen.site.render import CompiledTemplates

    return CompiledTemplates()


def run_build_process(root: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run build.py as a process against a site folder (for tests of the command line itself: its start, signals,
    pipes, environment, locks between processes, a time limit)."""
    return subprocess.run(
        [sys.executable, str(REPO / "build.py"), *args, "--root", str(root)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


def run_build(root: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run build.py's main() against a site folder in this process, as its command line would (arguments, exit code,
    what it prints to stdout and stderr, its children's included): a new process would cost every build a third of a
    second more in Python's start and imports. With `env`, as a process (run_build_process)."""
    if env is not None:
        return run_build_process(root, *args, env=env)
    import gc
    import signal
    import tempfile

    argv = [*args, "--root", str(root)]
    collecting, on_sigterm = gc.isenabled(), signal.getsignal(signal.SIGTERM)
    streams = sys.stdout, sys.stderr
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        saved = [os.dup(1), os.dup(2)]
        for stream in streams:
            stream.flush()
        os.dup2(out.fileno(), 1)
        os.dup2(err.fileno(), 2)
        sys.stdout = open(1, "w", encoding="utf-8", closefd=False)  # block-buffered, as into a pipe
        sys.stderr = open(2, "w", encoding="utf-8", errors="backslashreplace", buffering=1, closefd=False)
        try:
            code = _cli().main(argv)
        except SystemExit as stop:  # argparse's: a usage error (2), --help (0)
            code = stop.code if isinstance(stop.code, int) else 1
        finally:
            for stream in (sys.stdout, sys.stderr):
                stream.flush()
            sys.stdout, sys.stderr = streams
            for fd, copy in zip((1, 2), saved):
                os.dup2(copy, fd)
                os.close(copy)
            signal.signal(signal.SIGTERM, on_sigterm)
            if collecting:
                gc.enable()  # main() pauses the collector for its one build
        said = [file.seek(0) or file.read().decode("utf-8", "backslashreplace") for file in (out, err)]
    return subprocess.CompletedProcess([sys.executable, str(REPO / "build.py"), *argv], code, *said)


def _cli():
    """build.py as a module (loaded once, under a name of its own: `build` is also a package's name)."""
    import importlib.util

    module = sys.modules.get("sitegen_build_cli")
    if module is None:
        spec = importlib.util.spec_from_file_location("sitegen_build_cli", REPO / "build.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        sys.modules["sitegen_build_cli"] = module
    return module


def git(root: Path, *args: str, date: str = "2022-05-01", stamp: str | None = None) -> str:
    """Run git in root as a fixed editor at a fixed date (noon UTC), or at `stamp` as git takes it, with no user or
    system configuration: commits and their dates are the same on every run."""
    stamp = stamp or f"{date}T12:00:00+00:00"
    env = dict(
        os.environ,
        GIT_AUTHOR_NAME="Editor",
        GIT_AUTHOR_EMAIL="editor@example.org",
        GIT_COMMITTER_NAME="Editor",
        GIT_COMMITTER_EMAIL="editor@example.org",
        GIT_AUTHOR_DATE=stamp,
        GIT_COMMITTER_DATE=stamp,
        GIT_CONFIG_NOSYSTEM="1",
        GIT_CONFIG_GLOBAL=os.devnull,
    )
    return subprocess.run(["git", *args], cwd=root, env=env, capture_output=True, text=True, check=True).stdout


def commit(root: Path, date: str, message: str) -> Path:
    """Commit every change under content/ (a new repository: everything) on a date."""
    if not (root / ".git").exists():
        git(root, "init", "-q", "-b", "main")
        (root / ".gitignore").write_text("_site/\n.cache/\n")
        git(root, "add", "-A", date=date)
    git(root, "add", "-A", "content", date=date)
    git(root, "commit", "-q", "-m", message, date=date)
    return root


def with_history(root: Path) -> Path:
    """Give a copy of the real content a git history with something to show on its changes page: published on
    2026-01-15 with the 2023 summit's projects at 210, its last project and last source missing, then the content as
    it is, on the day site.yaml says the data was updated."""
    now = {
        rel: (root / rel).read_text(encoding="utf-8")
        for rel in ("content/events.yaml", "content/projects.yaml", "content/sources.yaml")
    }
    edit(root, "content/events.yaml", "value: 217\n", "value: 210\n")
    for rel in ("content/projects.yaml", "content/sources.yaml"):
        text = now[rel]
        (root / rel).write_text(text[: text.rindex("\n- id:") + 1], encoding="utf-8")
    commit(root, "2026-01-15", "The data, first published")
    write_files(root, now)
    updated = re.search(r"^updated: (\S+)$", (root / "content/site.yaml").read_text(encoding="utf-8"), re.M).group(1)
    commit(root, updated, "The data as it is")
    return root


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A fresh copy of the mini fixture site, committed to a git repository as a checkout is (one commit, on the
    day its site.yaml says the data was updated): its changes page has a history to show, and a build no warning."""
    return commit(make_site(tmp_path / "site"), "2024-01-02", "The mini site")


def docstring_ids(tree) -> set[int]:
    """The ids of the docstring nodes of a module's syntax tree (its own, its classes' and its functions')."""
    import ast

    return {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }


def tree_bytes(folder: Path) -> dict[str, bytes]:
    """Every file under a folder, by relative path."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def write_files(root: Path, files: dict[str, str]) -> None:
    """Write text files under a folder (one version of a site's files, for tests that switch between two)."""
    for rel, text in files.items():
        (root / rel).write_text(text, encoding="utf-8")


def folders(out: Path) -> set[str]:
    """Every folder under a folder, by relative path (tree_bytes() does not see an empty one)."""
    return {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_dir()}


def leftovers(out: Path) -> list[str]:
    """What builds left beside an output folder (staging, swap and old folders) or inside it (temporary files)."""
    beside = [p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}.")]
    inside = [p.relative_to(out).as_posix() for p in out.rglob("*") if ".tmp" in p.name] if out.is_dir() else []
    return sorted(beside + inside)


# Browser and HTTP fixtures (real Chromium through Playwright, a real HTTP server).

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")  # GitHub's Ubuntu runners: /usr/bin/google-chrome
CHROMIUM_ARGS = [
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = REPO / "artifacts"


COMPRESSED = {".html", ".css", ".js", ".json", ".xml", ".svg", ".txt", ".csv", ".webmanifest"}


class QuietHandler(__import__("http.server").server.SimpleHTTPRequestHandler):
    """Static file handler that serves 404.html for missing paths, like GitHub Pages, and logs nothing."""

    not_found_page: Path | None = None

    def log_message(self, *args):
        pass

    def send_head(self):
        """A text file gzipped when the browser accepts it, as GitHub Pages sends it (Lighthouse times what is sent)."""
        import gzip

        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        accepts = "gzip" in self.headers.get("Accept-Encoding", "")
        if not accepts or path.suffix not in COMPRESSED or not path.is_file() or self.path.endswith(("/..", "/.")):
            return super().send_head()
        if path.suffix == ".html" and not self.path.split("?")[0].endswith(("/", ".html")):
            return super().send_head()  # a folder without its slash: the standard redirect
        body = gzip.compress(path.read_bytes(), mtime=0)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return __import__("io").BytesIO(body)

    def send_error(self, code, message=None, explain=None):
        page = self.not_found_page
        if code == 404 and page is not None and page.is_file():
            body = page.read_bytes()
            self.send_response(404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
            return
        super().send_error(code, message, explain)


def start_server(folder: Path, not_found: Path | None = None):
    """Serve a folder over HTTP on 127.0.0.1 and a free port from a thread; return (server, base URL)."""
    import functools
    import http.server
    import threading

    class Server(http.server.ThreadingHTTPServer):
        def handle_error(self, request, client_address):
            if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):  # a browser that went on
                super().handle_error(request, client_address)

    handler = type("Handler", (QuietHandler,), {"not_found_page": not_found})
    server = Server(("127.0.0.1", 0), functools.partial(handler, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


@pytest.fixture(scope="session")
def live_site(tmp_path_factory):
    """The real content, with a history (with_history), built under /repo/ and served, like a GitHub project site:
    (base URL, output folder)."""
    www = tmp_path_factory.mktemp("www")
    out = www / "repo"
    server, origin = start_server(www, not_found=out / "404.html")
    root = with_history(make_site(tmp_path_factory.mktemp("project"), content=REPO / "content"))
    result = run_build(root, "--out", str(out), "--base-url", f"{origin}/repo/")
    assert result.returncode == 0 and result.stderr == "", result.stderr  # a history to show, and no warning
    yield f"{origin}/repo/", out
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole session."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    """A fresh 1280x800 page that records console errors and page errors in page.console_errors."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    pg = ctx.new_page()
    pg.console_errors = []
    pg.on(
        "console",
        lambda m: (
            m.type == "error"
            and pg.console_errors.append(m.text if m.location.get("url") != pg.url else "(document) " + m.text)
        ),
    )
    pg.on("pageerror", lambda e: pg.console_errors.append(str(e)))
    yield pg
    ctx.close()


def site_pages(out: Path) -> list[str]:
    """Every HTML page of a built site as a path relative to its root, with index.html dropped."""
    pages = []
    for p in sorted(out.rglob("*.html")):
        rel = p.relative_to(out).as_posix()
        pages.append(rel[: -len("index.html")] if rel.endswith("index.html") else rel)
    return pages


# Markers, from what a test uses, so that `pytest -m "not browser and not slow"` gives feedback in about a minute:
# `browser` for tests that drive Chromium or run Lighthouse, axe or the Nu checker (through the browser, page or
# live_site fixtures, or in the files that hold such checks); `slow` for the kill, stop-at-every-rename, random-edit
# and property runs, which build the site dozens or hundreds of times.
BROWSER_FIXTURES = {"browser", "page", "live_site"}
BROWSER_FILES = {"test_lighthouse.py", "test_a11y.py"}
EXCLUSIVE_FILES = {"test_lighthouse.py"}  # scores that count the page's main-thread time: run with no test beside
SLOW_FILES = {"test_kill.py", "test_properties.py", "test_output.py"}
SLOW_NAMES = ("random", "campaign", "killed", "stopped_at_each")


# The longest files first (a file runs whole in one process, see pytest.ini): one left for the end would keep one
# process busy while the others have nothing left to do.
LONGEST_FILES = [  # measured: `--durations` and the time between tests on each process
    "test_a11y.py",  # 90 s
    "test_incremental.py",  # 80 s
    "test_lighthouse.py",  # 65 s, alone
    "test_output.py",  # 57 s
    "test_hardening_26.py",  # 57 s
    "test_search.py",  # 39 s
    "test_kill.py",  # 28 s
    "test_properties.py",  # 28 s
    "test_cli.py",  # 27 s
    "test_serve.py",  # 23 s
    "test_models_hardening.py",  # 22 s
    "test_readme.py",  # 21 s
    "test_reader.py",  # 20 s
    "test_hardening.py",  # 20 s
    "test_browser.py",  # 17 s
]


def pytest_collection_modifyitems(config, items):
    """Mark each test `browser` or `slow` (or both) from its fixtures, file and name; the longest files first."""
    items.sort(key=lambda item: LONGEST_FILES.index(item.path.name) if item.path.name in LONGEST_FILES else 99)
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        name = item.path.name
        if fixtures & BROWSER_FIXTURES or name in BROWSER_FILES:
            item.add_marker(pytest.mark.browser)
        if name in SLOW_FILES or any(word in item.name for word in SLOW_NAMES):
            item.add_marker(pytest.mark.slow)
        if name in EXCLUSIVE_FILES:
            item.add_marker(pytest.mark.exclusive)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    """Under pytest-xdist, a test marked `exclusive` runs (set-up and fixtures included) while no other process runs
    a test, and the others wait until it ends: a lock file shared by the run's processes, taken by the exclusive test
    alone and by every other test together, with a second lock in front so that a waiting exclusive test goes next."""
    workerinput = getattr(item.config, "workerinput", None)
    try:
        import fcntl
    except ImportError:  # Windows: no flock; the Lighthouse runs may then lose a point beside other tests
        fcntl = None
    if workerinput is None or fcntl is None:  # one process: nothing runs beside
        yield
        return
    import tempfile

    stem = Path(tempfile.gettempdir()) / f"sitegen-tests-{workerinput['testrunuid']}"
    with open(f"{stem}.queue", "a") as queue, open(f"{stem}.cpu", "a") as cpu:
        exclusive = item.get_closest_marker("exclusive") is not None
        fcntl.flock(queue, fcntl.LOCK_EX)
        fcntl.flock(cpu, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        if not exclusive:
            fcntl.flock(queue, fcntl.LOCK_UN)
        try:
            yield
        finally:
            fcntl.flock(cpu, fcntl.LOCK_UN)
            fcntl.flock(queue, fcntl.LOCK_UN)
