"""The live preview: tornado serving the last good build, watchfiles watching the inputs, a rebuild on each save and
livereload's websocket telling every open tab to reload.

A rebuild never raises: on failure the last good site stays served and every HTML page carries an overlay
with the errors (file:line:col, hint, source excerpt), which the next good build reloads away. Rebuilds run in the
main thread (where the Markdown time limit's signal arrives); the watcher's threads only hand changes over, and
tornado runs in a thread of its own, so that a tab can load the page it shows as soon as that page is made again,
while the rest of the rebuild goes on (the other tabs reload once it is done). One preview per
output folder: a lock file beside it says which process serves it."""

from __future__ import annotations

import asyncio
import gc
import html
import ipaddress
import json
import mimetypes
import os
import re
import socket
import sys
import threading
import time
import traceback
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace
from typing import IO, TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from livereload.handlers import ForceReloadHandler, LiveReloadHandler, LiveReloadJSHandler
from livereload.server import LiveScriptInjector
from tornado import escape, ioloop, web

from .errors import BuildFailed, SiteError, excerpt
from .incremental.cache import WATCHED, Bundle, State, template_cache
from .incremental.digests import combined
from .output.search import index_pages
from .output.write import Update
from .pipeline import Early, build
from .site.urls import base_path

STEP_MS = 20  # watchfiles hands a batch of changes over once no other change came for this long
DEBOUNCE_MS = 1600  # ... or once it has grouped changes for this long (watchfiles' default)
WATCH_SETUP_S = 10  # the preview waits at most this long for its watches to be set up before its first build
IDLE_AFTER_S = 1.0  # this long after the last rebuild, the preview is idle: the search index is made again in the
# background and the cyclic collector runs ...
GARBAGE = 50_000  # ... and right after a reload once rebuilds have made this many objects since it last ran (each
# rebuild leaves cycles behind: saves a second apart would otherwise grow the preview without end)
FINGERPRINT = re.compile(r"\.[0-9a-f]{8}\.(?:css|js)$")


class Session:
    """The preview's state: the last good build, the current errors, and how to rebuild."""

    def __init__(self, root: Path, out_dir: Path, base_url: str, log=print):
        self.root, self.out_dir, self.base_url, self.log = root, out_dir, base_url, log
        self.state: State | None = None
        self.errors: list[str] = []
        self.stale = False  # the search index lags behind the pages' words (edits never run Pagefind)
        self.indexing: Background | None = None  # the background job making it again, if one runs
        self.templates = template_cache(root)
        self.early: dict[str, bytes] = {}  # pages a rebuild has made and not yet swapped in, served meanwhile

    def rebuild(self, shown: frozenset[str] = frozenset(), ready=None) -> bool:
        """Build (incrementally after the first good build); never raises. True when the build succeeded. The pages
        `shown` names are made first; each one made again is served from `early` until the build ends, and
        `ready(dest)` is called (from this thread) once it can be."""
        start = time.perf_counter()
        early = Early(shown, lambda dest, data: self._made_early(dest, data, ready)) if shown else None
        self.stop_indexing()  # it reads the pages this build may change
        try:
            result = build(
                self.root,
                self.out_dir,
                self.base_url,
                last=self.state,
                search=self.state is None,
                templates=self.templates,
                early=early,
            )
        except BuildFailed as failed:
            self.early = {}
            self.errors = [self._describe(e) for e in failed.errors]
            self.log(
                "\n".join(self.errors) + f"\nFailed: {len(failed.errors)} error(s); still serving the last good site."
            )
            return False
        except Exception:  # noqa: BLE001 - a generator bug must not stop the preview
            self.early = {}
            self.errors = ["internal error (a bug in the generator, not in your content):\n" + traceback.format_exc()]
            self.log(self.errors[0])
            return False
        for warning in result.warnings:
            self.log(warning.format())
        verb = "Rebuilt" if self.state is not None else "Built"
        self.state, self.errors, self.early = result.state, [], {}
        self.stale = self.stale or result.search_stale
        self.log(
            f"{verb} {result.rendered} of {result.pages} pages, wrote {result.written} files "
            f"in {(time.perf_counter() - start) * 1000:.0f} ms."
        )
        return True

    def _made_early(self, dest: str, data: bytes, ready) -> None:
        self.early[dest] = data
        if ready is not None:
            ready(dest)

    def index_when_idle(self, done=None) -> None:
        """Bring the search index up to date, out of the edit loop: start making it in the background when it is
        stale (`done(job)` is called from its thread when it ends), and swap it in once made (a rebuild meanwhile
        stops it first: see rebuild)."""
        job = self.indexing
        if job is None:
            if self.stale and self.state is not None:
                self.indexing = Background(self.state, self.out_dir, done)
            return
        if not job.done():
            return
        self.indexing, self.stale = None, False  # tried: not again until an edit changes the words once more
        start = time.perf_counter()
        try:
            if job.error is not None:
                raise job.error
            self.state = job.take()
        except BuildFailed as failed:
            self.log("The search index was not made again:\n" + "\n".join(self._describe(e) for e in failed.errors))
            return
        except OSError as exc:
            self.log(f"The search index was not made again: {exc}")
            return
        took = (time.perf_counter() - start) * 1000
        self.log(f"Search index made again in the background ({took:.0f} ms to swap it in).")

    def stop_indexing(self) -> None:
        """Stop a background index, if one runs (the index stays stale)."""
        if self.indexing is not None:
            self.indexing.cancel()
            self.indexing = None

    def _describe(self, error: SiteError) -> str:
        """An error as printed in the terminal and shown in the browser: the line, the hint, the source around it."""
        text = error.format()
        path = self.root / error.loc.source
        if error.loc.line and path.is_file():
            lines = excerpt(path.read_text(encoding="utf-8", errors="replace"), error.loc.line)
            text += "\n" + "\n".join(f"{'>' if n == error.loc.line else ' '} {n:4} | {line}" for n, line in lines)
        return text


class Background:
    """The search index made again in a thread from the pages of the site on disk (the preview's, once edits changed
    their words); take() swaps it in. cancel() stops it (a rebuild is about to change the pages it reads)."""

    def __init__(self, state, out_dir: Path, done=None):
        self.state, self.out_dir, self.done_callback = state, out_dir.resolve(), done
        self.cancelled = threading.Event()
        self.result: list | None = None
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="search index", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        dests = [dest for dest, entry in self.state.outputs.items() if entry.words]
        pages = (
            (dest, (self.out_dir / dest).read_text(encoding="utf-8")) for dest in dests if not self.cancelled.is_set()
        )
        try:
            found = index_pages(pages)
            if not self.cancelled.is_set():
                self.result = found
        except BaseException as exc:  # noqa: BLE001 - handed to the preview, which reports it
            self.error = exc
        finally:
            if self.done_callback is not None:
                self.done_callback(self)

    def done(self) -> bool:
        """Whether the thread has ended (with a result, an error, or cancelled)."""
        return not self.thread.is_alive()

    def cancel(self) -> None:
        """Stop using what the thread makes, and wait for it to end."""
        self.cancelled.set()
        self.thread.join()

    def take(self):
        """Swap the new bundle in for the last one (the files that changed, under the journal); return the state
        with it."""
        if self.error is not None:
            raise self.error
        assert self.result is not None  # (taken once done, and not cancelled)
        with Update(self.out_dir, self.state.held()) as update:
            for entry in self.state.outputs.values():
                update.keep(entry.file)
            files = {out.dest: update.put(out) for out in self.result}
            update.commit()
        words = combined(entry.words for entry in self.state.outputs.values() if entry.words)
        return replace(self.state, bundle=Bundle(files, words))


class Watcher:
    """The inputs watched with watchfiles (inotify, FSEvents, ReadDirectoryChangesW: an idle preview costs nothing)
    from two threads: the input folders, recursively, and the project folder alone, for an input folder made or
    removed (then the first is started again on the folders there are). Each batch of changes is handed to
    `changed()`, called from the watching thread. Hidden files and folders are no input (cache.input_files), nor
    is anything else.
    start() returns once both watches are set up, so that a save made from then on is never missed (the first build
    comes after it: a save made while it runs brings a rebuild once the loop starts)."""

    def __init__(self, root: Path, changed):
        self.root, self.changed = root.resolve(), changed
        self.stopped = threading.Event()
        self.again = threading.Event()  # ends the watch of the input folders, to start it again (or stop)
        self.ready = [threading.Event(), threading.Event()]  # each watch is set up (or has failed once)
        self.threads = [
            threading.Thread(target=self._inputs, name="watch inputs", daemon=True),
            threading.Thread(target=self._folders, name="watch folders", daemon=True),
        ]

    def start(self) -> None:
        for thread in self.threads:
            thread.start()
        for ready in self.ready:
            ready.wait(WATCH_SETUP_S)

    def stop(self) -> None:
        """End both watches (within a step) and wait for them."""
        self.stopped.set()
        self.again.set()
        for thread in self.threads:
            thread.join(5)

    def _inputs(self) -> None:
        first = True
        while not self.stopped.is_set():
            folders = [self.root / name for name in WATCHED if (self.root / name).is_dir()]
            self.again.clear()
            if folders:
                # started again (an input folder made or removed): a file saved in between brings a rebuild too
                self._watch(folders, self._input, self.again, recursive=True, ready=self.ready[0], catch_up=not first)
            else:
                self.ready[0].set()
                self.again.wait()
            first = False

    def _folders(self) -> None:
        while not self.stopped.is_set():
            self._watch([self.root], self._folder, self.stopped, recursive=False, ready=self.ready[1])

    def _watch(self, paths: list[Path], wanted, stop: threading.Event, recursive: bool, ready, catch_up=False) -> None:
        """Hand over changes until `stop` is set, or until the watch fails (a folder removed under it): then wait
        a moment and return, to be started again. watchfiles.watch() less its generator, whose watch starts at some
        point after the first call: RustNotify's is set up when it returns."""
        from watchfiles._rust_notify import RustNotify

        polling = os.environ.get("WATCHFILES_FORCE_POLLING", "").lower() not in ("", "0", "false", "disable")
        try:
            with RustNotify([str(p) for p in paths], False, polling, 300, recursive, False) as notify:
                ready.set()
                if catch_up:
                    self.changed()
                while not stop.is_set():
                    changes = notify.watch(DEBOUNCE_MS, STEP_MS if recursive else 5 * STEP_MS, 0, stop)
                    if isinstance(changes, set) and any(wanted(change, path) for change, path in changes):
                        if not recursive:  # an input folder made or removed: watch the folders there are now
                            self.again.set()
                        self.changed()
        except (OSError, RuntimeError):  # notify's errors: a watched folder gone, too many watches
            ready.set()
            stop.wait(0.5)

    def _input(self, change, path: str) -> bool:
        """Whether a change is one of an input file (not hidden, nor in a hidden folder)."""
        return not any(part.startswith(".") for part in Path(path).relative_to(self.root).parts)

    def _folder(self, change, path: str) -> bool:
        """Whether a change in the project folder is an input folder made or removed."""
        return Path(path).name in WATCHED


class Preview:
    """What the preview does in its main thread, between the watcher's threads and the server's: on each batch of
    changes a rebuild (one for the changes made while one runs), the pages the tabs show made first and each of those
    tabs reloaded as soon as its page is, then every other tab (whether the build passed or failed); once idle, the
    search index made again in the background and the cyclic collector, which serve() switches off so that it never
    runs between a save and the reload (at 10,000 projects it would add a tenth to the rebuild), unless rebuilds in
    quick succession left too much garbage."""

    def __init__(self, session: Session, server: "Server | None" = None):
        self.session, self.server = session, server
        self.wake = threading.Event()
        self.changes = False  # a batch of changes came (set by a watcher's thread)
        self.indexed: Any = None  # the background job that has ended (set by its thread)
        self.idle_at: float | None = None  # when the idle work is due

    def changed(self) -> None:
        """A batch of changes came: rebuild (called from a watcher's thread)."""
        self.changes = True
        self.wake.set()

    def run(self) -> None:
        """Rebuild on each batch of changes, and do the idle work once idle, until interrupted."""
        while True:
            timeout = None if self.idle_at is None else max(0.0, self.idle_at - time.monotonic())
            self.wake.wait(timeout)
            self.wake.clear()
            if self.changes:
                self.changes = False
                self.rebuild()
            elif self.indexed is not None:
                job, self.indexed = self.indexed, None
                if job is self.session.indexing:  # not one a rebuild stopped (that would start another at once)
                    self.session.index_when_idle()
            elif self.idle_at is not None and time.monotonic() >= self.idle_at:
                self.when_idle()

    def rebuild(self) -> None:
        """Rebuild, the pages the tabs show first, each tab reloaded once its page is made; then reload the others;
        collect now if rebuilds left too much garbage."""
        server = self.server
        assert server is not None
        tabs = server.tabs
        server.call(tabs.started)
        passed = self.session.rebuild(tabs.shown, lambda dest: server.call(tabs.reload_showing, dest))
        server.call(tabs.reload_others, passed)
        if gc.get_count()[0] > GARBAGE:
            server.call(gc.collect)  # after the reload messages have gone out
        self.idle_at = time.monotonic() + IDLE_AFTER_S

    def when_idle(self) -> None:
        """Collect cycles and bring the search index up to date in the background."""
        self.idle_at = None
        gc.collect()
        self.session.index_when_idle(self._indexed)

    def _indexed(self, job) -> None:
        """The background index has ended: swap it in (called from its thread; a rebuild meanwhile stops it)."""
        self.indexed = job
        self.wake.set()


class Tabs:
    """The open tabs (livereload's websockets) and the pages they show, on the server's thread. A rebuild reloads a
    tab as soon as the page it shows is made again (reload_showing), then every other (reload_others). Each page
    served is noted with the build it comes from (`served`: the last good build's, or the one under way for a page
    served early), so that a tab that connects once its page is out of date is reloaded then, and one whose page
    came early from the build under way is not reloaded again when that build ends."""

    def __init__(self, prefix: str):
        self.prefix = prefix
        self.showing: dict[Any, str] = {}  # tab -> the output file of the page it shows
        self.shown: frozenset[str] = frozenset()  # those pages (read by the main thread)
        self.reloaded: set = set()  # tabs whose page comes from the build under way
        self.generation = 0  # good builds swapped in since the preview started
        self.building = False
        self.served: dict[str, int] = {}  # page -> the generation of the bytes last served for it

    def opened(self, tab, url: str) -> None:
        """A tab said which page it shows: note it, and reload it now if that page is out of date."""
        path = urlsplit(url).path
        if not path.startswith(self.prefix):
            return
        dest = page_file(unquote(path[len(self.prefix) :]))
        self.showing[tab] = dest
        self.shown = frozenset(self.showing.values())
        served = self.served.get(dest, self.generation)
        if self.building and served > self.generation:
            self.reloaded.add(tab)  # served early: it shows the build under way
        elif not self.building and served != self.generation:
            reload([tab])  # served before the last build ended

    def closed(self, tab) -> None:
        if self.showing.pop(tab, None) is not None:
            self.shown = frozenset(self.showing.values())
        self.reloaded.discard(tab)

    def serving(self, dest: str, early: bool) -> None:
        """A file is served: from the build under way (early) or as the output folder holds it."""
        if dest.endswith(".html"):
            self.served[dest] = self.generation + early

    def started(self) -> None:
        self.building = True

    def reload_showing(self, dest: str) -> None:
        """Reload the tabs that show a page made again (its bytes are served early)."""
        tabs = [tab for tab, shows in self.showing.items() if shows == dest and tab not in self.reloaded]
        self.reloaded.update(tabs)
        reload(tabs)

    def reload_others(self, passed: bool) -> None:
        """The rebuild has ended: reload every tab not reloaded early (every tab when it failed: the overlay)."""
        self.generation += passed
        self.building = False
        reload([tab for tab in LiveReloadHandler.waiters if not passed or tab not in self.reloaded])
        self.reloaded = set()


def reload(tabs) -> None:
    """Tell these tabs to reload (livereload's message)."""
    message = {"command": "reload", "path": "*", "liveCSS": False, "liveImg": True}
    for tab in tabs:
        tab.send_message(message)


def page_file(path: str) -> str:
    """The output file a path under the base path names: 'x/' -> 'x/index.html', '' -> 'index.html'."""
    return path + "index.html" if not path or path.endswith("/") else path


class Server:
    """The preview's server (tornado: the site, livereload's websocket) on an event loop in a thread of its own; call()
    runs a function there."""

    def __init__(self, app: web.Application, tabs: Tabs, host: str, port: int):
        self.app, self.tabs, self.host, self.port = app, tabs, host, port
        self.loop: Any = None
        self.listening = threading.Event()
        self.error: OSError | None = None
        self.thread = threading.Thread(target=self._run, name="server", daemon=True)

    def start(self) -> None:
        """Listen, or raise the OSError that prevents it."""
        self.thread.start()
        self.listening.wait()
        if self.error is not None:
            raise self.error

    def _run(self) -> None:
        asyncio.set_event_loop(asyncio.new_event_loop())
        self.loop = ioloop.IOLoop.current()
        try:
            self.app.listen(self.port, address=self.host)
        except OSError as exc:  # taken between the check and now
            self.error = exc
            return
        finally:
            self.listening.set()
        self.loop.start()

    def call(self, function, *args) -> None:
        """Run function(*args) on the server's loop."""
        self.loop.add_callback(function, *args)

    def stop(self) -> None:
        if self.loop is not None and self.thread.is_alive():
            self.loop.add_callback(self.loop.stop)
            self.thread.join(5)


def overlay(errors: list[str]) -> bytes:
    """The error panel injected into every served page while the build is broken."""
    items = "".join(f"<pre>{html.escape(e)}</pre>" for e in errors)
    return (
        '<div id="sitegen-error" role="alert" style="position:fixed;inset:0;z-index:2147483647;overflow:auto;'
        'background:rgba(20,20,20,.96);color:#fff;padding:1.5rem;font:14px/1.5 ui-monospace,monospace">'
        '<h2 style="color:#ff8a80;margin-top:0;font:bold 18px system-ui,sans-serif">The site did not build</h2>'
        '<p style="font-family:system-ui,sans-serif">Showing the last good version underneath. '
        f"Fix the file and save: this page reloads by itself.</p>{items}</div>"
    ).encode("utf-8")


NOT_BUILT = b"<!doctype html><html><head><title>Not built yet</title></head><body></body></html>"


LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]")


def loopback(host: str) -> bool:
    """True when an address to listen on is reachable from this machine only."""
    try:
        return host == "localhost" or ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


if TYPE_CHECKING:
    _Handler = web.RequestHandler
else:
    _Handler = object


class Guarded(_Handler):
    """Mixed into every handler of the preview: bound to loopback, it answers only requests addressed to a loopback
    name (a DNS-rebinding page elsewhere names its own host) and websockets opened by its own pages."""

    port = 0  # the preview's port; 0 when it listens beyond loopback (then any Host is allowed)

    def prepare(self):
        if self.port and not self.allowed(self.request.host):
            raise web.HTTPError(403, "unexpected Host header")
        try:
            urlsplit(self.request.headers.get("Origin", ""))
        except ValueError:  # 'http://[x': tornado's own origin check would fail on it with a 500
            raise web.HTTPError(403, "malformed Origin header") from None
        return super().prepare()

    def allowed(self, host: str) -> bool:
        """True for 'localhost:PORT', '127.0.0.1:PORT' or '[::1]:PORT' (and without the port)."""
        name, _, port = host.lower().rpartition(":") if not host.endswith("]") else (host.lower(), "", "")
        if not name:
            name, port = port, ""
        return name in LOOPBACK_NAMES and port in ("", str(self.port))

    def check_origin(self, origin: str) -> bool:
        """A websocket may be opened only by a page of the preview itself."""
        parts = urlsplit(origin)  # one that cannot be split was refused by prepare()
        return not self.port or (parts.scheme == "http" and self.allowed(parts.netloc))


class Tab(Guarded, LiveReloadHandler):
    """livereload's websocket of one tab, which tells `tabs` what page the tab shows (its 'info' message says)."""

    tabs: Tabs

    def on_message(self, message):
        """livereload's handshake ('hello', then 'info' with the page's address); anything else is ignored (livereload
        itself raised on a message that is not JSON)."""
        try:
            said = json.loads(message)
        except ValueError:
            return
        if not isinstance(said, dict) or not isinstance(said.get("command"), str):
            return
        super().on_message(message)
        if said["command"] == "info" and isinstance(said.get("url"), str):
            self.tabs.opened(self, said["url"])

    def on_close(self):
        super().on_close()
        self.tabs.closed(self)


class SiteHandler(Guarded, web.RequestHandler):
    """Serves the output folder under the base path, 404.html for missing paths, and the error overlay."""

    def initialize(self, session: Session, tabs: Tabs):
        self.session, self.tabs = session, tabs

    def head(self, path: str) -> None:
        self.get(path)  # tornado sends the headers of GET without its body

    def get(self, path: str) -> None:
        try:
            found = self._file(path)
        except (OSError, ValueError):  # a NUL byte (%00), or a name too long for the file system
            raise web.HTTPError(404) from None
        if found is None:
            return
        status, target, body, errors = found
        ctype = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if ctype == "text/html" and errors:
            body = body.replace(b"</body>", overlay(errors) + b"</body>", 1)
        self.set_status(status)
        self.set_header("Content-Type", ctype + ("; charset=utf-8" if ctype.startswith("text/") else ""))
        # Fingerprinted files (style.3f9a1c2e.css) never change under their name: let the browser keep them.
        self.set_header(
            "Cache-Control", "max-age=31536000, immutable" if FINGERPRINT.search(target.name) else "no-store"
        )
        self.write(body)

    def _file(self, path: str) -> tuple[int, Path, bytes, list[str]] | None:
        """(status, file, its bytes, the errors to show over it) for a path under the output folder; None after
        redirecting a folder to its '/'. A page made by the rebuild under way shows none: that build has not failed."""
        out = self.session.out_dir
        target = (out / path).resolve()
        if not target.is_relative_to(out.resolve()):
            raise web.HTTPError(404)
        if target.is_dir():
            if path and not path.endswith("/"):
                self.redirect(self.request.path + "/")
                return None
            target = target / "index.html"
        dest = page_file(path)
        early = self.session.early.get(dest)
        self.tabs.serving(dest, early is not None)
        if early is not None:  # made by the rebuild under way, not yet swapped in
            return 200, out / dest, early, []
        status = 200
        if not target.is_file():
            status, target = 404, out / "404.html"
        return status, target, target.read_bytes() if target.is_file() else NOT_BUILT, self.session.errors


def application(session: Session, tabs: Tabs, prefix: str, host: str, port: int) -> web.Application:
    """The site under its base path (and a redirect from '/' to it), and livereload's websocket (its tabs kept in
    `tabs`), client script and reload trigger; each handler guarded (see Guarded), every HTML page given livereload's
    snippet."""
    Guarded.port = port if loopback(host) else 0
    LiveReloadHandler.live_css = False
    LiveReloadHandler.watcher = SimpleNamespace(filepath=None)  # reload_waiters() logs what its watcher last saw
    handlers: list[Any] = [
        (r"/livereload", type("Live", (Tab,), {"tabs": tabs})),
        (r"/forcereload", type("Force", (Guarded, ForceReloadHandler), {})),
        (r"/livereload.js", type("LiveJs", (Guarded, LiveReloadJSHandler), {})),
        (f"{prefix}(.*)", SiteHandler, {"session": session, "tabs": tabs}),
    ]
    if prefix != "/":
        handlers.append((r"/", type("Redirect", (Guarded, web.RedirectHandler), {}), {"url": prefix}))
    transform = type("Inject", (LiveScriptInjector,), {"script": escape.utf8(LIVE_SCRIPT)})
    return web.Application(handlers=handlers, debug=False, transforms=[transform])


# livereload's snippet: its client script, loaded from the page's own host and port once the page has loaded (fetched
# before, it held every reload's load event back by 5-60 ms here).
LIVE_SCRIPT = (
    '<script type="text/javascript">addEventListener("load",function(){var s=document.createElement("script");'
    "var port=(window.location.port || (window.location.protocol == 'https:' ? 443: 80));"
    's.src="//"+window.location.hostname+":"+port+ "/livereload.js?port=" + port;'
    "document.head.appendChild(s);});</script>"
)


def serve(root: Path, out_dir: Path, base_url: str | None, host: str, port: int) -> int:
    """Build, serve at http://host:port/<base path>, and rebuild on every save until Ctrl+C; exit 2 when another
    preview serves the same output folder or the port is taken."""
    lock = Lock(out_dir)
    holder = lock.take()
    if holder:
        print(
            f"error: another preview ({holder}) is building into {out_dir}\n  hint: stop it first (Ctrl+C in its "
            "terminal), or give this one its own folder with --out",
            file=sys.stderr,
        )
        return 2
    try:
        problem = _port_problem(host, port)
        if problem:
            return _cannot_listen(host, port, problem)
        return _run(root, out_dir, base_url, host, port)
    finally:
        lock.release()


def _run(root: Path, out_dir: Path, base_url: str | None, host: str, port: int) -> int:
    """Watch, build, listen (in the server's thread), then rebuild on each save until Ctrl+C or SIGTERM."""
    prefix = base_path(base_url or "/")
    local = f"http://{host}:{port}{prefix}"
    gc.disable()  # Preview collects when idle
    session = Session(root, out_dir, local, log=lambda text: print(text, file=sys.stderr, flush=True))
    tabs = Tabs(prefix)
    server = Server(application(session, tabs, prefix, host, port), tabs, host, port)
    preview = Preview(session, server)
    watcher = Watcher(root, preview.changed)
    watcher.start()  # before the first build: a save from now on is never missed
    try:
        session.rebuild()
        server.start()
    except OSError as exc:  # taken between the check and now
        watcher.stop()
        return _cannot_listen(host, port, exc.strerror or str(exc))
    print(f"Serving {local} (watching content/, templates/, static/; Ctrl+C to stop)", flush=True)
    if not loopback(host):
        print(
            f"warning: --host {host} lets every machine that can reach this one open the preview, unpublished "
            "content included, and trigger rebuilds; use the default 127.0.0.1 unless you mean to share it",
            file=sys.stderr,
            flush=True,
        )
    try:
        preview.run()
    except KeyboardInterrupt:
        pass  # Ctrl+C: the normal way out
    finally:
        watcher.stop()
        server.stop()
        session.stop_indexing()
    return 0


class Lock:
    """One preview per output folder: a file beside it holds the process id of the preview building into it, locked
    (flock) while that preview runs and removed when it stops. The system releases the lock of a process that dies,
    so a file a killed preview left is taken over. Without flock (Windows), no lock."""

    def __init__(self, out_dir: Path):
        self.path = out_dir.with_name(f".{out_dir.name}.preview.lock")
        self.file: IO[str] | None = None

    def take(self) -> str:
        """Lock the folder: '' when taken, else who holds it."""
        try:
            import fcntl
        except ImportError:
            return ""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        file = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115 - held open while the preview runs
        try:
            fcntl.flock(file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            file.seek(0)
            holder = file.read().strip()
            file.close()
            return f"process {holder}" if holder.isdigit() else "a process"
        file.truncate(0)
        file.write(f"{os.getpid()}\n")
        file.flush()
        self.file = file
        return ""

    def release(self) -> None:
        """Remove the file and let the lock go."""
        if self.file is not None:
            self.path.unlink(missing_ok=True)
            self.file.close()
            self.file = None


def _cannot_listen(host: str, port: int, reason: str) -> int:
    """Say the preview cannot use host:port; the usage-error exit code."""
    print(f"error: cannot listen on {host}:{port}: {reason}\n  hint: try another --port", file=sys.stderr)
    return 2


def _port_problem(host: str, port: int) -> str:
    """Why the preview could not listen on host:port ('' when it can), checked before the first build. The probe
    binds as tornado will, with SO_REUSEADDR (as every server does): the connections of a preview just stopped,
    waiting out TIME_WAIT, do not keep its successor off the port; a server listening on it does."""
    try:
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
            if os.name != "nt":  # on Windows it would let two servers share the port
                probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
    except OSError as exc:
        return exc.strerror or str(exc)
    return ""
