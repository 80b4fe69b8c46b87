"""The digest of every read an output can make (site.reads), for one language's view of this build's inputs."""

from __future__ import annotations

import hashlib
from collections.abc import MutableMapping

from ..content.history import History
from ..content.model import Content
from ..site.reads import KEYS, Mark

MISSING = b"-" * 16  # the digest of a read of nothing (an item no longer there): never a real one
WIDTH = len(MISSING)  # of every digest and fingerprint


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
        self._vectors: dict[str, tuple[bytes, list[int]]] = {}  # by kind (_prints)
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
        """One digest of each item's (id, attribute), in order, as one bytes. The memo keeps it with the ids and the
        fingerprints of the items it was made from: when the ids are the same, in the same order, an item whose
        fingerprint is the one at its place then (its text unchanged) has the same digest, and only the others are
        made again (at 10,000 projects, 10 ms an attribute)."""
        ids, (vector, unknown) = self[(kind, KEYS)], self._prints(kind, items)
        key = combined([b"column\0", self.lang.encode(), b"\0", kind.encode(), b"\0", name.encode()])
        old = self.memo.get(key)
        if old is not None and old[:2] == (ids, vector) and not unknown:
            return old[2]
        if old is not None and old[0] == ids:  # the same items in the same places: those whose text changed again
            digests, again = bytearray(old[2]), sorted({*_differing(vector, old[1]), *unknown})
        else:
            digests, again = bytearray(WIDTH * len(items)), list(range(len(items)))
        values = list(items.items()) if again else []
        for at in again:
            ident, item = values[at]
            digests[WIDTH * at : WIDTH * (at + 1)] = combined([_text((ident, getattr(item, name, None)))])
        self.memo[key] = (ids, vector, bytes(digests))
        return self.memo[key][2]

    def _prints(self, kind: str, items: dict) -> tuple[bytes, list[int]]:
        """The fingerprints of a collection's items, in order, as one bytes; and the places of those that have none."""
        found = self._vectors.get(kind)
        if found is None:
            prints = [self.fingerprints.get((kind, ident), MISSING) for ident in items]
            unknown = [at for at, one in enumerate(prints) if len(one) != WIDTH or one == MISSING]
            found = self._vectors[kind] = (b"".join(one if len(one) == WIDTH else MISSING for one in prints), unknown)
        return found


def _differing(new: bytes, old: bytes, step: int = 64) -> list[int]:
    """The places at which two equally long runs of fingerprints differ, looked for `step` at a time."""
    found = []
    span = WIDTH * step
    for start in range(0, len(new), span):
        if new[start : start + span] != old[start : start + span]:
            end = min(start + span, len(new))
            found += [at // WIDTH for at in range(start, end, WIDTH) if new[at : at + WIDTH] != old[at : at + WIDTH]]
    return found
