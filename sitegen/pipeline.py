"""build(): load -> plan -> render -> check -> index -> write, one straight path whatever came before. All reading and
checking is done before the output folder is touched: files are written beside it as they are made and swapped in
whole at the end.

The state an earlier build left (incremental.cache.State), when there is one, only saves work at two seams: content
whose text is unchanged is not parsed again, and an output whose reads are unchanged is not made again (the output
folder holds it). The output is the same bytes either way."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from .content import history
from .content.kinds import Registry, load_registry
from .content.localize import views as localized
from .content.model import Content
from .content.validate import fingerprint, load_content
from .errors import Location, Problems, SiteError
from .incremental import cache
from .incremental.cache import Bundle, Entry, Lines, Memo, State
from .incremental.digests import Digests, combined
from .output.data import data_files
from .output.links import PageInfo, check_links, inspector
from .output.publish import asset_names, compact, fingerprinted, site_files
from .output.search import Index, index_pages, strings_files, words
from .output.swap import recover
from .output.write import File, Output, Sink, Staging, Update, check_outputs, digest, written_or_failed
from .site.article import convert, link_location
from .site.plan import Page, plan
from .site.render import CompiledTemplates, Renderer, make_env
from .site.urls import LOCAL_BASE_URL

REGISTRY = fingerprint("registry")  # the models, as kept in the state


@dataclass(frozen=True)
class Project:
    """What a build reads and where it writes: the project folder, the output folder and the public address."""

    root: Path
    out_dir: Path
    base_url: str

    @property
    def shown(self) -> str:
        """The output folder as the user knows it: relative to the project when it is inside it."""
        root = self.root.resolve()
        return self.out_dir.relative_to(root).as_posix() if self.out_dir.is_relative_to(root) else str(self.out_dir)


@dataclass(frozen=True)
class Loaded:
    """The inputs, read and validated: the kinds, the content and its view in each language, its history, the
    static files, the articles' Markdown as HTML, the input files' digests, and the loader's memo."""

    registry: Registry
    content: Content
    views: dict[str, Content]
    history: history.History
    static: list[Output]
    bodies: dict
    inputs: dict[str, tuple]
    parsed: dict


@dataclass(frozen=True)
class Planned:
    """Every page in every language, and the static files' fingerprinted names."""

    pages: list[Page]
    assets: dict[str, str]


@dataclass
class Made:
    """Every output of the build by path (its entry), what made each (for errors), and how many pages were
    rendered rather than kept."""

    entries: dict[str, Entry]
    origins: list[tuple[str, str]]  # (dest, what made it), in order: two for one path are an error
    rendered: int = 0

    def add(self, outputs: list[Output], sink) -> None:
        """Write files made whole (static files, downloads, site-wide files), which read nothing page by page."""
        for out in outputs:
            self.entries[out.dest] = Entry((), b"", sink.put(out))
            self.origins.append((out.dest, out.origin))


@dataclass(frozen=True)
class Early:
    """Pages to make before the others, and what to call with each one's bytes once it is made (the preview: the pages
    its tabs show, served before the rest of the rebuild is done). Called only when the output folder holds the files
    those pages load (the stylesheet and scripts under their fingerprinted names), and only for a page made again."""

    dests: frozenset[str]
    ready: Callable[[str, bytes], None]


@dataclass
class BuildResult:
    """What a build did: counts, time, warnings, and the state the next build may start from."""

    pages: int
    files: int
    bytes: int
    seconds: float
    warnings: list[SiteError]
    rendered: int
    written: int
    state: State
    search_stale: bool = False  # the search index was kept though the pages' words changed (`search` off)


def build(
    root: Path,
    out_dir: Path | None = None,
    base_url: str | None = None,
    write: bool = True,
    last: State | None = None,
    search: bool = True,
    templates=None,
    early: Early | None = None,
) -> BuildResult:
    """Build the site under root into out_dir (default root/_site) for base_url; raise BuildFailed with every user
    error, and with a write that failed (the old site then stays as it was). `last`: the state of an earlier build
    (the same output, with less work); `search` off keeps the last search index, stale if the pages' words changed
    (the preview, which indexes in the background); `templates`: Jinja's bytecode cache; `early`: pages to make first
    (see Early)."""
    start, problems = time.perf_counter(), Problems()
    project = Project(root, (out_dir or root / "_site").resolve(), base_url or LOCAL_BASE_URL)
    if write:
        recover(project.out_dir)  # what a killed build left, before anything else
    inputs = cache.scan(root, last)
    stamp = cache.stamp(root, project.out_dir, project.base_url, inputs)
    last = cache.current(last, stamp)  # none from other code, or for another site

    # Load and validate the models, the content, its history and the static files; plan every page.
    loaded = load(project, inputs, last, problems)
    planned = Planned(plan(loaded.views, loaded.registry), asset_names(loaded.static))

    # Render every output, check paths and links, index for search; write as files are made, swap in at the end.
    last = held_by(project, last) if write else None  # outputs are kept only from a folder that holds them
    rows = Lines(last, project.out_dir)  # the downloads' lines are read back from the folder
    with writing(project, last, write, search) as (sink, index):
        made = render(project, loaded, planned, last, sink, index, problems, rows, templates, early)
        check(project, planned, made, sink, problems)
        bundle, stale = search_index(made, last, sink, index, search and write)
        written = sink.commit()

    state = State(
        stamp, inputs, dict(loaded.parsed), made.entries, rows.done(), bundle, warnings=tuple(problems.warnings)
    )
    return result(planned, made, state, written, stale, problems, start)


def result(planned, made, state: State, written, stale: bool, problems: Problems, start: float) -> BuildResult:
    """What a build tells its caller: its counts, time and warnings, the state for the next build."""
    files = state.held()
    return BuildResult(
        len(planned.pages),
        len(files),
        sum(f.size for f in files.values()),
        time.perf_counter() - start,
        problems.warnings,
        made.rendered,
        written,
        state,
        stale,
    )


def held_by(project: Project, last: State | None) -> State | None:
    """The last state, when the output folder is there to hold what it says (the preview's folder may have been
    removed by hand meanwhile)."""
    return last if last is not None and project.out_dir.is_dir() else None


@contextmanager
def writing(project: Project, last: State | None, write: bool, search: bool) -> Iterator[tuple]:
    """Where the files go, and the search index as pages are rendered: nowhere and none (check: the files are kept
    in memory); into a staging folder swapped in whole, indexed page by page (no `last`); or beside a folder whose
    files `last` knows, only those that changed. A write that fails is the user's error, named by its file."""
    with ExitStack() as stack:
        stack.enter_context(written_or_failed(project.out_dir, project.shown))
        sink: Sink
        if not write:
            sink = stack.enter_context(Memory())
        elif last is None:
            sink = stack.enter_context(Staging(project.out_dir))
        else:
            sink = stack.enter_context(Update(project.out_dir, last.held()))
        index = stack.enter_context(Index()) if write and search and last is None else None
        yield sink, index


def load(project: Project, inputs: dict[str, tuple], last: State | None, problems: Problems) -> Loaded:
    """Read and validate the models, the content (parsed again only where its text changed), the history of the
    content and the static files; convert the articles' Markdown."""
    root = project.root
    _check_inside(root, inputs, problems)
    parsed = Memo(last, "parsed")
    registry = parsed.get(REGISTRY) or load_registry(root, problems)
    problems.raise_if_any()
    if not problems.warnings:
        parsed[REGISTRY] = registry  # the same for every state with this stamp, which holds the models' digests
    content = load_content(root, problems, registry, parsed)
    problems.raise_if_any()
    assert content is not None  # (None only with an error reported)
    past = read_history(root, registry, parsed, problems)
    bodies = {}
    for kind in registry.of_shape("markdown"):
        for lang in registry.languages:
            for article in content.edition(lang, kind.name).values():
                key = fingerprint("markdown", article.body)
                bodies[article.body] = parsed.get(key) or convert(article, problems)
                parsed[key] = bodies[article.body]
    problems.raise_if_any()
    static = compact(_static_outputs(root / "static"))
    return Loaded(registry, content, localized(registry, content), past, static, bodies, inputs, parsed)


def read_history(root: Path, registry: Registry, parsed: dict, problems: Problems) -> history.History:
    """The committed history of content/ (read from git again only at another commit); unavailable, with a warning,
    outside git or in a shallow clone (the changes page says so)."""
    key, why = history.head(root)
    past = parsed.get(fingerprint("history", key)) if key else None
    if past is None:
        past = history.read(root, registry, key, why)
    parsed[fingerprint("history", key)] = past
    if not past.available:
        problems.warn(
            Location("content/"),
            f"no history of the content is available ({past.reason}): the changes page says so",
            "build from a full git clone (git fetch --unshallow) to list what changed",
        )
    return past


def render(
    project: Project,
    loaded: Loaded,
    planned: Planned,
    last: State | None,
    sink,
    index,
    problems: Problems,
    rows: Lines,
    templates=None,
    early: Early | None = None,
) -> Made:
    """Make every output: the static files, the downloads (first: the Data page lists their sizes; `rows`: their
    lines made before, by the fingerprints of what each shows), each page in each language (one whose reads are
    unchanged since `last` is kept as the folder holds it: see make_pages), and the site-wide files."""
    made = Made({}, [])
    data, downloads = data_files(loaded.content, loaded.registry, loaded.registry.schema_files, rows)
    made.add(fingerprinted(loaded.static, planned.assets) + data, sink)
    del data  # written: their bytes are let go
    renderers = renderers_for(project, loaded, planned, downloads, templates, problems)
    pages = PageMaker(renderers, digests_of(loaded, made), inspector(project.base_url), sink, index, problems)
    make_pages(pages, planned, last, early, made)
    for digests in pages.digests.values():
        digests.keep()
    problems.raise_if_any()  # a page that failed to render would echo as broken links to it
    changes = {lang: renderer.changes() for lang, renderer in renderers.items()}
    made.add(
        site_files(loaded.registry, loaded.views, planned.pages, project.base_url, changes, loaded.history.available)
        + strings_files(loaded.views, loaded.registry.languages[0]),
        sink,
    )
    return made


def make_pages(pages: "PageMaker", planned: Planned, last: State | None, early: Early | None, made: Made) -> None:
    """Each page's entry into `made`, in the plan's order; made in another: the `early` ones first, then the pages
    of no one item (those that list a whole kind are the largest: made while the build holds least), then the rest.
    Pages are indexed for search in the plan's order all the same: Pagefind's bundle depends on it."""
    held: dict[str, str] = {}  # the HTML of pages made out of order, until their turn to be indexed
    first = _made_first(pages, planned, last, early, held)
    for page in planned.pages:
        made.origins.append((page.dest, f"page {page.dest}"))
        if page.dest in held and pages.index is not None:
            pages.index.add(page.dest, held.pop(page.dest))
        entry = first.pop(page.dest) if page.dest in first else pages.kept(page, last) or pages.make(page)
        if entry is not None:
            made.entries[page.dest] = entry
    made.rendered = pages.rendered


def digests_of(loaded: Loaded, made: Made) -> dict[str, Digests]:
    """What a page may read, in each language, as digests: the content, the input files, the history and the outputs
    made before the pages (the downloads, whose sizes the Data page shows)."""
    outputs = {dest: entry.file.digest for dest, entry in made.entries.items()}
    inputs = {rel: found[2] for rel, found in loaded.inputs.items()}
    return {
        lang: Digests(view, loaded.content.fingerprints, inputs, loaded.history, outputs, lang, loaded.parsed)
        for lang, view in loaded.views.items()
    }


def _made_first(pages: "PageMaker", planned: Planned, last: State | None, early: Early | None, held: dict) -> dict:
    """The entries of the pages made before the others, their HTML left in `held`: those `early` names (each one's
    bytes handed to `early.ready` when the folder holds the assets it loads: it does not when a stylesheet or script
    changed), then the pages of no one item (those that list a whole kind are the largest: made while the build
    holds least)."""
    ready, wanted = _ready(planned, last, early), early.dests if early is not None else frozenset()
    first = {p.dest: pages.kept(p, last) or pages.make(p, ready, held) for p in planned.pages if p.dest in wanted}
    for page in planned.pages:
        if page.item is None and page.dest not in first:
            first[page.dest] = pages.kept(page, last) or pages.make(page, held=held)
    return first


def _ready(planned: Planned, last: State | None, early: Early | None) -> Callable[[str, bytes], None] | None:
    """What to hand an early page's bytes to: `early.ready`, when the folder holds the assets the pages load."""
    files = last.outputs if last is not None else {}
    return early.ready if early is not None and all(name in files for name in planned.assets.values()) else None


def renderers_for(
    project: Project, loaded: Loaded, planned: Planned, downloads: tuple, templates, problems: Problems
) -> dict:
    """A renderer for each language, once the strings the code needs and every template are found sound."""
    templates = CompiledTemplates() if templates is None else templates  # compiled once for every language
    renderers = {
        lang: Renderer(
            view,
            loaded.registry,
            project.root,
            project.base_url,
            lang,
            env=make_env(project.root / "templates", templates),
            assets=planned.assets,
            downloads=downloads,
            history=loaded.history,
            bodies=loaded.bodies,
        )
        for lang, view in loaded.views.items()
    }
    for renderer in renderers.values():
        renderer.check_strings(problems, loaded.parsed)
    next(iter(renderers.values())).check_templates(problems)
    problems.raise_if_any()
    return renderers


@dataclass
class PageMaker:
    """Renders a page in its language, writes it, and keeps what the next build needs of it: its reads and their
    digest, what the link check and the search index need."""

    renderers: dict[str, Renderer]
    digests: dict[str, Digests]
    inspect: Callable[[str, bytes], PageInfo]
    sink: Sink
    index: Index | None
    problems: Problems
    rendered: int = 0

    def kept(self, page: Page, last: State | None) -> Entry | None:
        """The page as the folder holds it, when nothing it read changed since `last`."""
        entry = last.reusable(page.dest, self.digests[page.lang]) if last is not None else None
        if entry is not None:
            self.sink.keep(entry.file)
        return entry

    def make(self, page: Page, ready: Callable[[str, bytes], None] | None = None, held: dict | None = None):
        """The page's entry, or None when it failed to render (the error is reported); `ready` is called with its
        bytes once it is written; `held`: where to leave its HTML for the caller to index, rather than index it."""
        result = self.renderers[page.lang].render(page, self.problems)
        if result is None:
            return None
        self.rendered += 1
        data, reads = result.html.encode("utf-8"), _ordered(result.reads)
        if self.index is not None and page.searchable:
            if held is not None:
                held[page.dest] = result.html
            else:
                self.index.add(page.dest, result.html)
        written = self.sink.put(Output(page.dest, data, f"page {page.dest}"))
        if ready is not None:
            ready(page.dest, data)
        found = digest(words(data)) if page.searchable else b""
        return Entry(reads, self.digests[page.lang].key(reads), written, self.inspect(page.dest, data), found)


def check(project: Project, planned: Planned, made: Made, sink, problems: Problems) -> None:
    """Refuse output paths that leave the folder or clash, then check every internal link and #anchor."""
    check_outputs(made.origins, problems)
    problems.raise_if_any()
    articles = {page.dest: page.item for page in planned.pages if page.dated}
    infos = {dest: entry.links for dest, entry in made.entries.items() if entry.links is not None}
    check_links(
        infos,
        set(made.entries),
        project.base_url,
        project.shown,
        problems,
        read=sink.read,
        blame=lambda dest, url: link_location(articles[dest], url) if dest in articles else None,
    )
    problems.raise_if_any()


def search_index(made: Made, last: State | None, sink, index, search: bool) -> tuple[Bundle, bool]:
    """The search bundle of the pages, and whether it is stale: the index made as the pages were rendered, if they
    were indexed then; else the last one while the searchable pages' words are the same (or, with `search` off,
    the last one whatever they are: stale); else made again from the pages as the folder will hold them."""
    words = combined(entry.words for entry in made.entries.values() if entry.words)
    if index is not None:
        return Bundle({out.dest: sink.put(out) for out in index.bundle()}, words), False
    kept = _kept_bundle(last.bundle if last is not None else Bundle(), words, search, sink)
    if kept is not None:
        return kept
    pages = ((dest, sink.read(dest).decode("utf-8")) for dest, entry in made.entries.items() if entry.words)
    return Bundle({out.dest: sink.put(out) for out in index_pages(pages)}, words), False


def _kept_bundle(kept: Bundle, words, search: bool, sink) -> tuple[Bundle, bool] | None:
    """The last search bundle, kept while the searchable pages' words are the same or search is off (then stale);
    None when the index must be made again."""
    if kept.files and (kept.words == words or not search):
        return keep_bundle(kept, sink), kept.words != words
    if not search:
        return Bundle(), True
    return None


def keep_bundle(bundle: Bundle, sink) -> Bundle:
    """Keep the search bundle the folder holds."""
    for file in bundle.files.values():
        sink.keep(file)
    return bundle


def _ordered(reads) -> tuple:
    """Reads in a fixed order (so the same reads give the same digest)."""
    return tuple(sorted(reads, key=repr))


class _Nothing:
    """No search index is made while pages are rendered."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc) -> None:
        pass


class Memory:
    """A writer that writes nothing (`check`): it keeps the bytes, for the link check to read back."""

    def __init__(self) -> None:
        self.files: dict[str, File] = {}
        self.data: dict[str, bytes] = {}

    def __enter__(self) -> "Memory":
        return self

    def __exit__(self, *exc) -> None:
        pass

    def put(self, out: Output) -> File:
        self.data[out.dest] = out.data
        self.files[out.dest] = out.file
        return self.files[out.dest]

    def keep(self, file: File) -> None:
        self.files[file.dest] = file

    def read(self, dest: str) -> bytes:
        return self.data[dest]

    def commit(self) -> int:
        return 0


def _check_inside(root: Path, inputs: dict[str, tuple], problems: Problems) -> None:
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


def _static_outputs(static_dir: Path) -> list[Output]:
    """Every file under static/, copied to the same path under the output folder."""
    found = []
    for path in cache.input_files(static_dir):
        dest = path.relative_to(static_dir).as_posix()
        found.append(Output(dest, path.read_bytes(), f"static/{dest}"))
    return found


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
