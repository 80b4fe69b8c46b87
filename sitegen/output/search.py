"""The search index: Pagefind (its extended binary, which segments Chinese) run over the built pages, its bundle
published under pagefind/ beside them, and each language's search strings.

Pagefind reads a folder of pages and writes the bundle; an index per language, as each page's <html lang> says. A
full build has it read the whole staging folder, where the searchable pages say so (data-pagefind-body); after an
edit it reads a view: the pages of the languages to index again, linked in from where they are. It indexes words,
never figures: the values, dates and footnote numbers a figure edit changes are left out (EXCLUDE), so an edit that
changes only figures leaves the index as it was and need not run Pagefind, and any other change to a searchable
page's words does, for that page's language only (stale_languages, merge). The bundle is the same bytes for the same
pages (its one unordered file is written sorted)."""
from __future__ import annotations

import json
import os
import re
import shutil
import threading
from collections.abc import Iterable
from pathlib import Path

from ..content.model import Content
from ..errors import BuildFailed, Location, SiteError
from ..site.render import LANG_TAGS, SEARCH_STRINGS, searchable
from .swap import ending_with_this_process, signals_held
from .write import Output, Written, digest, write_file

BUNDLE = "pagefind"  # the bundle's folder in the site
IN_BUNDLE = BUNDLE + "/"
# What Pagefind leaves out of every page: the header, footer and skip link (the same on every page), and what a
# figure edit changes: values, dates, the sizes of the downloads, footnote numbers, the charts and their one-line
# summaries, the sources list.
EXCLUDE = ("header", "footer", ".skip", ".fig", "[data-fact]", "time", "data", ".as-of", ".cite", "svg",
           ".chart-summary", ".chart-source", ".cited", ".pager", ".changed")
# The same elements as they are written by the templates, each replaced by a mark when pages are compared: pages
# that read the same after it give Pagefind the same words. Each pattern matches whole elements of EXCLUDE only, so
# that what it leaves is never less than what Pagefind reads (the mark keeps each element's place).
FIGURES = re.compile(
    r'<span class="fig"[^>]*>[^<]*</span>|<span data-fact="[^"]*">[^<]*</span>|<time[^>]*>[^<]*</time>'
    r'|<data value="[^"]*">[^<]*</data>'
    r'|<sup class="cite">.*?</sup>|<svg\b.*?</svg>|<p class="chart-(?:summary|source)">.*?</p>'
    r'|<section class="cited".*?</section>|<script\b.*?</script>|<span class="changed">.*?</span>', re.S)
OWNER = re.compile(r"(?:fragment/|index/|pagefind\.)([a-z-]+)_[0-9a-f]+\.pf_")  # a language's own files
# The files of the bundle a search needs: its script, worker, WebAssembly, entry, metadata and index chunks (not
# Pagefind's ready-made interfaces, which the site does not use).
NEEDED = re.compile(r"(?:pagefind\.js|pagefind-worker\.js|pagefind-entry\.json|pagefind\.[^/]+\.pf_meta"
                    r"|wasm\.[^/]+\.pagefind|index/[^/]+\.pf_index|fragment/[^/]+\.pf_fragment)")


ORIGIN = "search: Pagefind's index of the pages"


class Bundle:
    """The search bundle's files as one value, in path order: what a build keeps of its index (10,000 files at
    10,000 projects, which the next build would otherwise load from the cache one object each, and pass untouched
    after an edit that leaves the words alone). files() gives them as outputs where they are written or compared one
    by one. A file's bytes are kept until it is on disk (hollow())."""

    __slots__ = ("dests", "sizes", "digests", "data")

    def __init__(self, files: Iterable[Output] = ()):
        files = list(files)
        self.dests = tuple(out.dest for out in files)
        self.sizes = tuple(out.size for out in files)
        self.digests = b"".join(out.digest for out in files)  # 16 bytes each
        self.data = None if all(isinstance(out, Written) for out in files) else \
            tuple(None if isinstance(out, Written) else out.data for out in files)

    def __len__(self) -> int:
        return len(self.dests)

    def size(self) -> int:
        """The bytes of all its files."""
        return sum(self.sizes)

    def files(self) -> dict[str, Output]:
        """Its files as outputs, by path: with their bytes until they are on disk."""
        data, digests = self.data or (None,) * len(self.dests), self.digests
        return {dest: Written(dest, b"", ORIGIN, size, digests[16 * i:16 * i + 16]) if data[i] is None else
                Output(dest, data[i], ORIGIN, size, digests[16 * i:16 * i + 16])
                for i, (dest, size) in enumerate(zip(self.dests, self.sizes))}

    def hollow(self) -> "Bundle":
        """The same bundle, once on disk: without bytes."""
        if self.data is None:
            return self
        bare = Bundle()
        bare.dests, bare.sizes, bare.digests = self.dests, self.sizes, self.digests
        return bare


TAG = re.compile(r"(<[^>]*>)")
VOID = re.compile(r"<(?:br|img|wbr|hr|input|meta|link)\b", re.I)


def _blank(match: re.Match) -> str:
    """An element of EXCLUDE as a mark, followed by the elements nested in it, kept: Pagefind leaves the element's
    own text out of the page, but the text of an element nested in it reaches the text of the anchor (an element
    with an id) around it, which its bundle holds (a footnote's number, a "changed on" link)."""
    element = match.group(0)
    if element.count("<") == 2 or element.startswith(("<svg", "<script")):  # text alone; or nothing Pagefind reads
        return "\0"
    inner = element[element.index(">") + 1:element.rindex("</")]
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


def language_of(dest: str, languages: tuple[str, ...]) -> str:
    """The language of a page, from its place: under LANG/, or the first language's at the root."""
    head = dest.partition("/")[0]
    return head if head in languages[1:] else languages[0]


def stale_languages(old: dict[str, Output], new: dict[str, Output], out_dir: Path,
                    languages: tuple[str, ...]) -> list[str]:
    """The languages whose index the searchable pages of `new` no longer fit, against those of `old` (on disk in
    out_dir): a page added or removed, or a page whose bytes changed and whose words changed with them (not only its
    figures)."""
    stale = {language_of(dest, languages) for dest in old if dest not in new and searchable(dest)}  # removed
    for dest, out in new.items():
        was = old.get(dest)
        if was is out or not searchable(dest) or (was is not None and was.digest == out.digest):
            continue  # (an unchanged page is most often the very object the last build kept)
        lang = language_of(dest, languages)
        if lang not in stale and (was is None or _words_on_disk(out_dir / dest) != words(out.data)):
            stale.add(lang)
    return [lang for lang in languages if lang in stale]


def _words_on_disk(path: Path) -> bytes | None:
    """words() of a page on disk; None when it cannot be read (removed by hand: its words count as changed)."""
    try:
        return words(path.read_bytes())
    except OSError:
        return None


def index_site(folder: Path) -> Bundle:
    """Index a whole built site where it is (a full build's staging folder): Pagefind reads every page, indexes those
    whose <main> is marked searchable and writes the bundle into the folder's pagefind/. Return the bundle's files,
    as written."""
    _pagefind(folder, folder / BUNDLE)
    return _bundle(folder / BUNDLE, written=True)


def index(pages: dict[str, bytes | None], folder: Path, work: Path, job: "Background | None" = None) -> Bundle:
    """Index the searchable pages (by path: their bytes when at hand, else None for the file in `folder`): each is
    written or hard-linked into a view under `work`, and Pagefind reads the view. Return the bundle's files as
    outputs under pagefind/, with their bytes (nothing once a background `job` is cancelled). `work` is removed
    afterwards."""
    shutil.rmtree(work, ignore_errors=True)
    try:
        view = work / "pages"
        for dest, data in pages.items():
            if job is not None and job.cancelled.is_set():
                return Bundle()
            if searchable(dest):
                _place(data, folder / dest, view, dest)
        _pagefind(view, work / "bundle", job)
        return Bundle() if job is not None and job.cancelled.is_set() else _bundle(work / "bundle", written=False)
    finally:
        with signals_held():  # a Ctrl-C or SIGTERM now would leave half of it behind
            shutil.rmtree(work, ignore_errors=True)


def reindexed(outputs: dict[str, Output], old: dict[str, Output], kept: Bundle, out_dir: Path,
              languages: tuple[str, ...], run: bool, work: Path) -> tuple[Bundle, bool]:
    """After an edit (the last build's pages and bundle in out_dir: `old`, `kept`): the search index of the pages of
    `outputs`, and whether it is stale. The last index while the searchable pages' words are the same; else, with
    `run`, made again for the languages whose words changed (their pages linked into a view in `work`), and without
    it (the preview's edit loop) the last one all the same, stale."""
    stale = stale_languages(old, outputs, out_dir, languages) if kept else list(languages)
    if not stale:
        return kept, False
    if not run:
        return kept, True
    fresh = index({dest: None if isinstance(out, Written) else out.data for dest, out in outputs.items()
                   if language_of(dest, languages) in stale}, out_dir, work)
    if not kept or len(stale) == len(languages):
        return fresh, False
    return merge(kept, fresh, {LANG_TAGS[lang].lower() for lang in stale}, out_dir), False


def merge(kept: Bundle, fresh: Bundle, tags: set[str], out_dir: Path) -> Bundle:
    """The last bundle (on disk in out_dir) with the files of some languages' indexes (by their tags: 'en', 'zh-hans')
    replaced by a fresh bundle of those languages alone: Pagefind writes each language's files alike whichever
    others it indexes, so the result is the bundle of a run over every language."""
    def owner(dest: str) -> str | None:
        found = OWNER.match(dest.removeprefix(IN_BUNDLE))
        return found.group(1) if found else None

    entry = f"{BUNDLE}/pagefind-entry.json"
    made = fresh.files()
    files = {dest: out for dest, out in kept.files().items() if owner(dest) not in tags and dest != entry}
    files.update((dest, out) for dest, out in made.items() if dest != entry)
    last = json.loads((out_dir / entry).read_bytes())
    langs = json.loads(made[entry].data)
    langs["languages"] = {**{t: v for t, v in last["languages"].items() if t not in tags}, **langs["languages"]}
    files[entry] = Output(entry, _entry_bytes(langs), ORIGIN)
    return Bundle(files[dest] for dest in sorted(files))


def _entry_bytes(entry: dict) -> bytes:
    """Pagefind's entry file, its keys sorted (Pagefind writes its languages in any order)."""
    return json.dumps(entry, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def _place(data: bytes | None, path: Path, view: Path, dest: str) -> None:
    """Put one page into the view: its bytes when at hand, else a hard link to the page on disk at `path` (a copy
    where the file system has no hard links)."""
    if data is not None:
        write_file(str(view), dest, data)
        return
    target = view / dest
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(path, target)
    except OSError:
        shutil.copyfile(path, target)


def _pagefind(view: Path, into: Path, job: "Background | None" = None) -> None:
    """Run Pagefind's extended binary (from the pagefind[extended] package) over the view, into a bundle folder
    (for a background job, a run it can stop)."""
    try:
        from pagefind_bin_extended import get_executable
        binary = str(get_executable())
    except (ImportError, FileNotFoundError) as exc:
        raise BuildFailed([SiteError(Location("requirements.txt"), f"Pagefind cannot be found ({exc})",
                                     "install it: python3 -m pip install -r requirements.txt")]) from None
    import subprocess  # here: an edit that leaves the words alone never runs Pagefind

    args = [binary, "--site", str(view), "--output-path", str(into), "--silent"]
    for selector in EXCLUDE:
        args += ["--exclude-selectors", selector]
    run = None
    try:
        with signals_held():  # a Ctrl-C while Pagefind starts is the build's (see signals_held), taken as this ends
            run = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                   encoding="utf-8", errors="replace", preexec_fn=_dies_with_parent(job))
        if job is not None:
            job.runs.append(run)
            if job.cancelled.is_set():
                run.kill()
        said = run.communicate()[0]
    except BaseException:  # the build stops (Ctrl-C, SIGTERM), even as Pagefind starts (when Pagefind may not have
        if run is not None:  # heard it): so does Pagefind, before its folder is removed
            run.kill()
            run.wait()
            run.stdout.close()
        raise
    if run.returncode != 0:
        raise BuildFailed([SiteError(Location(BUNDLE), "Pagefind could not index the pages: "
                                     + " ".join((said or "").split())[:500])])


def _dies_with_parent(job: "Background | None" = None):
    """What Pagefind's process runs first: end with the build (Linux); nothing for the preview's background job
    (code run between fork and exec is not safe beside other threads; cancel() kills that one, and recover() removes
    its work folder after a crash)."""
    return None if job is not None else ending_with_this_process()


def _bundle(into: Path, written: bool) -> Bundle:
    """The bundle's files as outputs, in path order: what a search needs (the rest removed), the entry file with its
    languages sorted (Pagefind writes them in any order)."""
    found = []
    for path in sorted(into.rglob("*")):
        rel = path.relative_to(into).as_posix()
        if path.is_dir():
            continue
        if not NEEDED.fullmatch(rel):
            path.unlink()
            continue
        data = path.read_bytes()
        if rel == "pagefind-entry.json":
            data = _entry_bytes(json.loads(data))
            path.write_bytes(data)
        dest = f"{BUNDLE}/{rel}"
        found.append(Written(dest, b"", ORIGIN, len(data), digest(data)) if written else Output(dest, data, ORIGIN))
    for path in sorted(into.rglob("*"), reverse=True):
        if path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    return Bundle(found)


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


def bundle_on_disk(out_dir: Path) -> Bundle:
    """The search bundle a built site holds, read as it is (for a full build that must not index: the preview's)."""
    folder = out_dir / BUNDLE
    return Bundle(Output(f"{BUNDLE}/{p.relative_to(folder).as_posix()}", p.read_bytes(), ORIGIN)
                  for p in sorted(folder.rglob("*")) if p.is_file()) if folder.is_dir() else Bundle()


class Background:
    """A search index made in a thread from the pages of a built site on disk (the preview's, once edits changed
    their words): `result` holds its files once done() (or `error` its failure). cancel() stops it at once, so that
    no build touches the pages while it reads them; its work folder (beside the site, of the kind recover() removes
    after a crash) is gone when it ends."""

    def __init__(self, dests, out_dir: Path, work: Path):
        self.dests, self.out_dir, self.work = sorted(d for d in dests if searchable(d)), out_dir, work
        self.cancelled, self.runs = threading.Event(), []
        self.result: Bundle | None = None
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="search index", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            found = index(dict.fromkeys(self.dests), self.out_dir, self.work, self)
            if not self.cancelled.is_set():
                self.result = found
        except BaseException as exc:  # noqa: BLE001 - handed to the preview, which reports it
            self.error = exc

    def done(self) -> bool:
        """Whether the thread has ended (with a result, an error, or cancelled)."""
        return not self.thread.is_alive()

    def cancel(self) -> None:
        """Stop the indexing (Pagefind is killed) and wait for the thread to end."""
        self.cancelled.set()
        for run in self.runs:
            run.kill()
        self.thread.join()
