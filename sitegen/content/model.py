"""The validated content: frozen objects the templates read. Ids refer across kinds; `Content` indexes them."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol

from ..errors import Location


class Texts(dict):
    """The localized texts of a record: field name -> {language code: text}, in every language of the site, its base
    first (`{"label": {"en": "GDP", "zh": "地区生产总值"}}`). Treated as immutable; hashable, so a figure holding it
    is."""

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(tuple((name, tuple(texts.items())) for name, texts in self.items()))

    def text(self, name: str, lang: str) -> str | None:
        """A field's text in a language, or None."""
        return self.get(name, {}).get(lang)


@dataclass(frozen=True)
class Figure:
    """A number with its unit, scale, qualifier, as-of period and source id. `key` is its global path.

    A rank (unit rank) always has `by` (who ranks) and `scope` (among whom), and `shared_with` when tied; a
    percent-change always has its `basis` (real or nominal). Its `quote` states it (checked by content.quotes), unless
    it is `derived` from what the source says."""

    value: Decimal
    unit: str
    as_of: str
    source: str
    scale: str | None = None
    qualifier: str | None = None
    label: str | None = None
    note: str | None = None
    by: str | None = None
    scope: str | None = None
    shared_with: str | None = None
    basis: str | None = None
    quote: str | None = None  # the source's own words that state it, verbatim
    derived: str | None = None  # for a sum or a conversion: how it was made from what the source says
    estimate: bool | None = None  # the source gives it as an estimate
    texts: Texts = field(default_factory=Texts)  # label, note, by, scope, shared_with and derived in every language
    translated: tuple[str, ...] = ()  # which of its texts are our own translation, not a source's
    loc: Location = field(default=Location(""), compare=False)
    key: str = ""

    @property
    def anchor(self) -> str:
        """The stable HTML id of this figure, e.g. fact-events-summit-2023-projects."""
        return "fact-" + self.key.replace(".", "-")


@dataclass(frozen=True)
class Note:
    """A sourced statement in our own words."""

    text: str
    source: str
    texts: Texts = field(default_factory=Texts)  # its text in every language
    translated: tuple[str, ...] = ()
    loc: Location = field(default=Location(""), compare=False)


class Item:
    """One validated record of a kind declared in models/ (a company, a project, the site settings ...): its fields
    as attributes (a localized one in the site's base language, and in every language in `texts`), `loc` where it
    starts. Treated as immutable; equal when every field but `loc` is equal.

    Each kind gets its own subclass, named after one item (`Company`, `Project`), so messages name it; item_class()
    makes it on demand from the name alone, so a pickled item finds its class again without the registry."""

    def __init__(self, **fields):
        self.__dict__.update(fields)

    if TYPE_CHECKING:  # its fields are declared in models/, so the checker reads each as Any

        def __getattr__(self, name: str) -> Any: ...

    def __eq__(self, other) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        a, b = self.__dict__, other.__dict__
        return a.keys() == b.keys() and all(a[k] == b[k] for k in a if k != "loc")

    __hash__ = None  # type: ignore[assignment]  # unhashable, like a frozen dataclass holding dicts

    def __repr__(self) -> str:
        ident = self.__dict__.get("id") or self.__dict__.get("slug") or ""
        return f"{type(self).__name__}({ident!r})"


_CLASSES: dict[str, type] = {}


def item_class(name: str) -> type:
    """The Item subclass called `name` (made on first use)."""
    cls = _CLASSES.get(name)
    if cls is None:
        cls = _CLASSES[name] = globals()[name] = type(name, (Item,), {"__module__": __name__, "__qualname__": name})
    return cls


def __getattr__(name: str):
    """An item class by its name, made if need be: pickle looks classes up on the module (a kind's Record names
    its class), and the cache is read before models/ is."""
    if name[:1].isupper() and name.isidentifier():
        return item_class(name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def replace(item, **changes):
    """A copy of an item, a figure or the content with some fields changed."""
    if isinstance(item, Content):

        def pick(table: dict) -> dict:
            return {name: changes.get(name, value) for name, value in table.items()}

        return Content(
            pick(item.records),
            pick(item.collections),
            changes.get("strings", item.strings),
            changes.get("figures", item.figures),
            item.editions,
        )
    new = object.__new__(type(item))
    new.__dict__.update(item.__dict__, **changes)
    return new


class Content:
    """Everything validated: the single records (site, profile ...) and the collections (each kind's items by id,
    in file order) as attributes named after their kinds, the interface strings by language, and every figure by
    its global key."""

    def __init__(self, records: dict, collections: dict, strings: dict, figures: dict, editions: dict | None = None):
        self.__dict__.update(records, **collections)
        self.records, self.collections, self.strings, self.figures = records, collections, strings, figures
        self.editions = editions or {}  # language -> kind -> items, for kinds written once per language (articles)
        self.fingerprints: dict = {}  # each read by id -> the fingerprint of the text it comes from (validate)

    @property
    def site(self) -> Item:
        """The site's settings (the record of kind site), which the generator itself reads."""
        return self.records["site"]

    @property
    def sources(self) -> dict[str, Item]:
        """The sources by id, which every figure and note cites."""
        return self.collections["sources"]

    def edition(self, lang: str, kind: str) -> dict:
        """A kind's items in one language: the collection itself, or its edition in that language."""
        return (
            self.editions.get(lang, {}).get(kind, self.collections[kind])
            if lang in self.editions
            else self.collections[kind]
        )

    def __eq__(self, other) -> bool:
        return isinstance(other, Content) and (
            self.records,
            self.collections,
            self.strings,
            self.figures,
            self.editions,
        ) == (other.records, other.collections, other.strings, other.figures, other.editions)

    __hash__ = None  # type: ignore[assignment]


class ContentView(Protocol):
    """What a reference is resolved in and a page's sources are read from: the Content itself, or the view of it
    that templates see (site.reads.TrackedContent); a kind's items are its attribute by the kind's name."""

    @property
    def figures(self) -> dict[str, Figure]: ...

    @property
    def sources(self) -> dict[str, Item]: ...


class StringError(Exception):
    """A UI string that is missing, or whose placeholders do not fit its use: the strings file is to blame."""

    def __init__(self, key: str, message: str, hint: str, missing: bool = False):
        super().__init__(message)
        self.key, self.message, self.hint, self.missing = key, message, hint, missing


class UiText(str):
    """One UI string that knows its key, so a placeholder it does not fit is reported at that key."""

    key: str = ""

    def __new__(cls, value: str, key: str = ""):
        text = super().__new__(cls, value)
        text.key = key
        return text

    def __getnewargs__(self):
        return str(self), self.key

    def format(self, *args, **kwargs) -> str:
        """str.format, raising StringError when the text names a placeholder its caller does not give."""
        try:
            return str.format(self, *args, **kwargs)
        except (KeyError, IndexError) as exc:
            names = ", ".join("{" + name + "}" for name in kwargs) or "none"
            raise StringError(
                self.key,
                f"string '{self.key}' has the unknown placeholder {{{exc.args[0]}}}",
                f"placeholders it can use: {names}",
            ) from None
        except ValueError as exc:
            raise StringError(
                self.key, f"string '{self.key}': {exc}", "write a placeholder as {name}, and a brace as {{ or }}"
            ) from None


class UiStrings(dict):
    """The UI strings of one language, key -> UiText; a missing key raises StringError (not KeyError, which a
    template would turn into an undefined value blamed on its own line)."""

    def __missing__(self, key):
        raise StringError(str(key), f"missing string '{key}'", "", missing=True)
