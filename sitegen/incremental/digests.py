"""The digest of every read an output can make (site.reads), for one language's view of this build's inputs."""

from __future__ import annotations

import hashlib

from ..content.history import History
from ..content.model import Content
from ..site.reads import Mark

MISSING = b"-" * 16  # the digest of a read of nothing (an item no longer there): never a real one


def combined(parts) -> bytes:
    """One digest of many (of bytes), in order."""
    digest = hashlib.blake2b(digest_size=16)
    for part in parts:
        digest.update(part)
    return digest.digest()


def _text(value) -> bytes:
    """A value's repr as bytes, for values the content model holds (text, numbers, tuples, figures, notes)."""
    return repr(value).encode("utf-8", "surrogatepass")


class Digests(dict):
    """What each read of one language's view of the content (and of the templates, static files, history and
    outputs of this build) currently holds, as a digest, by read: an item's is its fingerprint; the others are
    made on first use."""

    def __init__(
        self, view: Content, fingerprints: dict, inputs: dict[str, bytes], history: History, outputs: dict[str, bytes]
    ):
        super().__init__(fingerprints)
        self.view, self.fingerprints, self.inputs = view, fingerprints, inputs
        self.history, self.outputs = history, outputs

    def __missing__(self, read) -> bytes:
        found = self[read] = self._digest(*read)
        return found

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
            return MISSING if entry is None else combined([_text((entry.date, entry.anchor))])
        if type(what) is Mark:
            return self._collection(kind, what)
        return MISSING  # no such item (any there is a fingerprint)

    def _collection(self, kind: str, mark: Mark) -> bytes:
        """A read of a whole collection, of its ids, or of one attribute of every item."""
        items = self.view.figures if kind == "figures" else getattr(self.view, kind, {})
        if mark.what == "keys":
            return combined([_text(tuple(items))])
        if mark.what == "attribute":
            return combined([_text(tuple((ident, getattr(item, mark.name, None)) for ident, item in items.items()))])
        prints = self.fingerprints
        return combined([_text(tuple(items))] + [prints.get((kind, ident), MISSING) for ident in items])
