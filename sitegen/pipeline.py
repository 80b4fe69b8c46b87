"""build(): load -> validate -> plan -> render -> write, timed per stage. All reading and checking happens before the
first write. The only module that knows the fast path (sitegen.incremental) exists."""
from __future__ import annotations

import time
from contextlib import nullcontext
from dataclasses import dataclass, field, replace
from pathlib import Path

from .content import history
from .content.kinds import load_registry
from .content.validate import load_content
from .errors import Location, Problems, SiteError
from .incremental import cache
from .incremental.memory import paused_gc
from .incremental.reuse import WATCHED, Reuse, input_files
from .incremental.state import State
from .incremental.track import Tracker
from .incremental.workers import render_many
from .output.data import data_files
from .output.links import check_links, inspector
from .output.publish import asset_names, compact, fingerprinted, site_files
from .output.search import Background, Bundle, bundle_on_disk, index_site, reindexed, strings_files
from .output.swap import beside, recover
from .output.write import Output, check_outputs, staging, update_site, write_site, written_or_failed
from .site.article import conversions, convert, link_location
from .site.numbers import cldr_answers
from .site.render import Renderer, make_env, plan


@dataclass
class BuildResult:
    """What a build did: counts, time per stage, warnings, and the state for an incremental rebuild."""

    pages: int
    files: int
    bytes: int
    seconds: float
    stages: dict = field(default_factory=dict)
    warnings: list[SiteError] = field(default_factory=list)
    rendered: int = 0
    written: int = 0
    state: State | None = None
    search_stale: bool = False  # the search index was kept though the pages' words changed (`search` off)
    previous: State | None = None  # the state the build started from (build_from_cache), for its caller to free


def build_from_cache(root: Path, out_dir: Path, base_url: str | None, write: bool = True,
                     fresh: bool = False) -> BuildResult:
    """A command-line build: what a killed build left undone first, then the last build's state from the on-disk
    cache (unless `fresh`, or it cannot be trusted), the build, and the new state written back behind the prompt
    when the build changed anything."""
    if write:
        recover(out_dir)  # so that the cache can vouch for the output again
    previous = None if fresh else cache.load(root, out_dir, base_url)
    result = build(root, out_dir, base_url, write=write, previous=previous, cache=cache.template_cache(root))
    unchanged = previous is not None and not (result.rendered or result.written) and \
        result.state.inputs == previous.inputs and \
        (previous.history.key if previous.history else "") == result.state.history.key  # the cache is as true as it was
    if write and not unchanged:
        cache.save_detached(root, result.state, previous)
    result.previous = previous  # freed when the caller drops the result: never, by a command that exits now
    return result


def build(root: Path, out_dir: Path | None = None, base_url: str | None = None, write: bool = True,
          previous: State | None = None, cache=None, search: bool = True) -> BuildResult:
    """Build the site under root into out_dir (default root/_site) for base_url (default LOCAL_BASE_URL); raise
    BuildFailed with every user error, and with a write that failed (the old site then stays as it was).

    With `previous`, the state of the last successful build into the same folder, only what the changed
    input files touch is reloaded, re-rendered and rewritten; the output is byte-identical to a full build.
    With `cache`, a jinja2 bytecode cache, compiled templates are kept between runs. Without `search`, an
    incremental build keeps the last search index as it was, even when the pages' words changed (the preview,
    which indexes again in the background: see index_in_background)."""
    with paused_gc():
        return _build(root, out_dir, base_url, write, previous, cache, search)


def _build(root: Path, out_dir: Path | None, base_url: str | None, write: bool, previous: State | None,
           cache: Path | None, search: bool = True) -> BuildResult:
    """build(), with the cyclic collector paused by the caller: load -> validate -> plan -> render -> write, asking
    one Reuse what the last build lends (a full build's lends nothing)."""
    start, clock, problems = time.perf_counter(), Clock(), Problems()
    out_dir, base_url = out_dir or root / "_site", base_url or LOCAL_BASE_URL
    if write:
        recover(out_dir)  # what a killed build left, before anything else
    reuse = Reuse(previous, out_dir, base_url) if previous else Reuse.nothing(out_dir, base_url)

    # Load: every input file (hashed only when it looks changed); the kinds of content as models/ declares them.
    inputs = reuse.scan(root)
    check_inside(root, inputs, problems)
    registry = reuse.registry() or load_registry(root, problems)
    problems.raise_if_any()

    # Validate: the content, then each language's view of it (again only when a content file changed).
    lent = reuse.content()
    if lent:
        content, items, localizer, views, problems.warnings = lent
    else:
        items = reuse.list_files()
        content = load_content(root, problems, items, registry)
        problems.raise_if_any()
        localizer = reuse.localizer(registry)
        views = localizer.views(content)
    # History: the committed changes of content/, read from git again only when HEAD moved; unavailable (a warning,
    # and a changes page that says so) outside git or in a shallow clone.
    loaded = list(problems.warnings)  # the content's warnings, which the next build may lend
    head, why = history.head(root)
    past = reuse.history(head) or history.read(root, registry, head, why)
    if not past.available:
        problems.warn(Location("content/"), f"no history of the content is available ({past.reason}): the changes "
                      "page says so", "build from a full git clone (git fetch --unshallow) to list what changed")
    changed = reuse.changes(views, content_changed=not lent, history=past)  # per language: what an edit changed
    clock.lap("load")

    # Plan: every page in every language; the downloads first, since the Data page lists their sizes. CSS and JS get
    # fingerprinted names, so a changed stylesheet re-renders the pages that link it.
    static = compact(static_outputs(root / "static"))
    assets = asset_names(static)
    memo = reuse.memo()
    data, downloads = data_files(content, registry, registry.schema_files, memo)
    renderers = {lang: Renderer(view, registry, Tracker(), root / "templates", root, base_url, lang,
                                env=reuse.env(lang) or make_env(root / "templates", cache), assets=assets,
                                downloads=downloads, related=reuse.related(lang, view, changed[lang]), history=past)
                 for lang, view in views.items()}  # one renderer (and Jinja environment) per language
    for renderer in renderers.values():
        renderer.check_strings(problems)
    if reuse.changed("templates"):
        next(iter(renderers.values())).check_templates(problems)
    problems.raise_if_any()
    pages = plan(views, registry, reuse.plan())
    outputs, deps, todo = reuse.pages(pages, changed)  # the pages whose reads changed are to render
    for page in todo:  # Markdown to HTML once per body, its links checked, before any page is rendered
        if page.kind == "article":
            convert(page.item, problems)
    problems.raise_if_any()

    # Render the pages whose reads changed (every page on a full build), into a staging folder that replaces the
    # output folder only if all passed; then the static and site-wide files, and the check of every internal link.
    where = out_dir.relative_to(root).as_posix() if out_dir.is_relative_to(root) else str(out_dir)
    fresh = write and not reuse.in_place()
    with written_or_failed(out_dir, where), (staging(out_dir) if fresh else nullcontext()) as staged:
        seen = {}
        inspect = inspector(renderers[registry.languages[0]].base_url)
        for lang, renderer in renderers.items():
            batch = [page for page in todo if page.lang == lang]
            for dest, out, page_deps, info in render_many(renderer, batch, problems, inspect, staged):
                if out is None:
                    del outputs[dest]
                else:
                    outputs[dest], deps[dest], seen[dest] = out, page_deps, info
        entries = {lang: renderer.changes() for lang, renderer in renderers.items()}
        extra = fingerprinted(static, assets) + site_files(views, pages, base_url, memo, entries, past.available) + data
        extra += strings_files(views, registry.languages[0])
        check_outputs(list(outputs.values()) + extra, problems, reuse.outputs())
        problems.raise_if_any()  # a page that failed to render would echo as broken links to it
        outputs.update((out.dest, out) for out in extra)
        articles = {page.dest: page.item for page in pages if page.kind == "article"}
        _, links = check_links(outputs, renderers[registry.languages[0]].base_url, where, problems, reuse.links(),
                               read=lambda dest: ((staged or out_dir) / dest).read_bytes(), seen=seen,
                               blame=lambda dest, url: link_location(articles[dest], url) if dest in articles else None)
        problems.raise_if_any()
        clock.lap("render")

        # Index: Pagefind over the searchable pages, into the staging folder; after an edit, only for the languages
        # whose searchable pages' words changed (the new index is then swapped in with the pages).
        stale, bundle = False, Bundle()
        if write:
            bundle, stale = indexed(outputs, reuse.outputs(), reuse.search(), out_dir, staged, search,
                                    registry.languages)
            clock.lap("index")

        # Write: the rest of the files into the staging folder, swapped in whole; or, after an edit, only the files
        # whose bytes changed, swapped in under a journal (the bundle's among them only when it is not the last one).
        written = 0
        if staged is not None:
            write_site(list(outputs.values()) + list(bundle.files().values()), out_dir, staged)
            written = len(outputs) + len(bundle)
        elif write:
            old, new = reuse.outputs(), outputs
            if bundle is not reuse.search():  # the index was made again: its files are compared one by one too
                old, new = {**old, **reuse.search().files()}, {**outputs, **bundle.files()}
            written = update_site(old, new, out_dir)
    if write:  # the bytes are on disk now: the state keeps sizes and digests (the next build compares those)
        outputs, bundle = {dest: out.hollow() for dest, out in outputs.items()}, bundle.hollow()
    clock.lap("write")
    state = State(inputs, content, {lang: r.env for lang, r in renderers.items()}, base_url, out_dir, outputs, deps,
                  loaded, items, links, memo=memo, pages=pages, registry=registry, localizer=localizer,
                  views=views, cldr=cldr_answers(), articles=conversions(),
                  related={lang: r.related_index for lang, r in renderers.items()}, history=past, search=bundle)
    return BuildResult(len(pages), len(outputs) + len(bundle), sum(o.size for o in outputs.values()) + bundle.size(),
                       time.perf_counter() - start, clock.laps, problems.warnings, len(todo), written, state, stale)


class Clock:
    """Times consecutive stages."""

    def __init__(self):
        self.laps: dict[str, float] = {}
        self.last = time.perf_counter()

    def lap(self, name: str) -> None:
        """Record the time since the previous lap under name."""
        now = time.perf_counter()
        self.laps[name], self.last = now - self.last, now


# For the command line and the preview, which reach the fast path only through here.
__all__ = ["WATCHED", "BuildResult", "build", "build_from_cache", "index_in_background", "input_files", "take_index",
           "write_schemas"]
LOCAL_BASE_URL = "http://127.0.0.1:8000/"  # without --base-url: for viewing locally, links from the site root


def indexed(outputs: dict[str, Output], old: dict[str, Output], kept: Bundle, out_dir: Path, staged: Path | None,
            search: bool, languages: tuple[str, ...]) -> tuple[Bundle, bool]:
    """The search index of the pages, and whether it is stale: made anew in a staging folder; after an edit, made
    again only for the languages whose searchable pages' words changed. With `search` off (the preview's edit loop)
    Pagefind never runs: the last index is kept, stale if the words changed."""
    if staged is not None:
        return (index_site(staged), False) if search else \
            (bundle_on_disk(out_dir), True)
    return reindexed(outputs, old, kept, out_dir, languages, search, beside(out_dir.resolve(), "index"))


def index_in_background(state: State) -> Background:
    """Start indexing the pages of the site a build left (the preview's, once edits made its index stale) in a
    thread; take_index() swaps the result in."""
    return Background(state.outputs, state.out_dir, beside(state.out_dir.resolve(), "index"))


def take_index(state: State, job: Background) -> State:
    """Swap the index a finished background job made in for the last one (the files that changed, under the journal,
    as an edit's are); return the state with it."""
    update_site(state.search.files(), job.result.files(), state.out_dir)
    return replace(state, search=job.result.hollow())


def check_inside(root: Path, inputs: dict[str, tuple], problems: Problems) -> None:
    """Refuse input files that are links to a file outside the project: it would be read, or published, as ours."""
    inside = root.resolve()
    for rel in inputs:
        target = (root / rel).resolve()
        if not target.is_relative_to(inside):
            problems.error(
                Location(rel),
                f"it is a link to {target}, outside the project, which would be published",
                "copy the file into the project instead of linking to it",
            )


def static_outputs(static_dir: Path) -> list[Output]:
    """Every file under static/, copied to the same path under the output folder."""
    files = input_files(static_dir)
    return [
        Output(p.relative_to(static_dir).as_posix(), p.read_bytes(), f"static/{p.relative_to(static_dir).as_posix()}")
        for p in files
    ]


def write_schemas(root: Path) -> list[str]:
    """Write schema/*.schema.json from the kinds declared in models/; return the names that changed."""
    problems = Problems()
    registry = load_registry(root, problems)
    problems.raise_if_any()
    folder = root / "schema"
    folder.mkdir(exist_ok=True)
    changed = []
    for name, data in registry.schema_files.items():
        path = folder / name
        if not path.exists() or path.read_bytes() != data:
            path.write_bytes(data)
            changed.append(name)
    return changed
