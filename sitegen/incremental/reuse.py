"""What the last build may lend this one, behind one interface: the pipeline asks a Reuse at each stage and never
looks at the last build itself. Reuse.nothing() (a full build) lends nothing; a build after an edit lends what the
edit left alone. Both record what the next build will need."""
from __future__ import annotations

import time
from pathlib import Path

from ..content.history import History
from ..content.kinds import Registry
from ..content.localize import Localizer
from ..content.model import Content
from ..output.search import Bundle
from ..output.write import Output, digest
from ..site.article import remember as remember_articles
from ..site.numbers import remember
from ..site.render import Page
from .memory import ObjectMemo
from .state import State
from .track import carry_index, changes

WATCHED = ("models", "content", "templates", "static")
RESET = ("models/", "content/site.yaml")  # another datamodel or other languages: nothing of the last build holds


class Reuse:
    """The last build's state as this build may use it. `last` is None for a full build."""

    def __init__(self, last: State | None, out_dir: Path, base_url: str):
        self.out_dir, self.base_url = out_dir, base_url
        self._lend(last)
        self.files: set[str] | None = None  # input files changed since the last build (None: unknown, all)

    def _lend(self, last: State | None) -> None:
        """Lend from `last` (None: nothing). `same_output`: whether the last build wrote to this folder at this
        address and the folder is still there, so that its pages are worth anything (asked once per page: kept, not
        worked out each time)."""
        self.last = last
        self.same_output = last is not None and (last.base_url, last.out_dir) == (self.base_url, self.out_dir) \
            and self.out_dir.is_dir()

    @classmethod
    def nothing(cls, out_dir: Path, base_url: str) -> "Reuse":
        """A full build: nothing lent."""
        return cls(None, out_dir, base_url)

    # inputs

    def scan(self, root: Path) -> dict[str, tuple]:
        """Every input file with its size, time and digest (hashing only those that look changed); after this, the
        reuse knows which files changed, and forgets the last build when the datamodel or the site's languages did."""
        inputs = scan_inputs(root, self.last.inputs if self.last else {})
        if self.last is not None:
            self.files = _changed(self.last.inputs, inputs)
            if any(f.startswith(RESET) for f in self.files):
                self._lend(None)
                self.files = None
            else:
                remember(self.last.cldr)  # dates and plural rules CLDR gave the last build
                remember_articles(self.last.articles)  # bodies Markdown converted for the last build
        return inputs

    def changed(self, folder: str) -> bool:
        """Whether any input under a folder (content/, templates/ ...) changed: always, on a full build."""
        return self.files is None or any(f.startswith(folder + "/") for f in self.files)

    # load and validate

    def registry(self) -> Registry | None:
        """The kinds of content, when models/ did not change."""
        return self.last.registry if self.last else None

    def content(self) -> tuple[Content, dict, Localizer, dict, list] | None:
        """The last build's content, its parse cache, views and warnings, when no content file changed."""
        if self.last is None or self.changed("content"):
            return None
        last = self.last
        return last.content, last.items, last.localizer, last.views, list(last.warnings)

    def list_files(self) -> dict:
        """Each list file as the last build parsed it, so only what an edit changed is parsed again."""
        return dict(self.last.items) if self.last else {}

    def localizer(self, registry: Registry) -> Localizer:
        """Each language's copies of the content, reusing the last build's for unchanged objects."""
        return Localizer(registry, self.last.localizer if self.last else None)

    def history(self, key: str) -> History | None:
        """The last build's history of the content, when it was read at the same commit (and git gave one)."""
        last = self.last.history if self.last else None
        return last if last is not None and key and last.key == key else None

    def changes(self, views: dict[str, Content], content_changed: bool,
                history: History | None = None) -> dict[str, set]:
        """What changed, per language, that pages may have read: content (when loaded again), the history of the
        content (after a commit), templates, static files. A full build has no last state to compare with: every page
        is rendered anyway."""
        found = {lang: set() for lang in views}
        if self.last is not None and content_changed:
            found = {lang: changes(self.last.views[lang], view) for lang, view in views.items()}
        if self.last is not None and history is not None:
            moved = history_changes(self.last.history, history)
            found = {lang: deps | moved for lang, deps in found.items()}
        edited = {("static", f.removeprefix("static/")) for f in self.files or () if f.startswith("static/")}
        edited |= {("template", f.removeprefix("templates/")) for f in self.files or () if f.startswith("templates/")}
        return {lang: found[lang] | edited for lang in found}

    # render

    def memo(self) -> ObjectMemo:
        """Rows of the downloads kept by the objects they were made from."""
        return ObjectMemo(self.last.memo if self.last else None)

    def env(self, lang: str):
        """A language's Jinja environment with its compiled templates, when no template changed."""
        return self.last.envs.get(lang) if self.same_output and not self.changed("templates") else None

    def related(self, lang: str, view: Content, changed: set) -> dict | None:
        """A language's index of items by attribute (related()), brought up to date with the edit."""
        if self.last is None or lang not in self.last.related:
            return None
        return carry_index(self.last.related[lang], view, changed)

    def plan(self) -> list:
        """The last plan, whose item pages the new plan takes back when their items did not change."""
        return self.last.pages if self.last else []

    def pages(self, pages: list[Page], changed: dict[str, set]) -> tuple[dict, dict, list[Page]]:
        """What the plan can take from the last build: each page's output by path, in plan order (the last one when
        nothing the page read changed in its language, else None), the reads of those kept, and the pages to render
        (all of them on a full build). One loop over every page, so kept tight."""
        outputs, deps, todo = {}, {}, []
        last_deps, last_outputs = (self.last.deps, self.last.outputs) if self.same_output else ({}, {})
        lang = edits = None
        for page in pages:
            if page.lang is not lang:  # the plan gives a language's pages together
                lang = page.lang
                edits = changed[lang]
            dest = page.dest
            old = last_deps.get(dest)
            if old is not None and edits.isdisjoint(old):
                outputs[dest], deps[dest] = last_outputs[dest], old
            else:
                outputs[dest] = None
                todo.append(page)
        return outputs, deps, todo

    def outputs(self) -> dict[str, Output]:
        """The files the last build wrote here (their paths known safe and distinct), or none; its search bundle
        apart (search())."""
        return self.last.outputs if self.same_output else {}

    def search(self) -> Bundle:
        """The search bundle the last build left here, or none."""
        return self.last.search if self.same_output else Bundle()

    def links(self):
        """What the link check learnt of every page last time."""
        return self.last.links if self.same_output else None

    def in_place(self) -> bool:
        """Whether the output folder holds the last build's files, so only changed files need swapping in."""
        return self.same_output


def history_changes(old: History | None, new: History) -> set[tuple[str, str]]:
    """The reads of the history that differ: ("history", "") for its entries (the changes page), ("history", key)
    for each figure whose latest change differs (its "changed on" note)."""
    if old is not None and old.entries == new.entries and old.available == new.available:
        return set()
    before = {key: entry.anchor + entry.date for key, entry in (old.marks if old else {}).items()}
    after = {key: entry.anchor + entry.date for key, entry in new.marks.items()}
    return {("history", "")} | {("history", key) for key in before.keys() | after.keys()
                                 if before.get(key) != after.get(key)}


def scan_inputs(root: Path, known: dict[str, tuple]) -> dict[str, tuple]:
    """Stat every input file; hash only those whose size or mtime differ from `known`.

    A file modified in the last two seconds is hashed anyway: two saves within one timestamp tick can
    leave size and mtime unchanged (git's "racy clean" problem)."""
    found, recent = {}, time.time_ns() - 2_000_000_000
    for folder in WATCHED:
        for path in input_files(root / folder):
            rel = path.relative_to(root).as_posix()
            st = path.stat()
            old = known.get(rel)
            if old and old[:2] == (st.st_mtime_ns, st.st_size) and st.st_mtime_ns < recent:
                found[rel] = old
            else:
                found[rel] = (st.st_mtime_ns, st.st_size, digest(path.read_bytes()))
    return found


def input_files(folder: Path) -> list[Path]:
    """The files under a folder, sorted, leaving out hidden ones and those in hidden folders (.git, .env, ...)."""
    if not folder.is_dir():
        return []
    return sorted(
        p
        for p in folder.rglob("*")
        if not any(part.startswith(".") for part in p.relative_to(folder).parts) and p.is_file()
    )


def _changed(old: dict[str, tuple], new: dict[str, tuple]) -> set[str]:
    """Input files added, removed or changed in content."""
    return {f for f in old.keys() | new.keys() if (old.get(f) or (0, 0, None))[2] != (new.get(f) or (0, 0, None))[2]}
