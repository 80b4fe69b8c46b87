"""What a page reads from the content, as the renderer reports it, and the interface the fast path implements to
record it. A read is a pair (kind, what): ("projects", "jcet-x") for one item; (kind, EVERY) for a whole collection
(its items, their order and membership); (kind, KEYS) for its membership and order only; (kind, attribute(name))
for one attribute of every item; ("site", "") for a single record; ("template", name) for a template file."""
from __future__ import annotations

from typing import NamedTuple, Protocol


class Mark(NamedTuple):
    """A read that stands for more than one item of a collection (never equal to an item's id, which is text)."""

    what: str  # every, keys or attribute
    name: str = ""


EVERY = Mark("every")
KEYS = Mark("keys")


def attribute(name: str) -> Mark:
    """The read of one attribute of every item of a collection (a page that filters by it)."""
    return Mark("attribute", name)


class Reads(Protocol):
    """Records what the page being rendered reads: the renderer starts each page, adds reads, and reads the content
    through the views it is given."""

    deps: set

    def start(self) -> None: ...

    def add(self, kind: str, what) -> None: ...

    def content(self, content): ...

    def item(self, obj, read: tuple): ...

    def select(self, collection, attr: str, value, index: dict) -> list: ...
