"""What two versions of the files under content/ differ in, read leniently from their raw text: the figures whose
value (with its unit, scale, qualifier ...), as-of date or source differ, the figures added to and removed from
items present in both, the items added and removed (a source added is listed apart), and the other edits counted by
kind. An old version need not validate against today's models: its figures are found by the shapes the registry
declares (figure fields, named figures, figure maps; items by id), whatever cannot be read is left out, and a file
that cannot be read at all counts as one edit of its kind, listing nothing.

A list file is compared item by item as written: an item whose text is the same in both versions is not parsed at
all, so comparing two versions of a file of thousands of items costs what the edit touched."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

import yaml

from ..errors import Problems
from .fields import MAX_DECIMALS, MAX_DIGITS
from .kinds import Kind, Registry
from .load import FRONT_MATTER, parse_yaml, plain_list, printable, split_items, too_deep
from .model import Figure, Texts

FOLDER = "content"
VALUE = ("value", "unit", "scale", "qualifier", "basis", "shared_with")  # what its value shows (and a tie in `texts`)
DATA = (*VALUE, "as_of", "source")  # a figure's data; its other fields (label, note ...) are text
TEXTS = ("label", "shared_with")  # the texts of a figure that name it or show with its value, twins and all
FAST = getattr(yaml, "CBaseLoader", None)  # every scalar a string, as _plain() makes them


@dataclass(frozen=True)
class FigureChange:
    """A figure's data before and after (None when it did not exist), and which of value, as_of and source changed."""

    key: str
    old: Figure | None
    new: Figure | None
    fields: tuple[str, ...] = ()


@dataclass(frozen=True)
class ItemChange:
    """An item added or removed: its kind, id, and its names by language as the file gave them."""

    kind: str
    id: str
    names: tuple[tuple[str, str], ...] = ()

    def name(self, lang: str) -> str:
        """Its name in a language, else in the first the file gave, else its id."""
        return dict(self.names).get(lang) or (self.names[0][1] if self.names else self.id)


@dataclass(frozen=True)
class Difference:
    """What changed between two versions of content/. `first` (a first publication: nothing before it) counts what
    it brought instead, as (kind, items) pairs."""

    figures: tuple[FigureChange, ...] = ()
    figures_added: tuple[FigureChange, ...] = ()
    figures_removed: tuple[FigureChange, ...] = ()
    added: tuple[ItemChange, ...] = ()
    removed: tuple[ItemChange, ...] = ()
    sources: tuple[ItemChange, ...] = ()
    edits: tuple[tuple[str, int], ...] = ()  # (kind, how many of its items had other edits), in the kinds' order
    first: tuple[tuple[str, int], ...] = ()


class Unit(NamedTuple):
    """What one side reads of a unit (an item, a record, an article edition, a strings file): its names by language,
    what changes when it is edited (a signature or a blob id), and whether it is listed (can be added or removed;
    the others are only edited)."""

    names: tuple[tuple[str, str], ...]
    signature: object
    listed: bool


@dataclass
class Side:
    """One side of a comparison: units ((kind, id) -> Unit), figures (key -> (owner unit, Figure)), and the kinds
    whose file could not be read."""

    units: dict[tuple[str, str], Unit] = field(default_factory=dict)
    figures: dict = field(default_factory=dict)
    unread: set = field(default_factory=set)

    def add(self, other: "Side") -> None:
        """Take in what another side read."""
        self.units.update(other.units)
        self.figures.update(other.figures)
        self.unread |= other.unread


@dataclass
class Reader:
    """Old versions of files, read on demand: read(blob) gives a blob's bytes (None when it cannot be had). What was
    read of each file's last version compared is kept for the next comparison, which starts from it, and nothing
    older: memory is bounded by the largest version, not by the length of the history."""

    read: Callable[[str], bytes | None]
    files: dict = field(default_factory=dict)  # path -> (blob, Side) of its last version read whole
    items: dict = field(default_factory=dict)  # path -> {item text: Side} of its last version read item by item


def compare(registry: Registry, before: dict, after: dict, reader: Reader) -> Difference:
    """What changed from the files `before` to the files `after` (path -> blob id), their versions read through
    `reader`. A file no kind reads is compared by its blob id and never read."""
    order = {k.name: k.order for k in registry.kinds}
    if not before:
        counts: Counter = Counter()
        for path, blob in after.items():
            kind = _kind_of(path, registry)
            counts.update(_count(kind, path, reader.read(blob)) if kind is not None else {})
        found = (kn for kn in counts.items() if kn[1])  # a kind with no items yet is not said to be published
        return Difference(first=tuple(sorted(found, key=lambda kn: (order.get(kn[0], len(order)), kn[0]))))
    old, new = Side(), Side()
    for path in sorted(p for p in before.keys() | after.keys() if before.get(p) != after.get(p)):
        was, now = _pair(path, before.get(path), after.get(path), registry, reader)
        old.add(was)
        new.add(now)
    return _difference(registry, old, new, order)


def _difference(registry: Registry, old: Side, new: Side, order: dict) -> Difference:
    """The difference between what two sides read."""
    unread = old.unread | new.unread  # a version that cannot be read: its kind counts as edited, nothing is listed
    added = _listed(new, old, unread, order)
    removed = _listed(old, new, unread, order)
    gone = {(u.kind, u.id) for u in added + removed}
    edited = _edited(registry, old, new, unread, gone)
    changed, grew, shrank = _figure_changes(old, new, unread, gone)
    kinds = sorted(edited, key=lambda k: (order.get(k, len(order)), k))
    return Difference(
        tuple(changed),
        tuple(grew),
        tuple(shrank),
        tuple(u for u in added if u.kind != "sources"),
        tuple(removed),
        tuple(u for u in added if u.kind == "sources"),
        tuple((k, len(edited[k])) for k in kinds),
    )


def _listed(side: Side, other: Side, unread: set, order: dict) -> list[ItemChange]:
    """The listed items one side reads and the other does not (of kinds both could read), in the kinds' order."""

    def by_kind(u):
        return order.get(u.kind, len(order)), u.kind, u.id

    return sorted(
        (
            ItemChange(*k, side.units[k].names)
            for k in side.units.keys() - other.units.keys()
            if side.units[k].listed and k[0] not in unread
        ),
        key=by_kind,
    )


def _edited(registry: Registry, old: Side, new: Side, unread: set, gone: set) -> dict[str, set]:
    """The items edited, by kind (an article's editions are one article); a kind with a version that cannot be
    read counts as edited."""
    edited: dict[str, set] = {kind: {""} for kind in unread}
    markdown = {k.name for k in registry.of_shape("markdown")}
    for unit in (old.units.keys() ^ new.units.keys()) | {
        k for k in old.units.keys() & new.units.keys() if old.units[k].signature != new.units[k].signature
    }:
        kind, ident = unit
        ident = ident.partition(".")[0] if kind in markdown else ident
        if (kind, ident) not in gone and kind not in unread:
            edited.setdefault(kind, set()).add(ident)
    return edited


def _figure_changes(old: Side, new: Side, unread: set, gone: set) -> tuple[list, list, list]:
    """The figures changed, and those that came or went with an item that stayed."""
    changed, grew, shrank = [], [], []
    for key in sorted(old.figures.keys() | new.figures.keys()):
        was, now = old.figures.get(key), new.figures.get(key)
        if was and now:
            fields = _differ(was[1], now[1])
            if fields:
                changed.append(FigureChange(key, was[1], now[1], fields))
        elif now and _stayed(now[0], old, gone, unread):
            grew.append(FigureChange(key, None, now[1]))
        elif was and _stayed(was[0], new, gone, unread):
            shrank.append(FigureChange(key, was[1], None))
    return changed, grew, shrank


def _stayed(unit, other: Side, gone: set, unread: set) -> bool:
    """Whether the item a figure belongs to is on the other side too, neither added nor removed nor unreadable."""
    return unit not in gone and unit in other.units and unit[0] not in unread


def _differ(old: Figure, new: Figure) -> tuple[str, ...]:
    """Which of value (with its unit, scale, qualifier ...), as_of and source differ between two figures."""
    shown = any(getattr(old, f) != getattr(new, f) for f in VALUE) or old.texts.get("shared_with") != new.texts.get(
        "shared_with"
    )
    fields = ("value",) if shown else ()
    return fields + tuple(f for f in ("as_of", "source") if getattr(old, f) != getattr(new, f))


def _kind_of(path: str, registry: Registry) -> Kind | None:
    """The kind whose file (or folder) holds a path under content/: a folder's kind reads the files directly in it
    (`*.md`, `*.yaml`), as the build does, so a draft in a subfolder is no part of the history."""
    for kind in registry.kinds:
        folder = f"{FOLDER}/{kind.file}"
        if path == folder or (
            kind.shape in ("markdown", "strings")
            and path.startswith(folder + "/")
            and "/" not in path[len(folder) + 1 :]
            and path.endswith(".md" if kind.shape == "markdown" else ".yaml")
        ):
            return kind
    return None


def _pair(path: str, a: str | None, b: str | None, registry: Registry, reader: Reader) -> tuple[Side, Side]:
    """What two versions of one file (blob ids; None: absent) hold that may differ; a list file's items whose text
    is the same in both are left out unread."""
    kind = _kind_of(path, registry)
    if kind is None:

        def other(blob: str | None) -> Side:
            return Side({("other", path): Unit((), blob, False)}) if blob else Side()

        return other(a), other(b)
    if kind.shape == "list":
        data = [reader.read(blob) if blob else b"" for blob in (a, b)]
        texts = [_text(found) if found is not None else None for found in data]
        chunks = [(split_items(text) if text.strip() else []) if text is not None else None for text in texts]
        if chunks[0] is not None and chunks[1] is not None:
            same = Counter(c for _, c in chunks[0]) & Counter(c for _, c in chunks[1])
            was = _items(kind, _unshared([c for _, c in chunks[0]], same), reader.items.get(path, {}), registry)
            known: dict = {}
            now = _items(kind, _unshared([c for _, c in chunks[1]], same), known, registry)
            reader.items[path] = known
            return was, now
        return _whole(path, a, texts[0], kind, registry, reader), _whole(path, b, texts[1], kind, registry, reader)
    return _version(path, a, kind, registry, reader), _version(path, b, kind, registry, reader)


def _unshared(chunks: list[str], same: Counter) -> list[str]:
    """The chunks that are not among those the other version has too."""
    left, rest = Counter(same), []
    for chunk in chunks:
        if left[chunk]:
            left[chunk] -= 1
        else:
            rest.append(chunk)
    return rest


def _items(kind: Kind, chunks: list[str], known: dict, registry: Registry) -> Side:
    """The items of a list file written as these chunks of text; `known` holds those read before, and takes in
    those read now."""
    side = Side()
    for chunk in chunks:
        if chunk not in known:
            known[chunk] = _list(kind, _tree(chunk), registry)
        side.add(known[chunk])
    return side


def _version(path: str, blob: str | None, kind: Kind, registry: Registry, reader: Reader) -> Side:
    """What one version of a whole file holds (None: absent)."""
    if not blob:
        return Side()
    found = reader.files.get(path)
    if found is None or found[0] != blob:
        data = reader.read(blob)
        return _whole(path, blob, _text(data) if data is not None else None, kind, registry, reader)
    return found[1]


def _whole(path: str, blob: str | None, text: str | None, kind: Kind, registry: Registry, reader: Reader) -> Side:
    """What one version of a whole file holds, from its text (None: it could not be read); kept for the next
    comparison."""
    if not blob:
        return Side()
    side = _read(path, blob, text, kind, registry) if text is not None else Side(unread={kind.name})
    reader.files[path] = (blob, side)
    return side


def _read(path: str, blob: str, text: str, kind: Kind, registry: Registry) -> Side:
    """What one version of a file of a kind holds, read leniently."""
    side = Side()
    if kind.shape == "list":
        return _list(kind, _tree(text), registry)
    elif kind.shape == "single":
        tree = _tree(text)
        if isinstance(tree, dict):
            side.figures.update(_figures(kind, kind.name, tree, (kind.name, ""), registry.languages))
            side.units[(kind.name, "")] = Unit((), _signature(kind, tree), False)
        else:
            side.unread.add(kind.name)
    elif kind.shape == "markdown" and path.endswith(".md"):
        name = printable(path[len(f"{FOLDER}/{kind.file}/") : -3])
        match = FRONT_MATTER.match(text)
        front = _tree(match.group(1) or "") if match else None
        title = front.get("title") if isinstance(front, dict) else None
        lang = name.rpartition(".")[2] if "." in name else registry.languages[0]
        names = ((lang, title),) if isinstance(title, str) else ()
        side.units[(kind.name, name)] = Unit(names, blob, "." not in name)
    else:
        side.units[(kind.name, path[len(f"{FOLDER}/{kind.file}/") :])] = Unit((), blob, False)
    return side


def _list(kind: Kind, tree, registry: Registry) -> Side:
    """The items of a list (a whole file, or one item's chunk of it) as units and figures; a list that cannot be
    read leaves its kind unread."""
    side = Side()
    if not isinstance(tree, list):
        side.unread.add(kind.name)
        return side
    for item in tree:
        ident = item.get("id") if isinstance(item, dict) else None
        if isinstance(ident, str):
            side.figures.update(_figures(kind, f"{kind.name}.{ident}", item, (kind.name, ident), registry.languages))
            side.units[(kind.name, ident)] = Unit(_names(item, registry), _signature(kind, item), True)
    return side


def _count(kind: Kind, path: str, data: bytes | None) -> dict[str, int]:
    """How many items (articles, in their first language) one version of a file of a kind holds (none when it
    cannot be read)."""
    if kind.shape not in ("list", "markdown") or data is None:
        return {}
    if kind.shape == "markdown":
        name = path.rpartition("/")[2]
        return {kind.name: 1} if name.endswith(".md") and name.count(".") == 1 else {}
    text = _text(data)
    chunks = split_items(text) if text.strip() else []
    if chunks is None:
        tree = _tree(text)
        return {kind.name: len(tree) if isinstance(tree, list) else 0}
    return {kind.name: len(chunks)}


def _text(data: bytes) -> str:
    """A file's bytes as text (a byte that is not UTF-8 becomes U+FFFD)."""
    return data.decode("utf-8", "replace").removeprefix("\ufeff")


def _tree(text: str):
    """YAML text as plain values (every scalar as the text it is written as, less the characters no page may hold),
    or None when it cannot be read. Text nested too deeply for libyaml is not read; text without anchors, aliases or
    tags is read by libyaml's base loader; other text by the validator's own parser, so an alias bomb in an old
    version is refused as it would be today."""
    if too_deep(text) is not None:
        return None
    if FAST is not None and plain_list(text):
        try:
            return _plain(yaml.load(text, Loader=FAST))  # noqa: S506 - the base loader makes only strings, lists and dicts
        except (yaml.YAMLError, TypeError, RecursionError):
            pass
    try:
        node = parse_yaml(text, "", Problems())
        return _plain(node) if node is not None else None
    except (yaml.YAMLError, RecursionError, ValueError):
        return None


def _plain(value):
    """A YAML node, or values the base loader made, as dicts, lists and strings without the characters no page may
    hold (an old version was never validated)."""
    if isinstance(value, yaml.MappingNode):
        return {_key(k): _plain(v) for k, v in value.value}
    if isinstance(value, dict):
        return {printable(str(k)): _plain(v) for k, v in value.items()}
    if isinstance(value, (yaml.SequenceNode, list)):
        return [_plain(v) for v in (value.value if isinstance(value, yaml.SequenceNode) else value)]
    return printable(value.value if isinstance(value, yaml.Node) else value) if value is not None else None


def _key(node) -> str:
    """A mapping key as text."""
    return printable(node.value) if isinstance(node, yaml.ScalarNode) else repr(_plain(node))


def _figures(kind: Kind, prefix: str, record: dict, owner: tuple, languages: tuple[str, ...]) -> dict:
    """The figures of one item or record by their global keys, as validate._key_entity and _key_record name them."""
    found = {}
    single = kind.shape == "single"
    for name in kind.figure_fields:
        fig = _figure(record.get(name), f"{prefix}.{name}", languages)
        if fig is not None:
            found[fig.key] = (owner, fig)
    for name in (*kind.named_figures, *kind.figure_maps):
        table = record.get(name)
        base = f"{prefix}.{name}" if single or name in kind.figure_maps else prefix
        for ident, value in table.items() if isinstance(table, dict) else ():
            fig = _figure(value, f"{base}.{ident}", languages)
            if fig is not None:
                found[fig.key] = (owner, fig)
    return found


def _figure(raw, key: str, languages: tuple[str, ...]) -> Figure | None:
    """A figure from its raw mapping, or None when it has no number a page could write; its label and tie in each of
    the site's languages (the base's first) in `texts`, as the validator gathers them."""
    if not isinstance(raw, dict) or not isinstance(raw.get("value"), str):
        return None
    try:
        value = Decimal(raw["value"].replace("_", ""))
    except InvalidOperation:
        return None
    if not value.is_finite() or (value and value.adjusted() >= MAX_DIGITS):
        return None
    exponent = value.normalize().as_tuple().exponent  # an int: the value is finite
    if not isinstance(exponent, int) or exponent < -MAX_DECIMALS:  # the bounds of today's figures: what pages write
        return None
    fields = {name: raw[name] for name in (*DATA[1:], "label") if isinstance(raw.get(name), str)}
    base, *others = languages
    texts = Texts(
        {
            name: {base: raw[name], **{lang: _str(raw.get(f"{name}_{lang}")) for lang in others}}
            for name in TEXTS
            if isinstance(raw.get(name), str)
        }
    )
    return Figure(value=value, **{"unit": "", "as_of": "", "source": ""} | fields, texts=texts, key=key)


def _str(value) -> str | None:
    """A raw value when it is text."""
    return value if isinstance(value, str) else None


def _signature(kind: Kind, record: dict):
    """A record without its figures' data: what is left to compare for other edits."""
    plain = dict(record)
    for name in kind.figure_fields:
        if isinstance(plain.get(name), dict):
            plain[name] = _texts(plain[name])
    for name in (*kind.named_figures, *kind.figure_maps):
        if isinstance(plain.get(name), dict):
            plain[name] = {k: _texts(v) for k, v in plain[name].items()}
    return plain


def _texts(raw):
    """A raw figure without its data."""
    return (
        {k: v for k, v in raw.items() if k not in DATA and k.rpartition("_")[0] not in DATA}
        if isinstance(raw, dict)
        else raw
    )


def _names(item: dict, registry: Registry) -> tuple[tuple[str, str], ...]:
    """An item's name (or a source's title) in each language it gives."""
    found = []
    for lang in registry.languages:
        for field_name in ("name", "title"):
            text = item.get(field_name if lang == registry.languages[0] else f"{field_name}_{lang}")
            if isinstance(text, str):
                found.append((lang, text))
                break
    return tuple(found)
