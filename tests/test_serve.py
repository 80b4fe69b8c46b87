"""The live preview in real Chromium against a real `build.py serve` process."""

from __future__ import annotations

import gc
import socket
import subprocess
import sys
import time
import weakref
from pathlib import Path

import pytest
from conftest import REPO, make_site


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_preview(root, *args, port: int = 0) -> tuple[subprocess.Popen, int]:
    """Start `build.py serve` on a port (a free one by default) and wait until it listens."""
    port = port or free_port()
    log = open(Path(root).parent / f"preview-{port}.log", "ab")  # what it printed, for a failing test to show
    proc = subprocess.Popen(
        [sys.executable, str(REPO / "build.py"), "serve", "--root", str(root), "--port", str(port), *args],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    log.close()
    deadline = time.time() + 20
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    return proc, port


@pytest.fixture
def preview(tmp_path):
    """A copy of the real site served by `build.py serve` under /repo/: (root, base URL, process)."""
    root = make_site(tmp_path / "site", content=REPO / "content")
    proc, port = start_preview(root, "--base-url", "https://user.github.io/repo/")
    yield root, f"http://127.0.0.1:{port}/repo/", proc
    proc.terminate()
    proc.wait(10)


def open_live(page, url):
    """Open a page and wait until its livereload client has introduced itself (sent 'info'): only then does the
    server count the tab among those to reload."""
    page.live_infos = []
    page.on(
        "websocket",
        lambda ws: ws.on("framesent", lambda frame: '"info"' in str(frame) and page.live_infos.append(frame)),
    )
    page.goto(url)
    wait_until_listening(page, 1)


def wait_until_listening(page, count):
    """Wait for the count-th 'info' frame of the tab's livereload clients, and for the server to take it in."""
    deadline = time.time() + 10
    while len(page.live_infos) < count:
        assert time.time() < deadline, "livereload never connected"
        page.wait_for_timeout(20)
    page.wait_for_timeout(250)  # generous: under load the server may take a while to read the frame


def save_and_wait_for_reload(page, path, old, new):
    """Edit a file, wait for the tab to reload by itself, and for its new livereload client to connect."""
    text = path.read_text()
    assert old in text
    connected = len(page.live_infos)
    with page.expect_event("load", timeout=10_000):
        path.write_text(text.replace(old, new, 1))
    wait_until_listening(page, connected + 1)


# The 2023 conference's projects: its value and the source's words quoted with it, which an editor changes together
# (the build checks that the quote states the value).
SIGNED = (
    '    value: {v}\n    unit: projects\n    as_of: "2023-10-28"\n    source: xinhua-2023-summit\n'
    '    quote: "{n} projects'
)


def signed(n, broken: bool = False) -> str:
    """The lines of the 2023 conference's projects figure, with n projects (its value unclosed YAML when broken)."""
    return SIGNED.format(v=f"[{n}" if broken else n, n=n)


def test_edit_break_and_fix_in_the_browser(page, preview):
    root, base, proc = preview
    open_live(page, base)
    assert "217 projects" in page.inner_text("main")
    events = root / "content/events.yaml"

    save_and_wait_for_reload(page, events, signed(217), signed(218))
    assert "218 projects" in page.inner_text("main")

    save_and_wait_for_reload(page, events, signed(218), signed(218, broken=True))
    overlay = page.locator("#sitegen-error")
    assert overlay.is_visible()
    line = next(n for n, text in enumerate(events.read_text().splitlines(), 1) if "value: [218" in text)
    assert (
        f"content/events.yaml:{line + 1}:9: error: YAML syntax: did not find expected ',' or ']'\n"
        f"  hint: the '[' at line {line}, column 12 is not closed with ']'"
    ) in overlay.inner_text()
    assert "value: [218" in overlay.inner_text()  # the source excerpt
    assert proc.poll() is None, "the server died on a bad edit"

    save_and_wait_for_reload(page, events, signed(218, broken=True), signed(219))
    assert page.locator("#sitegen-error").count() == 0
    assert "219 projects" in page.inner_text("main")
    assert proc.poll() is None


def test_two_quick_saves_both_reach_the_page(page, preview):
    root, base, _ = preview
    open_live(page, base + "summits/")
    events = root / "content/events.yaml"
    save_and_wait_for_reload(page, events, signed(217), signed(300))
    save_and_wait_for_reload(page, events, signed(300), signed(301))
    assert "301 projects" in page.inner_text("main")


def test_the_page_a_tab_shows_reloads_before_the_rest_of_the_rebuild(page, tmp_path):
    """The page a tab shows is made first and served from the rebuild under way, so the tab reloads before the other
    pages are made (here the sources pages are made slow); a tab on a page the edit leaves as it was reloads once the
    rebuild is done; each tab once."""
    template = (REPO / "templates/sources.html").read_text()
    slow = template.replace("{% endblock %}", "{% for i in range(200000) %}{% endfor %}{% endblock %}")
    root = make_site(tmp_path / "site", {"templates/sources.html": slow}, content=REPO / "content")
    proc, port = start_preview(root)
    log = root.parent / f"preview-{port}.log"
    try:
        other = page.context.new_page()
        open_live(page, f"http://127.0.0.1:{port}/")
        open_live(other, f"http://127.0.0.1:{port}/companies/")
        rebuilds_at_load: dict[str, list[int]] = {"home": [], "companies": []}
        for name, tab in (("home", page), ("companies", other)):
            tab.on("load", lambda _, name=name: rebuilds_at_load[name].append(log.read_text().count("Rebuilt ")))
        events = root / "content/events.yaml"
        events.write_text(events.read_text().replace(signed(217), signed(218), 1))
        deadline = time.time() + 20
        while not rebuilds_at_load["companies"] or log.read_text().count("Rebuilt ") < 1:
            assert time.time() < deadline, f"no reload: {rebuilds_at_load}\n{log.read_text()}"
            page.wait_for_timeout(20)
        page.wait_for_timeout(1000)  # a second reload would come by now
        assert rebuilds_at_load == {"home": [0], "companies": [1]}, log.read_text()
        assert "218 projects" in page.inner_text("main")
    finally:
        proc.terminate()
        proc.wait(10)


def test_a_tab_is_reloaded_once_whenever_its_page_is_out_of_date():
    """The preview's record of tabs and pages (on its server's thread), driven as tornado drives it: a tab whose page
    came from the output folder is reloaded when a rebuild ends, one whose page came early from that rebuild is not,
    one that connects once its page is out of date (served before a rebuild ended, or early from one that failed) is
    reloaded as it connects, and every tab is reloaded when a rebuild fails (to show the errors)."""
    from livereload.handlers import LiveReloadHandler

    from sitegen.serve import Tabs

    class Tab:
        def __init__(self):
            self.reloads = 0

        def send_message(self, message):
            self.reloads += message["command"] == "reload"

    def connect(tab, url):
        LiveReloadHandler.waiters.add(tab)
        tabs.opened(tab, url)

    tabs, waiters = Tabs("/repo/"), set(LiveReloadHandler.waiters)
    LiveReloadHandler.waiters.clear()
    try:
        home, other, late, slow = Tab(), Tab(), Tab(), Tab()
        tabs.serving("index.html", early=False)
        tabs.serving("companies/index.html", early=False)
        connect(home, "http://127.0.0.1:8000/repo/")
        connect(other, "http://127.0.0.1:8000/repo/companies/")
        assert tabs.shown == {"index.html", "companies/index.html"}
        tabs.started()
        tabs.reload_showing("index.html")  # the home page made again, served early
        assert (home.reloads, other.reloads) == (1, 0)
        LiveReloadHandler.waiters.discard(home)  # its page reloads: a new websocket
        tabs.closed(home)
        tabs.serving("index.html", early=True)
        connect(late, "http://127.0.0.1:8000/repo/")
        tabs.serving("summits/index.html", early=False)  # a page the rebuild under way has not swapped in yet
        tabs.reload_others(passed=True)
        assert (late.reloads, other.reloads) == (0, 1)
        connect(slow, "http://127.0.0.1:8000/repo/summits/")  # it loaded its page before the rebuild ended
        assert slow.reloads == 1
        tabs.started()
        tabs.reload_showing("index.html")
        tabs.serving("index.html", early=True)
        tabs.reload_others(passed=False)
        assert (late.reloads, other.reloads, slow.reloads) == (2, 2, 2)
        later = Tab()
        connect(later, "http://127.0.0.1:8000/repo/")  # its page came early from the build that failed
        assert later.reloads == 1
    finally:
        LiveReloadHandler.waiters.clear()
        LiveReloadHandler.waiters.update(waiters)


def test_a_malformed_livereload_message_is_ignored_without_a_traceback(tmp_path):
    """Messages on the preview's websocket that are not livereload's handshake (not JSON, not an object, an 'info'
    with no address) are ignored: nothing printed, the socket and the site still answer."""
    import asyncio
    import urllib.request
    from concurrent.futures import ThreadPoolExecutor

    from tornado.websocket import websocket_connect

    root = make_site(tmp_path / "site")
    proc, port = start_preview(root)
    try:

        async def talk():
            ws = await websocket_connect(f"ws://127.0.0.1:{port}/livereload")
            for message in ("not json", "[1, 2]", "{}", '{"command": 5}', '{"command": "info", "url": 5}'):
                await ws.write_message(message)
            await ws.write_message('{"command": "hello", "protocols": []}')
            answer = await asyncio.wait_for(ws.read_message(), 10)
            ws.close()
            return answer

        with ThreadPoolExecutor(1) as thread:  # a thread of its own: Playwright's loop may run in this one
            assert '"hello"' in thread.submit(lambda: asyncio.run(talk())).result(30)
        assert urllib.request.urlopen(f"http://127.0.0.1:{port}/").status == 200
    finally:
        proc.terminate()
        proc.wait(10)
    log = (root.parent / f"preview-{port}.log").read_text()
    assert "Traceback" not in log and "Uncaught exception" not in log, log


def test_template_and_string_edits_reload(page, preview):
    root, base, _ = preview
    open_live(page, base + "sources/")
    save_and_wait_for_reload(
        page, root / "content/i18n/en.yaml", "sources_title: Sources", "sources_title: All sources"
    )
    assert page.locator("h1").inner_text() == "All sources"


def test_served_under_base_path_with_404(page, preview):
    _, base, _ = preview
    assert page.goto(base.replace("/repo/", "/")).url == base
    response = page.goto(base + "no/such/page/")
    assert response.status == 404 and "Page not found" in page.inner_text("h1")


def test_a_broken_first_build_shows_the_error_then_the_site_once_fixed(page, tmp_path):
    root = make_site(tmp_path / "site", content=REPO / "content")
    site_yaml = root / "content/site.yaml"
    good = site_yaml.read_text()
    site_yaml.write_text(good + "\ncolour: red\n")
    proc, port = start_preview(root)
    try:
        open_live(page, f"http://127.0.0.1:{port}/")
        assert "content/site.yaml" in page.locator("#sitegen-error").inner_text()
        with page.expect_event("load", timeout=10_000):
            site_yaml.write_text(good)
        assert page.locator("#sitegen-error").count() == 0
        assert page.locator("h1").count() == 1
    finally:
        proc.terminate()
        proc.wait(10)


def test_a_busy_port_is_a_usage_error_before_anything_is_built(tmp_path):
    root = make_site(tmp_path / "site", content=REPO / "content")
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run(
            [sys.executable, str(REPO / "build.py"), "serve", "--root", str(root), "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 2
    assert f"error: cannot listen on 127.0.0.1:{port}" in result.stderr and "Traceback" not in result.stderr
    assert not (root / "_site").exists()


def test_preview_collects_cycles_when_idle_not_during_a_rebuild(tmp_path):
    """serve() switches the cyclic collector off; the preview collects once it is idle."""
    from sitegen.serve import Preview, Session

    root = make_site(tmp_path / "site", content=REPO / "content")
    reloader = Preview(Session(root, tmp_path / "out", "http://127.0.0.1:8000/", log=lambda line: None))
    was = gc.isenabled()
    gc.disable()
    try:

        class Node:
            pass

        node, collected = Node(), []
        node.loop = node  # freed only by the cyclic collector
        weakref.finalize(node, collected.append, True)
        del node
        assert not collected
        reloader.when_idle()
        assert collected
    finally:
        if was:
            gc.enable()
