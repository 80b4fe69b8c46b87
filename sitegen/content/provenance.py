"""Checks on where the content's figures come from, once every file is read: a figure key that a model declares with
`source_kinds` (the home page's headline cards) names a figure citing a source of those kinds, and every page of an
item cites at least one source a reader can open (its own address, or a copy's)."""

from __future__ import annotations

from ..errors import Location, Problems
from . import model
from .fields import Field, ListOf, MapOf, Record, Ref
from .kinds import FigureKey, Kind, Registry


def check(registry: Registry, content: model.Content, refs: list, problems: Problems) -> None:
    """Report figures of the wrong kind of source where a model asks for a kind, and warn about item pages whose
    sources all lack an address."""
    closed = any(not (s.url or getattr(s, "copy_url", None)) for s in content.sources.values())
    for kind in registry.kinds:
        if kind.record is None or kind.shape == "strings":
            continue
        items = _items(kind, content)
        _check_figure_keys(kind, items, content, refs, problems)
        if closed and kind.pages is not None and kind.pages.item:  # (none to warn of when every source opens)
            for item in items:
                _check_openable(kind, item, content, problems)


def _items(kind: Kind, content: model.Content) -> list:
    """The items of a kind (a single record is one item)."""
    if kind.collection:
        return list(getattr(content, kind.name).values())
    return [getattr(content, kind.name)]


def _check_figure_keys(kind: Kind, items: list, content: model.Content, refs: list, problems: Problems) -> None:
    """Each figure key of a field declared with `source_kinds` must name a figure whose source is of those kinds."""
    for name, field in kind.fields.items():
        key_field = field.item if isinstance(field, ListOf) else field
        if not isinstance(key_field, FigureKey) or not key_field.source_kinds:
            continue
        wanted = key_field.source_kinds
        for item in items:
            value = getattr(item, name, None) or ()
            for key in (value,) if isinstance(value, str) else value:
                fig = content.figures.get(key)
                source = content.sources.get(fig.source) if fig is not None else None
                if source is None or source.kind in wanted:
                    continue
                for ref in refs:
                    if ref[0] == "figures" and ref[1] == key and ref[2] == item.loc.source:
                        problems.error(
                            _at(ref),
                            f"{key} cites '{source.id}', a source of kind {source.kind}; '{name}' takes only figures "
                            f"from {', '.join(wanted)}",
                            "cite a source of one of those kinds for the figure (a copy of one counts: its `kind` is "
                            "the original's), or show another figure here",
                        )


def _at(ref) -> Location:
    """The location a reference was read at."""
    return Location(ref[2], ref[3], ref[4])


def cited_sources(field: Field, value) -> set[str]:
    """The ids of every source a value cites, by its field's declaration: references to sources, and the sources of
    its figures and notes, however deeply nested."""
    return {source for _, source in _citing(field, value)}


def _citing(field: Field, value):
    """(field, id) for every reference to a source in a value, walking only the fields that can hold one."""
    if value is None:
        return
    if isinstance(field, Ref):
        if field.kind == "sources":
            yield field, value
    elif isinstance(field, ListOf):
        for v in value:
            yield from _citing(field.item, v)
    elif isinstance(field, MapOf):
        for v in value.values():
            yield from _citing(field.value, v)
    elif isinstance(field, Record):
        for name, f in _citing_fields(field):
            yield from _citing(f, getattr(value, name, None))


def _citing_fields(record: Record) -> tuple[tuple[str, Field], ...]:
    """The fields of a record that can hold a reference to a source (kept on the record: its declaration is fixed)."""
    found = record.__dict__.get("_citing_fields")
    if found is None:
        found = record._citing_fields = tuple((name, f) for name, f in record.fields.items() if _can_cite(f))
    return found


def _can_cite(field: Field) -> bool:
    """Whether a field's values can hold a reference to a source, however deeply nested."""
    if isinstance(field, Ref):
        return field.kind == "sources"
    if isinstance(field, ListOf):
        return _can_cite(field.item)
    if isinstance(field, MapOf):
        return _can_cite(field.value)
    if isinstance(field, Record):
        return bool(_citing_fields(field))
    return False


def _check_openable(kind: Kind, item, content: model.Content, problems: Problems) -> None:
    """Warn when an item's page cites only sources without an address a reader can open."""
    cited = sorted(s for s in cited_sources(kind.item_record, item) if s in content.sources)
    if cited and not any(content.sources[s].url or getattr(content.sources[s], "copy_url", None) for s in cited):
        name = getattr(item, kind.key, None) or kind.name
        problems.warn(
            item.loc,
            f"the page of {kind.one} '{name}' cites only sources without an address a reader can open: "
            f"{', '.join(cited)}",
            "give one of them its `url`, or the address of the copy it was read in (`copy_url`)",
        )
