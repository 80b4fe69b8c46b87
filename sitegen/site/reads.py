"""What an output reads, recorded where it reads: the one primitive (Lektor's record_dependency) behind every view of
the content that templates and helpers are given. A build records the reads of every page and site-wide file; the
incremental tier keys each output by the digests of what it read.

A read is a pair (kind, what): ("projects", "jcet-x") for one item; (kind, EVERY) for a whole collection (its items,
their order and membership); (kind, KEYS) for its membership and order only; (kind, attribute(name)) for one attribute
of every item; (name, "") for a single record ("site", "profile"); ("template", name) for a template file; ("static",
path) for a static file; ("history", "") for the history of the content and ("history", key) for one figure's last
change in it; ("output", dest) for another output of the build (a download whose size a page shows)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import NamedTuple


class Mark(NamedTuple):
    """A read that stands for more than one item of a collection (never equal to an item's id, which is text)."""

    what: str  # every, keys or attribute
    name: str = ""


EVERY = Mark("every")
KEYS = Mark("keys")


def attribute(name: str) -> Mark:
    """The read of one attribute of every item of a collection (a page that filters or lists by it)."""
    return Mark("attribute", name)


Read = tuple[str, object]
ALWAYS: frozenset[Read] = frozenset({("site", ""), ("strings", "")})  # every page shows the site's name and strings


class Recorder:
    """The reads of the output being made: start() begins one, record() notes a read, and `reads` holds them."""

    def __init__(self) -> None:
        self.reads: set[Read] = set(ALWAYS)
        self._one: dict[Read, Read] = {}  # one tuple per distinct read, shared by every output that makes it

    def start(self) -> None:
        """Begin a new output: forget the reads of the previous one."""
        self.reads = set(ALWAYS)

    def record(self, kind: str, what: object = "") -> None:
        """Note one read."""
        read = (kind, what)
        self.reads.add(self._one.setdefault(read, read))

    def taken(self) -> frozenset[Read]:
        """The reads of the output being made, so far."""
        return frozenset(self.reads)


class TrackedDict(Mapping):
    """A read-only view of one collection (id -> item) that records what is read of it: an item by its id, the whole
    collection when iterated, its ids (keys()), one attribute of every item (column(), where())."""

    def __init__(self, kind: str, data: dict, recorder: Recorder):
        self._kind, self._data, self._rec = kind, data, recorder
        self._index: dict[str, dict] = {}  # attribute -> value -> [ids], made on first use by where()

    def __getitem__(self, key):
        self._rec.record(self._kind, key)
        return self._data[key]

    def __contains__(self, key) -> bool:
        self._rec.record(self._kind, key)
        return key in self._data

    def __iter__(self) -> Iterator:
        self._rec.record(self._kind, EVERY)
        return iter(self._data)

    def __len__(self) -> int:
        self._rec.record(self._kind, KEYS)
        return len(self._data)

    def ids(self) -> list[str]:
        """The ids of the items, in order: depends on membership and order only."""
        self._rec.record(self._kind, KEYS)
        return list(self._data)

    def column(self, name: str) -> dict:
        """One attribute of every item, by id, in order (None where an item has none): depends on that attribute
        and on the ids, not on the rest of each item."""
        self._rec.record(self._kind, KEYS)
        self._rec.record(self._kind, attribute(name))
        return {ident: getattr(item, name, None) for ident, item in self._data.items()}

    def where(self, name: str, value) -> "Selection":
        """The items whose attribute equals value (or, for a tuple, holds it), in order: which they are depends on
        that attribute of every item; each item is a read of its own once it is looked at."""
        self._rec.record(self._kind, attribute(name))
        table = self._index.get(name)
        if table is None:
            table = self._index[name] = {}
            for ident, item in self._data.items():
                found = getattr(item, name, None)
                for one in dict.fromkeys(found) if type(found) is tuple else (found,):
                    table.setdefault(one, []).append(ident)
        return Selection(tuple(table.get(value, ())), self)


class Selection(Sequence):
    """Some items of a collection, by id, in order: counting them reads nothing more; each item looked at (by
    index, slice or iteration) is read."""

    def __init__(self, ids: tuple, collection: TrackedDict):
        self.ids, self._collection = ids, collection

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, at):
        if isinstance(at, slice):
            return [self._collection[ident] for ident in self.ids[at]]
        return self._collection[self.ids[at]]

    def by_id(self) -> "Selection":
        """The same items in the order of their ids."""
        return Selection(tuple(sorted(self.ids)), self._collection)


class TrackedObject:
    """A read-only view of one object (a single record) whose attribute reads record one read."""

    def __init__(self, obj, read: Read, recorder: Recorder):
        self._obj, self._read, self._rec = obj, read, recorder

    def __getattr__(self, name):
        self._rec.record(*self._read)
        return getattr(self._obj, name)


class TrackedContent:
    """The content as templates and helpers see it: each collection a TrackedDict, each single record a
    TrackedObject; the interface strings are read by every page (ALWAYS)."""

    def __init__(self, content, recorder: Recorder):
        self._content, self._rec = content, recorder
        self.strings = content.strings
        self._views = {kind: TrackedDict(kind, getattr(content, kind), recorder) for kind in collections(content)}
        self._records = {name: TrackedObject(item, (name, ""), recorder) for name, item in content.records.items()}

    def __getattr__(self, name):
        if name in self._views:
            return self._views[name]
        if name in self._records:
            return self._records[name]
        raise AttributeError(name)

    def has(self, name: str) -> bool:
        """Whether the content holds a collection or record of that name (a read of nothing)."""
        return name in self._views or name in self._records


def collections(content) -> tuple[str, ...]:
    """The names of the content's collections: each kind's and every figure's."""
    return (*content.collections, "figures")
