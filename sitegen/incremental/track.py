"""Records what each page reads from the content and which templates it loads, and what an edit changed.

A dependency is a read as sitegen.site.reads names it: (kind, id), (kind, EVERY), (kind, KEYS), (kind,
attribute(name)), ("site", ""), ("template", name). A page is re-rendered when its dependencies meet the changes of
an edit."""
from __future__ import annotations

from collections.abc import Mapping
from itertools import compress
from operator import is_not

from ..content.model import Content
from ..site.reads import EVERY, KEYS, attribute

Dep = tuple[str, str]
ALWAYS: frozenset[Dep] = frozenset({("site", ""), ("strings", "")})


class Recorder:
    """Collects the dependencies of the render in progress."""

    def __init__(self):
        self.deps: set[Dep] = set()
        self._shared: dict[Dep, Dep] = {}  # one tuple per dependency, shared by every page that has it

    def start(self) -> None:
        """Begin a new page: forget the previous page's reads."""
        self.deps = set(ALWAYS)

    def add(self, kind: str, ident: str) -> None:
        """Note one read."""
        dep = (kind, ident)
        self.deps.add(self._shared.setdefault(dep, dep))


class Tracker(Recorder):
    """The Reads a renderer records a page's dependencies with: a recorder, views of the content that record every
    read, and select() over a recorded collection."""

    def content(self, content: Content) -> "TrackedContent":
        """The content as templates see it: every read recorded."""
        return TrackedContent(content, self)

    def item(self, obj, read: Dep) -> "TrackedObject":
        """One object whose attribute reads record `read`."""
        return TrackedObject(obj, read, self)

    def select(self, collection, attr: str, value, index: dict) -> list:
        """Items of a recorded collection whose attribute equals (or contains) value; see select()."""
        return select(collection, attr, value, index)


class TrackedDict(Mapping):
    """A read-only view of one collection that records which ids are read; iterating reads them all."""

    def __init__(self, kind: str, data: dict, recorder: Recorder):
        self._kind, self._data, self._rec = kind, data, recorder

    def __getitem__(self, key):
        self._rec.add(self._kind, key)
        return self._data[key]

    def __contains__(self, key):
        self._rec.add(self._kind, key)
        return key in self._data

    def __iter__(self):
        self._rec.add(self._kind, EVERY)
        return iter(self._data)

    def __len__(self):
        self._rec.add(self._kind, EVERY)
        return len(self._data)

    def everything(self) -> dict:
        """The whole collection at once, recorded as one dependency on all of it (cheaper than item by item)."""
        self._rec.add(self._kind, EVERY)
        return self._data


class TrackedContent:
    """The content as templates see it: every collection and singleton read is recorded."""

    def __init__(self, content: Content, recorder: Recorder):
        self._content, self._rec = content, recorder
        self._views = {k: TrackedDict(k, getattr(content, k), recorder) for k in collections(content)}

    def __getattr__(self, name):
        if name in self._views:
            return self._views[name]
        self._rec.add(name, "")
        return getattr(self._content, name)


def changes(old: Content, new: Content) -> set[Dep]:
    """The dependencies whose value differs between two content snapshots (locations are ignored).

    Besides (kind, id) and (kind, EVERY), an edit marks (kind, attribute(name)) for each attribute whose value
    changed on some item, so a page that only filters a collection by that attribute can stay."""
    changed: set[Dep] = {(k, "") for k in (*new.records, "strings") if getattr(old, k, None) != getattr(new, k)}
    for kind in collections(new):
        a, b = getattr(old, kind), getattr(new, kind)
        same_keys = list(a) == list(b)
        if same_keys:  # the usual edit: only items that are new objects are compared, picked out without a loop
            keys = {k for k in compress(b, map(is_not, a.values(), b.values())) if a[k] != b[k]}
        else:
            keys = {k for k in a.keys() | b.keys() if a.get(k) is not b.get(k) and a.get(k) != b.get(k)}
        changed |= {(kind, k) for k in keys}
        if keys or not same_keys:
            changed.add((kind, EVERY))
        if not same_keys:
            changed.add((kind, KEYS))
            changed |= {(kind, attribute(f)) for item in (*a.values(), *b.values()) for f in vars(item)}
        for k in keys & a.keys() & b.keys():
            changed |= {(kind, attribute(f)) for f in vars(a[k]) if getattr(a[k], f) != getattr(b[k], f)}
    return changed


def collections(content: Content) -> tuple[str, ...]:
    """The names of the content's collections, each kind's and every figure's."""
    return (*content.collections, "figures")


def select(collection: TrackedDict, attr: str, value, index: dict) -> list:
    """Items of a tracked collection whose attribute equals value (or, for a tuple, contains it); depends on that
    attribute of every item and on the matching items, not on the rest. `index` keeps, per collection and
    attribute, value -> [(id, item)], built on first use, so each lookup costs only its matches."""
    collection._rec.add(collection._kind, attribute(attr))
    key = (collection._kind, attr)
    if key not in index:
        table: dict = {}
        for ident, item in collection._data.items():
            for one in _values(getattr(item, attr)):
                table.setdefault(one, []).append((ident, item))
        index[key] = table
    found = index[key].get(value, [])
    for ident, _ in found:
        collection._rec.add(collection._kind, ident)
    return [item for _, item in found]


def _values(v) -> tuple:
    """The values an attribute is matched on: each member of a tuple (once), or the value itself."""
    return tuple(dict.fromkeys(v)) if type(v) is tuple else (v,)


def carry_index(index: dict, content: Content, changed: set[Dep]) -> dict:
    """select()'s index from the previous build, brought up to date with an edit instead of built again: a table
    whose collection changed membership or order, or whose attribute changed on some item, is dropped (to be built
    on first use); an item that changed otherwise is swapped for its new object in the rows that hold it."""
    carried = {}
    for (kind, attr), table in index.items():
        if (kind, KEYS) in changed or (kind, attribute(attr)) in changed:
            continue
        data = getattr(content, kind)
        edited = [ident for k, ident in changed if k == kind and ident in data]
        if edited:
            table = dict(table)
            for ident in edited:
                item = data[ident]
                for one in _values(getattr(item, attr)):
                    table[one] = [(i, item) if i == ident else (i, old) for i, old in table[one]]
        carried[(kind, attr)] = table
    return carried


class TrackedObject:
    """A read-only view of one object whose attribute reads record a single dependency."""

    def __init__(self, obj, dep: Dep, recorder: Recorder):
        self._obj, self._dep, self._rec = obj, dep, recorder

    def __getattr__(self, name):
        self._rec.add(*self._dep)
        return getattr(self._obj, name)
