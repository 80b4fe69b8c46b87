"""Render many pages on every core: forked workers share the prepared renderer and return pages in plan order.

Used for large batches only (a fork costs more than a few pages take); the result is the same bytes as a serial
render, since each page depends only on the content, the templates and its own place in the plan."""
from __future__ import annotations

import multiprocessing
import os

from .errors import Problems
from .memory import frozen_heap
from .render import Page, Renderer

PARALLEL_MIN = 400  # pages; below this a serial render is faster than starting workers
_RENDERER: Renderer | None = None  # handed to forked workers; set only while a pool lives
_INSPECT = None  # likewise: what to learn from each rendered page while it is at hand (its links)


def _render_chunk(pages: list[Page]) -> list[tuple]:
    """In a worker: render pages; return (dest, html bytes or None, dependencies, errors, inspection) for each."""
    out = []
    for page in pages:
        problems = Problems()
        result = _RENDERER.render(page, problems)
        html, deps = result if result is not None else (None, frozenset())
        data = html.encode("utf-8") if html is not None else None
        seen = _INSPECT(page.dest, data) if _INSPECT is not None and data is not None else None
        out.append((page.dest, data, deps, problems.errors, seen))
    return out


def render_many(renderer: Renderer, pages: list[Page], problems: Problems, inspect=None) -> list[tuple]:
    """Render pages, in parallel when there are many; return (dest, html bytes or None, dependencies, inspect(dest,
    html) or None) in plan order."""
    global _RENDERER, _INSPECT
    _INSPECT = inspect
    workers = min(os.cpu_count() or 1, 8)
    if len(pages) < PARALLEL_MIN or workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
        _RENDERER = renderer
        try:
            results = _render_chunk(pages)
        finally:
            _RENDERER = None
    else:
        renderer.compile_all()  # compile once before the fork instead of once per worker
        size = -(-len(pages) // (workers * 4))
        chunks = [pages[i:i + size] for i in range(0, len(pages), size)]
        _RENDERER = renderer
        try:
            with frozen_heap(), multiprocessing.get_context("fork").Pool(workers) as pool:
                results = [r for chunk in pool.imap(_render_chunk, chunks) for r in chunk]
        finally:
            _RENDERER = None
    _INSPECT = None
    for _, _, _, errors, _ in results:
        problems.errors.extend(errors)
    shared: dict = {}  # workers send their own copies: share one tuple per dependency again (a smaller cache)
    return [(dest, html, frozenset(shared.setdefault(d, d) for d in deps), seen)
            for dest, html, deps, _, seen in results]
