"""The history of the content (content.history) as one language's readers see it, for the changes page and its
feed: each figure that changed named and linked to its anchor, its old and new values formatted in the language,
items and sources named (and linked while they exist), other edits counted by kind. Figures are read from the
history as each date published them; names and links from the content being built."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import PurePosixPath

from ..content.history import Entry, FigureChange, History, ItemChange
from ..content.languages import Language
from ..content.model import Figure, replace
from .numbers import decimal_text, format_figure, human_date

PERIOD = re.compile(r"\d{4}(-\d\d(-\d\d)?)?\Z")


@dataclass(frozen=True)
class Link:
    """A text, linked when its target exists on the site."""

    text: str
    href: str = ""


@dataclass(frozen=True)
class When:
    """An as-of date in words, and as written when it is a date a <time> element can hold ('' when it is not: an
    old version may hold anything)."""

    words: str
    datetime: str = ""


@dataclass(frozen=True)
class FigureLine:
    """One figure of an entry: what it is (linked to its anchor), and each of its value (formatted), as-of date and
    source that changed, as (old, new); a figure added has no old, one removed no new."""

    what: Link
    value: tuple[str, str] | None = None
    as_of: tuple[When, When] | None = None
    source: tuple[Link, Link] | None = None


@dataclass(frozen=True)
class Group:
    """Items of one kind added or removed on a date."""

    label: str
    items: tuple[Link, ...]


@dataclass(frozen=True)
class EntryView:
    """One publish date as the changes page and the feed show it."""

    date: str
    anchor: str
    figures: tuple[FigureLine, ...]
    figures_added: tuple[FigureLine, ...]
    figures_removed: tuple[FigureLine, ...]
    added: tuple[Group, ...]
    removed: tuple[Group, ...]
    sources: tuple[Link, ...]
    edits: tuple[tuple[str, int], ...]  # (what, how many), counted, not listed
    first: tuple[tuple[str, int], ...]  # the first publication: (what, how many)


def present(history: History, page) -> tuple[EntryView, ...]:
    """Every entry of the history for one language. `page` is the language's renderer: its lang, content (read
    through `content`, so that what is read is recorded), registry, punctuation, url(), url_for(), figure_owner()
    and label()."""
    return tuple(_entry(entry, page) for entry in history.entries)


def _entry(entry: Entry, page) -> EntryView:
    """One entry for one language."""
    return EntryView(
        entry.date,
        entry.anchor,
        tuple(_figure(change, page) for change in entry.figures),
        tuple(_figure(change, page) for change in entry.figures_added),
        tuple(_figure(change, page) for change in entry.figures_removed),
        _groups(entry.added, page),
        _groups(entry.removed, page),
        tuple(_source(item.id, page, item) for item in entry.sources),
        tuple((kind_label(kind, page), n) for kind, n in entry.edits),
        tuple((kind_label(kind, page), n) for kind, n in entry.first),
    )


def kind_label(kind: str, page) -> str:
    """A kind named in the page's language: its changes_kind_NAME string, else its menu label, else its name."""
    t = page.content.strings[page.lang]
    return t[f"changes_kind_{kind}"] if f"changes_kind_{kind}" in t else page.menu_label(kind) or kind


def _figure(change: FigureChange, page) -> FigureLine:
    """A figure change: named and linked by the figure as it stands, or by its last data when it is gone."""
    current = page.content.figures.get(change.key)
    if current is not None:
        owner, href = page.figure_owner(current)
        what = Link(f"{owner}{page.punctuation['colon']}{page.label(current)}", href)
    else:
        last = change.old or change.new
        assert last is not None  # a change has the figure before it or after it, or both
        old = _localized(last, page.lang)
        what = Link(old.label or change.key)
    value = as_of = source = None
    if change.old is None or change.new is None:
        value = (_value(change.old, page.language), _value(change.new, page.language))
    else:
        if "value" in change.fields:
            value = (_value(change.old, page.language), _value(change.new, page.language))
        if "as_of" in change.fields:
            as_of = (_when(change.old.as_of, page.language.locale), _when(change.new.as_of, page.language.locale))
        if "source" in change.fields:
            source = (_source(change.old.source, page), _source(change.new.source, page))
    return FigureLine(what, value, as_of, source)


def _value(fig: Figure | None, lang: Language) -> str:
    """A figure's value formatted in a language ('' for none); the bare number and unit when today's declarations
    do not know an old figure's unit, scale or qualifier."""
    if fig is None:
        return ""
    try:
        return format_figure(_localized(fig, lang.code), lang)
    except (KeyError, ValueError, ArithmeticError):
        return " ".join(filter(None, (fig.qualifier, decimal_text(Decimal(fig.value)), fig.scale, fig.unit)))


def _when(value: str, locale: str) -> When:
    """An as-of date as written in an old version, in words (in a CLDR locale's) when it is a date."""
    if not PERIOD.match(value):
        return When(value or "—")
    try:
        return When(human_date(value, locale), value)
    except ValueError:  # not a real date (2023-02-30)
        return When(value)


def _localized(fig: Figure, lang: str) -> Figure:
    """An old figure's texts in a language, as the localizer makes a current one's."""
    return replace(fig, **{name: fig.texts.text(name, lang) or getattr(fig, name) for name in ("label", "shared_with")})


def _source(ident: str, page, item: ItemChange | None = None) -> Link:
    """A source by id: its title, linked to its entry on the sources page while it exists."""
    source = page.content.sources.get(ident) if "sources" in page.registry else None
    if source is not None:
        return Link(source.title, page.url("sources/") + f"#src-{ident}")
    return Link(item.name(page.lang) if item is not None else ident)


def _groups(items: tuple[ItemChange, ...], page) -> tuple[Group, ...]:
    """Items added or removed, grouped by kind (in the kinds' order, as the history gives them)."""
    groups: dict[str, list[Link]] = {}
    for item in items:
        groups.setdefault(item.kind, []).append(_item(item, page))
    return tuple(Group(kind_label(kind, page), tuple(links)) for kind, links in groups.items())


def _item(item: ItemChange, page) -> Link:
    """An item by its name as it stands (linked to its page), or as the file last gave it."""
    kind = page.registry.by_name.get(item.kind)
    collection = getattr(page.content, item.kind) if kind is not None and kind.collection else {}
    if kind is not None and kind.shape == "markdown":
        found = next(
            (a for a in collection.values() if PurePosixPath(a.loc.source).name.partition(".")[0] == item.id), None
        )
        if found is not None:
            return Link(found.title, page.url_for(item.kind, found.slug))
    elif item.id in collection:
        current = collection[item.id]
        name = getattr(current, "name", None) or getattr(current, "title", None) or item.id
        linked = kind is not None and kind in page.registry.linked
        return Link(name, page.url_for(item.kind, item.id) if linked else "")
    return Link(item.name(page.lang))
