"""The live preview: livereload serving the last good build, watching inputs, rebuilding incrementally.

A rebuild never raises: on failure the last good site stays served and every HTML page carries an overlay
with the errors (file:line:col, hint, source excerpt), which the next good build reloads away."""
from __future__ import annotations

import gc
import html
import ipaddress
import mimetypes
import re
import socket
import sys
import threading
import time
import traceback
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlsplit

from livereload import Server
from livereload.handlers import ForceReloadHandler, LiveReloadHandler, LiveReloadJSHandler
from livereload.server import LiveScriptInjector
from livereload.watcher import Watcher
from tornado import escape, ioloop, web

from .errors import BuildFailed, SiteError, excerpt
from .incremental.cache import WATCHED, Bundle, input_files, template_cache
from .incremental.digests import combined
from .output.search import index_pages
from .output.write import Update
from .pipeline import build
from .site.urls import base_path

POLL_MS = 10
COLLECT_AFTER_S = 1.0  # the cyclic collector runs this long after a rebuild, when the preview is idle ...
COLLECT_EVERY_S = 60.0  # ... and at least this often
INDEX_AFTER_S = 1.0  # the search index is made again in the background this long after the last rebuild
FINGERPRINT = re.compile(r"\.[0-9a-f]{8}\.(?:css|js)$")


class Session:
    """The preview's state: the last good build, the current errors, and how to rebuild."""

    def __init__(self, root: Path, out_dir: Path, base_url: str, log=print):
        self.root, self.out_dir, self.base_url, self.log = root, out_dir, base_url, log
        self.state = None
        self.errors: list[str] = []
        self.stats = self._stats()
        self.stale = False  # the search index lags behind the pages' words (edits never run Pagefind)
        self.indexing = None  # the background job making it again, if one runs
        self.templates = template_cache(root)

    def _stats(self) -> dict:
        """Size and mtime of every watched file: a cheap fingerprint to poll."""
        found = {}
        for folder in WATCHED:
            for path in input_files(self.root / folder):
                st = path.stat()
                found[path] = (st.st_mtime_ns, st.st_size)
        return found

    def changed(self) -> bool:
        """True when a watched file was added, removed or saved since the last look."""
        stats = self._stats()
        if stats == self.stats:
            return False
        self.stats = stats
        return True

    def rebuild(self) -> bool:
        """Build (incrementally after the first good build); never raises. True when the build succeeded."""
        start = time.perf_counter()
        self.stop_indexing()  # it reads the pages this build may change
        try:
            result = build(self.root, self.out_dir, self.base_url, last=self.state, search=self.state is None,
                           templates=self.templates)
        except BuildFailed as failed:
            self.errors = [self._describe(e) for e in failed.errors]
            self.log(
                "\n".join(self.errors) + f"\nFailed: {len(failed.errors)} error(s); still serving the last good site."
            )
            return False
        except Exception:  # noqa: BLE001 - a generator bug must not stop the preview
            self.errors = ["internal error (a bug in the generator, not in your content):\n" + traceback.format_exc()]
            self.log(self.errors[0])
            return False
        for warning in result.warnings:
            self.log(warning.format())
        verb = "Rebuilt" if self.state is not None else "Built"
        self.state, self.errors = result.state, []
        self.stale = self.stale or result.search_stale
        self.log(
            f"{verb} {result.rendered} of {result.pages} pages, wrote {result.written} files "
            f"in {(time.perf_counter() - start) * 1000:.0f} ms."
        )
        return True

    def index_when_idle(self) -> None:
        """Bring the search index up to date, out of the edit loop: start making it in the background when it is
        stale, and swap it in once made (a rebuild meanwhile stops it first: see rebuild)."""
        job = self.indexing
        if job is None:
            if self.stale and self.state is not None:
                self.indexing = Background(self.state, self.out_dir)
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

    def __init__(self, state, out_dir: Path):
        self.state, self.out_dir = state, out_dir.resolve()
        self.cancelled = threading.Event()
        self.result: list | None = None
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="search index", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        dests = [dest for dest, entry in self.state.outputs.items() if entry.words]
        pages = ((dest, (self.out_dir / dest).read_text(encoding="utf-8")) for dest in dests
                 if not self.cancelled.is_set())
        try:
            found = index_pages(pages)
            if not self.cancelled.is_set():
                self.result = found
        except BaseException as exc:  # noqa: BLE001 - handed to the preview, which reports it
            self.error = exc

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
        with Update(self.out_dir, self.state.held()) as update:
            for entry in self.state.outputs.values():
                update.keep(entry.file)
            files = {out.dest: update.put(out) for out in self.result}
            update.commit()
        words = combined(entry.words for entry in self.state.outputs.values() if entry.words)
        return replace(self.state, bundle=Bundle(files, words))


class PollingWatcher(Watcher):
    """Replaces livereload's 0.8 s polling and 3 s throttle: checks every 10 ms, rebuilds, then reloads."""

    def __init__(self, session: Session):
        super().__init__()
        self.session = session
        self.collect_at = time.monotonic() + COLLECT_EVERY_S
        self.index_at = 0.0

    def start(self, callback) -> bool:
        """Start our own poll loop; returning True tells livereload not to start its own."""
        ioloop.PeriodicCallback(self.tick, POLL_MS).start()
        return True

    def tick(self) -> None:
        """On a change: rebuild, then reload every open tab (whether the build passed or failed). The cyclic
        collector, switched off by serve(), runs here once the preview is idle: not between a save and the reload
        (at 10,000 projects it would add a tenth to the rebuild); so does the search index, in the background."""
        if self.session.changed():
            self.session.rebuild()
            LiveReloadHandler.reload_waiters(path="*")
            self.collect_at = time.monotonic() + COLLECT_AFTER_S
            self.index_at = time.monotonic() + INDEX_AFTER_S
            return
        if time.monotonic() >= self.index_at:
            self.session.index_when_idle()
        if time.monotonic() >= self.collect_at:
            gc.collect()
            self.collect_at = time.monotonic() + COLLECT_EVERY_S


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


class Guarded:
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


class SiteHandler(Guarded, web.RequestHandler):
    """Serves the output folder under the base path, 404.html for missing paths, and the error overlay."""

    def initialize(self, session: Session):
        self.session = session

    def head(self, path: str) -> None:
        self.get(path)  # tornado sends the headers of GET without its body

    def get(self, path: str) -> None:
        try:
            found = self._file(path)
        except (OSError, ValueError):  # a NUL byte (%00), or a name too long for the file system
            raise web.HTTPError(404) from None
        if found is None:
            return
        status, target, body = found
        ctype = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if ctype == "text/html" and self.session.errors:
            body = body.replace(b"</body>", overlay(self.session.errors) + b"</body>", 1)
        self.set_status(status)
        self.set_header("Content-Type", ctype + ("; charset=utf-8" if ctype.startswith("text/") else ""))
        # Fingerprinted files (style.3f9a1c2e.css) never change under their name: let the browser keep them.
        self.set_header(
            "Cache-Control", "max-age=31536000, immutable" if FINGERPRINT.search(target.name) else "no-store"
        )
        self.write(body)

    def _file(self, path: str) -> tuple[int, Path, bytes] | None:
        """(status, file, its bytes) for a path under the output folder; None after redirecting a folder to its '/'."""
        out = self.session.out_dir
        target = (out / path).resolve()
        if not target.is_relative_to(out.resolve()):
            raise web.HTTPError(404)
        if target.is_dir():
            if path and not path.endswith("/"):
                self.redirect(self.request.path + "/")
                return None
            target = target / "index.html"
        status = 200
        if not target.is_file():
            status, target = 404, out / "404.html"
        return status, target, target.read_bytes() if target.is_file() else NOT_BUILT


class PreviewServer(Server):
    """livereload's server with our handlers: the site under its base path, and a redirect from '/'."""

    def __init__(self, session: Session, prefix: str):
        super().__init__(watcher=PollingWatcher(session))
        self.session, self.prefix = session, prefix
        for folder in WATCHED:  # for livereload's bookkeeping; PollingWatcher does the watching
            self.watcher.watch(str(session.root / folder))

    def get_web_handlers(self, script):
        handlers = [(f"{self.prefix}(.*)", SiteHandler, {"session": self.session})]
        if self.prefix != "/":
            handlers.append((r"/", type("Redirect", (Guarded, web.RedirectHandler), {}), {"url": self.prefix}))
        return handlers

    def application(self, port, host, liveport=None, debug=None, live_css=True):
        """livereload's application on one port, each handler guarded (see Guarded)."""
        LiveReloadHandler.watcher, LiveReloadHandler.live_css = self.watcher, live_css
        Guarded.port = port if loopback(host) else 0
        live_handlers = [
            (r"/livereload", type("Live", (Guarded, LiveReloadHandler), {})),
            (r"/forcereload", type("Force", (Guarded, ForceReloadHandler), {})),
            (r"/livereload.js", type("LiveJs", (Guarded, LiveReloadJSHandler), {})),
        ]
        script = escape.utf8(LIVE_SCRIPT)
        transform = type("Inject", (LiveScriptInjector,), {"script": script})
        app = web.Application(
            handlers=live_handlers + self.get_web_handlers(script), debug=False, transforms=[transform]
        )
        app.listen(port, address=host)


# livereload's snippet: its client script, loaded from the page's own host and port.
LIVE_SCRIPT = (
    '<script type="text/javascript">(function(){var s=document.createElement("script");'
    "var port=(window.location.port || (window.location.protocol == 'https:' ? 443: 80));"
    's.src="//"+window.location.hostname+":"+port+ "/livereload.js?port=" + port;'
    "document.head.appendChild(s);})();</script>"
)


def serve(root: Path, out_dir: Path, base_url: str | None, host: str, port: int) -> int:
    """Build, serve at http://host:port/<base path>, and rebuild on every save until Ctrl+C."""
    prefix = base_path(base_url or "/")
    local = f"http://{host}:{port}{prefix}"
    problem = _port_problem(host, port)
    if problem:
        return _cannot_listen(host, port, problem)
    LiveReloadHandler.DEFAULT_RELOAD_TIME = 0  # livereload would drop a second save within 3 s
    gc.disable()  # PollingWatcher.tick collects when idle
    session = Session(root, out_dir, local, log=lambda text: print(text, file=sys.stderr, flush=True))
    session.rebuild()
    server = PreviewServer(session, prefix)
    print(f"Serving {local} (watching content/, templates/, static/; Ctrl+C to stop)", flush=True)
    if not loopback(host):
        print(
            f"warning: --host {host} lets every machine that can reach this one open the preview, unpublished "
            "content included, and trigger rebuilds; use the default 127.0.0.1 unless you mean to share it",
            file=sys.stderr,
            flush=True,
        )
    try:
        server.serve(host=host, port=port, restart_delay=0, live_css=False)
    except OSError as exc:  # taken between the check and the start
        return _cannot_listen(host, port, exc.strerror or str(exc))
    finally:
        session.stop_indexing()
    return 0


def _cannot_listen(host: str, port: int, reason: str) -> int:
    """Say the preview cannot use host:port; the usage-error exit code."""
    print(f"error: cannot listen on {host}:{port}: {reason}\n  hint: try another --port", file=sys.stderr)
    return 2


def _port_problem(host: str, port: int) -> str:
    """Why the preview could not listen on host:port ('' when it can), checked before the first build."""
    try:
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
            probe.bind((host, port))
    except OSError as exc:
        return exc.strerror or str(exc)
    return ""
