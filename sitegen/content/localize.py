"""The content as each language's pages read it: for the site's base language, the content itself; for another
language, a copy in which every localized text holds that language's text (`name` holds `texts["name"]["zh"]`),
figures, notes and articles included. Every object keeps its `texts` in every language, so a page can show a text in
another language too. A copy is made once per source object: a figure and the item that holds it share one copy."""

from __future__ import annotations

from .fields import ListOf, Record
from .kinds import Kind, Registry
from .model import Content, Figure, Note, replace


def views(registry: Registry, content: Content) -> dict[str, Content]:
    """The content for each of the site's languages, the base language's first."""
    return Localizer(registry).views(content)


class Localizer:
    """Makes the per-language views of one content snapshot."""

    def __init__(self, registry: Registry):
        self.registry = registry
        self._made: dict = {}  # (lang, id(source)) -> (source, copy): holds the source alive, so ids stay unique

    def views(self, content: Content) -> dict[str, Content]:
        """The content for each of the site's languages, the base language's first."""
        base, *others = self.registry.languages
        views = {base: content}
        for lang in others:
            views[lang] = self._view(content, lang)
        return views

    def _copy(self, lang: str, source, make):
        """The copy of `source` for `lang`, made once."""
        key = (lang, id(source))
        hit = self._made.get(key)
        if hit is None:
            hit = self._made[key] = (source, make())
        return hit[1]

    def _view(self, content: Content, lang: str) -> Content:
        """One language's copy of the content."""
        figures = {
            key: self._copy(lang, fig, lambda fig=fig: _texts(fig, lang)) for key, fig in content.figures.items()
        }
        records = {name: self._item(lang, self.registry[name], item, figures) for name, item in content.records.items()}
        collections = {}
        for name, items in content.collections.items():
            kind = self.registry[name]
            if kind.shape == "markdown":
                collections[name] = content.editions.get(lang, {}).get(name, {})
            else:
                collections[name] = {key: self._item(lang, kind, item, figures) for key, item in items.items()}
        return Content(records, collections, content.strings, figures, editions=content.editions)

    def _item(self, lang: str, kind: Kind, item, figures: dict):
        """One item's copy: its texts in `lang`, its figures and notes from that language's copies."""
        return self._copy(lang, item, lambda: _localized(kind.item_record, item, lang, figures, self))


def _changes(obj, lang: str) -> dict:
    """An object's localized texts in `lang`, by field."""
    return {name: texts[lang] for name, texts in getattr(obj, "texts", {}).items() if texts.get(lang) is not None}


def _texts(obj, lang: str):
    """A figure or note with its texts in `lang`."""
    changes = _changes(obj, lang)
    return replace(obj, **changes) if changes else obj


def _localized(record: Record, item, lang: str, figures: dict, localizer: Localizer):
    """An item's fields in `lang`, as its record declares them."""
    changes = _changes(item, lang)
    for name, field in record.fields.items():
        value = getattr(item, name, None)
        if value is None or name in changes:
            continue
        if isinstance(value, Figure):
            changes[name] = figures.get(value.key, value)
        elif isinstance(value, dict) and value and isinstance(next(iter(value.values())), Figure):
            changes[name] = {k: figures.get(f.key, f) for k, f in value.items()}
        elif isinstance(field, ListOf) and isinstance(field.item, Record) and field.item.cls is Note:
            changes[name] = tuple(localizer._copy(lang, n, lambda n=n: _texts(n, lang)) for n in value)
    return replace(item, **changes) if changes else item
