"""The search index: Pagefind's extended build (which segments Chinese), through its Python API (pagefind.index):
each searchable page is added as it is rendered, in plan order, and the bundle is written into the site's pagefind/.
An index per language, as each page's <html lang> says; the same pages give the same bundle (its one unordered file
is written sorted).

It indexes words, never figures: the values, dates and footnote numbers a figure edit changes are left out (EXCLUDE),
so words() tells, page by page, whether the index a build would make is the one the site holds."""

from __future__ import annotations

import base64
import json
import os
import re
import signal
import threading
from collections import deque
from typing import TYPE_CHECKING, Any

from ..content.model import Content
from ..errors import BuildFailed, Location, SiteError
from ..proc import give_back_memory
from ..site.render import SEARCH_STRINGS
from .write import Output

if TYPE_CHECKING:
    from pagefind.index import PagefindIndex
    from pagefind.service import PagefindService

BUNDLE = "pagefind"  # the bundle's folder in the site
IN_BUNDLE = BUNDLE + "/"
# What Pagefind leaves out of every page: the header, footer and skip link (the same on every page), and what a
# figure edit changes: values, dates, the sizes of the downloads, footnote numbers, the charts and their one-line
# summaries, the sources list.
EXCLUDE = (
    "header",
    "footer",
    ".skip",
    ".fig",
    "[data-fact]",
    "time",
    "data",
    ".as-of",
    ".cite",
    "svg",
    ".chart-summary",
    ".chart-source",
    ".cited",
    ".pager",
    ".changed",
)
# The same elements as they are written by the templates, each replaced by a mark when pages are compared: pages
# that read the same after it give Pagefind the same words. Each pattern matches whole elements of EXCLUDE only, so
# that what it leaves is never less than what Pagefind reads (the mark keeps each element's place).
FIGURES = re.compile(
    r'<span class="fig"[^>]*>[^<]*</span>|<span data-fact="[^"]*">[^<]*</span>|<time[^>]*>[^<]*</time>'
    r'|<data value="[^"]*">[^<]*</data>'
    r'|<sup class="cite">.*?</sup>|<svg\b.*?</svg>|<p class="chart-(?:summary|source)">.*?</p>'
    r'|<section class="cited".*?</section>|<script\b.*?</script>|<span class="changed">.*?</span>'
    r'|<details class="quote" data-pagefind-ignore>.*?</details>',
    re.S,
)
# The files of the bundle a search needs: its script, worker, WebAssembly, entry, metadata and index chunks (not
# Pagefind's ready-made interfaces, which the site does not use).
NEEDED = re.compile(
    r"(?:pagefind\.js|pagefind-worker\.js|pagefind-entry\.json|pagefind\.[^/]+\.pf_meta"
    r"|wasm\.[^/]+\.pagefind|index/[^/]+\.pf_index|fragment/[^/]+\.pf_fragment)"
)


TAG = re.compile(r"(<[^>]*>)")
VOID = re.compile(r"<(?:br|img|wbr|hr|input|meta|link)\b", re.I)


def _blank(match: re.Match) -> str:
    """An element of EXCLUDE as a mark, followed by the elements nested in it, kept: Pagefind leaves the element's
    own text out of the page, but the text of an element nested in it reaches the text of the anchor (an element
    with an id) around it, which its bundle holds (a footnote's number, a "changed on" link)."""
    element = match.group(0)
    if element.count("<") == 2 or element.startswith(("<svg", "<script", "<details")):  # text alone; or nothing
        # Pagefind reads (data-pagefind-ignore leaves out the element's whole text)
        return "\0"
    inner = element[element.index(">") + 1 : element.rindex("</")]
    kept, depth = ["\0"], 0
    for token in TAG.split(inner):
        if token.startswith("</"):
            depth -= 1
            kept.append(token)
        elif token.startswith("<"):
            depth += 0 if VOID.match(token) or token.endswith("/>") else 1
            kept.append(token)
        elif depth > 0:
            kept.append(token)
    return "".join(kept)


def words(html: bytes) -> bytes:
    """A page's <main> (all Pagefind reads of a searchable page) with what Pagefind leaves out of it blanked: two pages
    alike here are indexed alike."""
    text = html.decode("utf-8")
    start, end = text.find("<main"), text.rfind("</main>")
    return FIGURES.sub(_blank, text[start:end] if 0 <= start < end else text).encode("utf-8")


def _entry_bytes(entry: dict) -> bytes:
    """Pagefind's entry file, its keys sorted (Pagefind writes its languages in any order)."""
    return json.dumps(entry, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def strings_files(views: dict[str, Content], first: str) -> list[Output]:
    """Each language's search/strings.json: the words the search box shows as it finds pages (the script reads
    them beside the search page the box submits to)."""
    files = []
    for lang, view in views.items():
        prefix = "" if lang == first else f"{lang}/"
        strings = {key: view.strings[lang][key] for key in SEARCH_STRINGS}
        data = json.dumps(strings, ensure_ascii=False, sort_keys=True).encode("utf-8") + b"\n"
        files.append(Output(f"{prefix}search/strings.json", data, f"search: the search box's words in {lang}"))
    return files


ORIGIN = "search: Pagefind's index of the pages"
IN_FLIGHT = 64  # pages sent to Pagefind and not yet indexed, at most (each holds its HTML)
BATCH = 16  # pages handed to the service's thread at once: a hand-over wakes that thread, which then holds the GIL


class Index:
    """A Pagefind index made through its Python API by a service process beside the build: add() sends a page and
    returns at once (at most IN_FLIGHT wait), so Pagefind indexes on another core while pages are rendered; write()
    puts the bundle in a folder. Used as a context; the service ends with it, and with the build (it reads its
    requests from a pipe that closes when the build ends, however it ends)."""

    def __init__(self) -> None:
        import asyncio  # here, as in each function that uses it: an edit that indexes nothing never imports it (40 ms)

        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="search index", daemon=True)
        self.pending: deque = deque()
        self.batch: list[tuple[str, str]] = []  # pages not yet handed over
        self.service: PagefindService | None = None
        self.index: PagefindIndex | None = None

    def __enter__(self) -> "Index":
        try:
            from pagefind.index import PagefindIndex  # here: a build that indexes nothing never imports it

            self.thread.start()
            self.index = self._wait(self._open(PagefindIndex))
        except (ImportError, FileNotFoundError) as exc:
            self.close()
            raise BuildFailed(
                [
                    SiteError(
                        Location("requirements.txt"),
                        f"Pagefind cannot be found ({exc})",
                        "install it: python3 -m pip install -r requirements.txt",
                    )
                ]
            ) from None
        return self

    async def _open(self, make):
        service = self.service = _service()  # in the loop's thread: it binds the loop that runs it
        await service.launch()
        created = await service.create_index({"exclude_selectors": list(EXCLUDE)})
        return make(config=None, _service=service, _index_id=created._index_id)

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """End the service (killed if it still runs) and the thread."""
        if self.loop.is_closed():
            return
        if self.thread.is_alive():  # what waits to be sent is never sent (nor written into a pipe Pagefind closed)
            self._wait(_cancel_all(), timeout=10)
        if self.service is not None and getattr(self.service, "_backend", None) is not None:
            backend, self.service = self.service._backend, None
            if backend.returncode is None:
                # Not backend.kill(): it polls first, and so may reap a Pagefind that a Ctrl-C ended before asyncio's
                # watcher can (which then warns of an "unknown child process" as the build stops).
                try:
                    os.kill(backend.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            self._wait(backend.wait(), timeout=10)
        if self.thread.is_alive():
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join()
        self.loop.close()

    @property
    def _opened(self) -> PagefindIndex:
        """The index that __enter__ opened."""
        if self.index is None:
            raise RuntimeError("the search index is used before it is opened")
        return self.index

    def _wait(self, coro, timeout: float | None = None):
        """Run a coroutine on the service's loop and wait for its result."""
        import asyncio

        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def add(self, dest: str, html: str) -> None:
        """Send one page (by its path in the site: Pagefind makes its URL as for a file there)."""
        self.batch.append((dest, html))
        if len(self.batch) >= BATCH:
            self._hand_over()

    def _hand_over(self) -> None:
        """Hand the pages waiting to the service's thread, in order (Pagefind's bundle depends on it), once at most
        IN_FLIGHT pages wait to be indexed."""
        import asyncio

        while self.pending and BATCH * len(self.pending) >= IN_FLIGHT:
            self._answer(self.pending.popleft())
        index, batch, self.batch = self._opened, self.batch, []
        calls = [index.add_html_file(content=html, source_path=dest) for dest, html in batch]
        self.pending.append(asyncio.run_coroutine_threadsafe(_together(calls), self.loop))

    def _answer(self, waiting):
        """The answer to a request; when Pagefind ended before it answered because the build is being stopped (a
        Ctrl-C or SIGTERM to the process group reaches Pagefind too), that stop."""
        try:
            return waiting.result()
        except Ended:
            assert self.service is not None  # (close() alone forgets it)
            code = self._wait(self.service._backend.wait(), timeout=10)
            if code == -signal.SIGINT:
                raise KeyboardInterrupt from None
            if code == -signal.SIGTERM:
                raise SystemExit(128 + signal.SIGTERM) from None
            raise _failed(f"Pagefind ended with {code}") from None

    def bundle(self) -> list[Output]:
        """The bundle, once every page is indexed, as outputs under pagefind/ in path order: what a search needs, the
        entry file with its languages sorted. Asked for as data, not written by Pagefind: its service answers before
        the last of its own writes is on disk."""
        import asyncio

        self._hand_over()
        while self.pending:
            self._answer(self.pending.popleft())
        give_back_memory()  # the pages' memory, before the bundle's megabytes arrive
        files = self._answer(asyncio.run_coroutine_threadsafe(self._opened.get_files(), self.loop))
        return _bundle({file["path"]: file["content"] for file in files})


async def _cancel_all() -> None:
    """Cancel every other task of the loop, and wait until each has ended (its error read: asyncio reports none as
    never retrieved)."""
    import asyncio

    tasks = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


async def _together(calls) -> list:
    """The answers to requests sent in order (each is written to the service before the next is made)."""
    import asyncio

    return await asyncio.gather(*calls)


def _service():
    """Pagefind's service process, as pagefind.service starts it, but reading its answers as they come: the
    package's own loop sleeps 0.1 s before each one (ten pages a second); and failing every request still waiting
    when the process ends (stopped with the build's Ctrl-C), instead of waiting for ever."""
    import asyncio

    from pagefind.service import PagefindService

    class Service(PagefindService):
        async def send(self, payload):
            """One request, as the package sends it, without formatting it (the page's HTML and all) into two debug
            messages that no log shows: at 10,000 pages, a third of a second in the thread that holds the GIL. Once
            Pagefind has ended (a Ctrl-C to the process group), Ended: nothing is written into its closed pipe."""
            pipe = self._backend.stdin
            assert pipe is not None  # (launched with one)
            if pipe.is_closing() or self._backend.returncode is not None:
                raise Ended()
            self._message_id += 1
            waiting = self._responses[self._message_id] = self._loop.create_future()
            request = {"message_id": self._message_id, "payload": payload}
            pipe.write(base64.b64encode(json.dumps(request).encode("utf-8")) + b",")
            try:
                await pipe.drain()
            except ConnectionError:
                self._responses.pop(request["message_id"], None)
                raise Ended() from None
            return await waiting

        async def _wait_for_responses(self) -> None:
            try:
                while True:
                    said = await _message(self._backend.stdout)
                    decoded = base64.b64decode(said)
                    del said  # the bundle's answer is megabytes: two copies at a time at most
                    text = decoded.decode("utf-8")
                    del decoded
                    answer = json.loads(text)
                    del text
                    waiting = self._responses.pop(answer.get("message_id"), None)
                    payload: Any = answer.get("payload") or {}  # JSON, as the service's types describe it
                    if waiting is None or waiting.done():
                        continue
                    if payload.get("type") == "Error":
                        waiting.set_exception(_failed(payload.get("message", "")))
                    else:
                        waiting.set_result(payload)
            except (asyncio.IncompleteReadError, ValueError):
                for waiting in self._responses.values():
                    if not waiting.done():
                        waiting.set_exception(Ended())
                        waiting.exception()  # read: a request cancelled as the build stops never reads it
                self._responses.clear()

    return Service()


class Ended(Exception):
    """Pagefind's service ended before it answered."""


def _failed(message: str) -> BuildFailed:
    """Pagefind's failure as the build's error."""
    said = " ".join(message.split())[:500]
    return BuildFailed([SiteError(Location(BUNDLE), f"Pagefind could not index the pages: {said}")])


async def _message(stream) -> bytearray:
    """One message from Pagefind's service: base64 up to a comma, however long (the bundle is one message, read into
    one buffer)."""
    import asyncio

    said = bytearray()
    while True:
        try:
            said += await stream.readuntil(b",")
            del said[-1:]
            return said
        except asyncio.LimitOverrunError as over:  # longer than the stream's buffer: take what it holds, read on
            said += await stream.readexactly(over.consumed)


def _bundle(files: dict[str, bytes]) -> list[Output]:
    """The bundle's files as outputs under pagefind/, in path order: what a search needs, the entry file with its
    languages sorted (Pagefind writes them in any order)."""
    found = []
    for path in sorted(files):
        rel = path.replace("\\", "/")
        if not NEEDED.fullmatch(rel):
            continue
        data = _entry_bytes(json.loads(files[path])) if rel == "pagefind-entry.json" else files[path]
        found.append(Output(f"{BUNDLE}/{rel}", data, ORIGIN))
    return found


def index_pages(pages) -> list[Output]:
    """The bundle of the searchable pages ((dest, html) pairs)."""
    with Index() as index:
        for dest, html in pages:
            index.add(dest, html)
        return index.bundle()
