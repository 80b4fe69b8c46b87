"""The digest of every read an output can make (site.reads), for one language's view of this build's inputs."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, MutableMapping

from ..content.history import History
from ..content.model import Content
from ..site.reads import KEYS, Mark

MISSING = b"-" * 16  # the digest of a read of nothing (an item no longer there): never a real one
WIDTH = len(MISSING)  # of every digest and fingerprint
ITEM = 8  # of an item's digest in a column (_column): one place's, compared only with the same place's


def combined(parts) -> bytes:
    """One digest of many (of bytes), in order."""
    digest = hashlib.blake2b(digest_size=16)
    for part in parts:
        digest.update(part)
    return digest.digest()


def _text(value) -> bytes:
    """A value's repr as bytes, for values the content model holds (text, numbers, tuples, figures, notes)."""
    return repr(value).encode("utf-8", "surrogatepass")


def _changed(entry) -> bytes:
    """The digest of one figure's last change in the history."""
    return combined([_text((entry.date, entry.anchor))])


class Digests(dict):
    """What each read of one language's view of the content (and of the templates, static files, history and
    outputs of this build) currently holds, as a digest, by read: an item's is its fingerprint; the others are
    made on first use."""

    def __init__(
        self,
        view: Content,
        fingerprints: dict,
        inputs: dict[str, bytes],
        history: History,
        outputs: dict[str, bytes],
        lang: str = "",
        memo: MutableMapping | None = None,
    ):
        super().__init__(fingerprints)
        self.view, self.fingerprints, self.inputs = view, fingerprints, inputs
        self.history, self.outputs = history, outputs
        self.lang, self.memo = lang, {} if memo is None else memo  # the memo: where the columns are kept (below)
        self._moved: dict[str, list[int] | None] = {}  # by kind (_changed_items)
        self.update(dict.fromkeys((("history", key) for key in view.figures), MISSING))  # a read on every figure's
        self.update({("history", key): _changed(entry) for key, entry in history.marks.items()})  # page: made at once
        self._kept = combined([b"digests\0", lang.encode()])  # where the memo keeps them
        self._looked = False
        self._changed: set | None = None  # the reads changed since the last build (_since_last())

    def __missing__(self, read) -> bytes:
        found = self[read] = self._digest(*read)
        return found

    def unchanged(self, reads, key: bytes) -> bool:
        """Whether reads an output of the last build made (`key`: their digest then) hold what they held. None of
        them changed when none is among the reads whose digest changed since (the last build's digests are in the
        memo: every read an output it kept or made had, each output's key was made from them); else, or when the
        last build left none, their digest is made again."""
        changed = self._since_last()
        return self.key(reads) == key if changed is None else changed.isdisjoint(reads)

    def _since_last(self) -> set | None:
        """The reads whose digest differs from the last build's; None when it left none."""
        if not self._looked:
            self._looked, old = True, self.memo.get(self._kept)
            self._changed = None if old is None else {read for read, was in old.items() if self[read] != was}
        return self._changed

    def keep(self) -> None:
        """Leave this build's digests in the memo, for the next build's unchanged()."""
        self.memo[self._kept] = dict(self)

    def key(self, reads) -> bytes:
        """One digest of the reads of an output, in the order given."""
        return hashlib.blake2b(b"".join(map(self.__getitem__, reads)), digest_size=16).digest()

    def _digest(self, kind: str, what) -> bytes:
        if kind == "template":
            return self.inputs.get(f"templates/{what}", MISSING)
        if kind == "static":
            return self.inputs.get(f"static/{what}", MISSING)
        if kind == "output":
            return self.outputs.get(what, MISSING)
        if kind == "history":
            if not what:
                return combined([_text(self.history)])
            entry = self.history.marks.get(what)
            return MISSING if entry is None else _changed(entry)
        if type(what) is Mark:
            return self._collection(kind, what)
        return MISSING  # no such item (any there is a fingerprint)

    def _collection(self, kind: str, mark: Mark) -> bytes:
        """A read of a whole collection, of its ids, or of one attribute of every item."""
        items = self.view.figures if kind == "figures" else getattr(self.view, kind, {})
        if mark.what == "keys":
            return combined([_text(tuple(items))])
        if mark.what == "attribute":
            return hashlib.blake2b(self._column(kind, items, mark.name), digest_size=WIDTH).digest()
        prints = self.fingerprints
        return combined([_text(tuple(items))] + [prints.get((kind, ident), MISSING) for ident in items])

    def _column(self, kind: str, items: dict, name: str) -> bytes:
        """One short digest of each item's (id, attribute), in order, as one bytes, kept in the memo with the ids it
        was made for. When the ids are the same, in the same order, only the items whose fingerprint changed since
        the last build (which made the column) are digested again (at 10,000 projects, 10 ms an attribute)."""
        ids, changed = self[(kind, KEYS)], self._changed_items(kind, items)
        key = combined([b"column\0", self.lang.encode(), b"\0", kind.encode(), b"\0", name.encode()])
        old = self.memo.get(key)
        again: Iterable[int] = range(len(items))
        digests = bytearray(ITEM * len(items))
        if old is not None and old[0] == ids and changed is not None:  # the same items in the same places
            if not changed:
                return old[1]
            digests, again = bytearray(old[1]), changed
        values = list(items.items())
        for at in again:
            ident, item = values[at]
            found = hashlib.blake2b(_text((ident, getattr(item, name, None))), digest_size=ITEM).digest()
            digests[ITEM * at : ITEM * (at + 1)] = found
        self.memo[key] = (ids, bytes(digests))
        return self.memo[key][1]

    def _changed_items(self, kind: str, items: dict) -> list[int] | None:
        """The places of the items whose fingerprint is not the one the last build read (its digests are in the
        memo), or that have none; None when the last build left no digests. (Not taken from _since_last(): the
        columns are digested while it is being made.)"""
        if kind not in self._moved:
            old, prints = self.memo.get(self._kept), self.fingerprints
            self._moved[kind] = (
                None
                if old is None
                else [
                    at
                    for at, ident in enumerate(items)
                    if not (found := prints.get((kind, ident))) or old.get((kind, ident)) != found
                ]
            )
        return self._moved[kind]
