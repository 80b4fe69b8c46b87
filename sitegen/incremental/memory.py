"""Memory across a build: the cyclic garbage collector kept out of the way while long-lived objects pile up, and
values kept from one build to the next by the identity of the objects they were made from (ObjectMemo).

A build makes hundreds of thousands of objects that live until it ends (YAML nodes, content items, page
dependencies, the cache's state). Python's collector re-walks them all every few thousand allocations, which
at 10,000 projects cost more than the work itself (pickle.loads of the cache ran 3x slower with it). Nearly
everything a build allocates is freed by reference counting, so pausing the collector costs no memory;
it runs again, as usual, once the build is over."""
from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import chain

BLOCK = 64  # values per ObjectMemo.each() entry


@contextmanager
def paused_gc() -> Iterator[None]:
    """Switch the cyclic collector off for the block (nested blocks are fine); restore it afterwards."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


@contextmanager
def frozen_heap() -> Iterator[None]:
    """Move every live object out of the collector's reach for the block, so forked workers never walk (and so
    never copy) the parent's memory."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


class ObjectMemo:
    """Values made from immutable objects (a figure's line of JSON, a project's CSV row), found again by the
    objects' identity: the content cache hands an unchanged item back as the same object, so after an edit only
    the changed items' values are made again. Identity survives pickling (the objects travel with the memo), and
    each build keeps only the entries it used, so the memo never outgrows the content."""

    def __init__(self, previous: "ObjectMemo | None" = None):
        self._old = previous._entries if previous is not None else {}
        self._entries: dict[tuple, tuple[tuple, object]] = {}

    def get(self, tag: str, objects: tuple, make):
        """The value of kind `tag` for these objects, made with make() unless an earlier build made it for the
        very same ones."""
        key = (tag, *map(id, objects))
        hit = self._found(key, objects) or (objects, make())
        self._entries[key] = hit
        return hit[1]

    def latest(self, tag: str, key: tuple, make):
        """The value of kind `tag`, made with make() unless the last one was made for an equal key (compared by
        value: for a value made from many fresh objects that are seldom all the same, like the list of pages)."""
        hit = self._found((tag,), key) or (key, make())
        self._entries[(tag,)] = hit
        return hit[1]

    def each(self, tag: str, keys: list[tuple], make) -> list:
        """[make(i) for each i], where keys[i] holds the objects value i is made from. Kept in blocks of BLOCK
        values: a lookup per block instead of per value (an edit remakes its block). A block whose objects are
        new but equal to those at its place last time (items moved down a file: only their locations differ,
        which equality leaves out) is found again too."""
        values: list = []
        for start in range(0, len(keys), BLOCK):
            end = min(start + BLOCK, len(keys))
            objects = tuple(chain.from_iterable(keys[start:end]))
            key, place = (tag, *map(id, objects)), (f"{tag}@{start}",)
            hit = (self._found(key, objects) or self._found(place, objects)
                   or (objects, tuple(make(i) for i in range(start, end))))
            self._entries[key] = self._entries[place] = hit
            values += hit[1]
        return values

    def _found(self, key: tuple, objects: tuple) -> tuple | None:
        """The entry under key, from this build or the last, if it was made from objects equal to these (tuples
        compare items by identity first: cheap when they are the very same)."""
        hit = self._entries.get(key) or self._old.get(key)
        return hit if hit is not None and hit[0] == objects else None

    def __getstate__(self):  # identities change in transit: entries are keyed again on arrival (latest()'s by tag)
        return [((key[0], objects, len(key) == 1), value) for key, (objects, value) in self._entries.items()]

    def __setstate__(self, entries):
        self._old = {}
        self._entries = {(tag,) if by_value else (tag, *map(id, objects)): (objects, value)
                         for (tag, objects, by_value), value in entries}
