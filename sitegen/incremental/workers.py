"""Render many pages on every core: forked workers share the prepared renderer and return pages in plan order.

Used for large batches only (a fork costs more than a few pages take); the result is the same bytes as a serial
render, since each page depends only on the content, the templates and its own place in the plan."""
from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from ..errors import Problems
from ..output.swap import STOPS, ending_with_this_process, stops_blocked
from ..output.write import Output, safe_dest, write_file
from ..site.render import Page, Renderer
from .memory import frozen_heap

PARALLEL_MIN = 400  # pages; below this a serial render is faster than starting workers
_RENDERER: Renderer | None = None  # handed to forked workers; set only while a pool lives
_INSPECT = None  # likewise: what to learn from each rendered page while it is at hand (its links)
_STAGED: str | None = None  # likewise: the staging folder pages are written to as they are made, if any
_END = None  # likewise: what ends a worker with the process that started it (ending_with_this_process)


def _render_chunk(pages: list[Page]) -> list[tuple]:
    """In a worker: render pages; return (dest, Output or None, dependencies, errors, inspection) for each. With a
    staging folder, each page is written there at once and comes back hollow (its size and digest only)."""
    out = []
    for page in pages:
        problems = Problems()
        result = _RENDERER.render(page, problems)
        if result is None:
            out.append((page.dest, None, frozenset(), problems.errors, None))
            continue
        html, deps = result
        output = Output(page.dest, html.encode("utf-8"), f"page {page.dest}")
        seen = _INSPECT(page.dest, output.data, output.digest) if _INSPECT is not None else None
        if _STAGED is not None and safe_dest(page.dest):  # an unsafe path is reported by the caller, never written
            write_file(_STAGED, page.dest, output.data)
            output = output.hollow()
        out.append((page.dest, output, deps, problems.errors, seen))
    return out


def _fork_context():
    """multiprocessing's 'fork' context, or None where the platform has none."""
    import multiprocessing  # here, not at the top: importing it costs a small build a tenth of its time
    return multiprocessing.get_context("fork") if "fork" in multiprocessing.get_all_start_methods() else None


@contextmanager
def _pool(context, workers: int) -> Iterator:
    """A pool of forked workers, started with Ctrl-C and SIGTERM blocked (stops_blocked), which each worker takes once
    it has set its own handlers, and the parent once the pool stands and will be stopped if one came meanwhile."""
    with ExitStack() as stack:
        with stops_blocked():
            pool = stack.enter_context(context.Pool(workers, _worker_signals))
        yield pool


def _worker_signals() -> None:
    """In a worker: leave Ctrl-C to the parent, which stops the pool and reports once (no trace per worker); end at
    once on SIGTERM (how the pool stops its workers), and with the parent if it is killed (Linux), so that no
    worker writes into a staging folder its build has given up. Then take the signals, blocked until now (_pool)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if _END is not None:
        _END()
    signal.pthread_sigmask(signal.SIG_UNBLOCK, STOPS)


def render_many(renderer: Renderer, pages: list[Page], problems: Problems, inspect=None,
                staged: Path | None = None) -> list[tuple]:
    """Render pages, in parallel when there are many; return (dest, Output or None, dependencies, inspect(dest,
    html, digest) or None) in plan order. With `staged`, pages are written into that folder as they are made."""
    global _RENDERER, _INSPECT, _STAGED, _END
    _INSPECT, _STAGED = inspect, str(staged) if staged is not None else None
    workers = min(os.cpu_count() or 1, 8)
    context = _fork_context() if len(pages) >= PARALLEL_MIN and workers >= 2 else None
    if context is None:
        _RENDERER = renderer
        try:
            results = _render_chunk(pages)
        finally:
            _RENDERER = None
    else:
        renderer.compile_all()  # compile once before the fork instead of once per worker
        size = -(-len(pages) // (workers * 4))
        chunks = [pages[i:i + size] for i in range(0, len(pages), size)]
        _RENDERER, _END = renderer, ending_with_this_process()
        try:
            with frozen_heap(), _pool(context, workers) as pool:
                results = [r for chunk in pool.imap(_render_chunk, chunks) for r in chunk]
        finally:
            _RENDERER = _END = None
    _INSPECT = _STAGED = None
    for _, _, _, errors, _ in results:
        problems.errors.extend(errors)
    shared: dict = {}  # workers send their own copies: share one tuple per dependency again (a smaller cache)
    return [(dest, output, tuple([shared.setdefault(d, d) for d in deps]), seen)
            for dest, output, deps, _, seen in results]
