"""Charts as models/*.yaml declare them, under `charts:` in the model of the kind whose data they draw.

A declaration names a chart's type (bar, line, grouped-bar, dot), what its rows are (years, or the kind's items),
its series (a field of figures, figures by key, or for a dot chart a test on each item) and the interface strings
that title and summarize it. It is read with the same field engine as the rest of a model; checked against the other
kinds once every model is read (check_declared), and against the content once that is read (check_content): its
strings exist in every language and name only the placeholders the chart gives, its figures exist, and a series (or
a chart's shared axis) holds figures of one unit. Every mistake is reported at its line, in the model or the
strings file."""

from __future__ import annotations

import dataclasses
from collections import Counter
from dataclasses import dataclass, replace
from string import Formatter
from typing import Any

import yaml

from ..errors import Location, Problems
from . import model
from .fields import (
    INVALID,
    Choice,
    Date,
    FigureKey,
    ListOf,
    MapOf,
    Number,
    Period,
    Record,
    Ref,
    Text,
    Year,
    did_you_mean,
)

TYPES = ("bar", "line", "grouped-bar", "dot")
BY = ("year", "item")
# The strings the renderer itself uses, by the charts that need them (the rest a declaration names).
ENGINE_STRINGS = {
    "any": ("chart_no_data",),
    "trend": ("chart_up", "chart_down"),
    "mark": ("chart_mark",),
    "dot": ("chart_total", "cell_yes", "cell_no", "and_list"),
}


class Explained(Choice):
    """A choice whose mistake is explained by its help text when no option is close."""

    def check(self, value, node, cx):
        if value not in self.options:
            return cx.error(
                node,
                f"'{value}' is not one of: {', '.join(self.options)}",
                did_you_mean(value, self.options) or self.help,
            )
        return value


class Located(Record):
    """A record that also keeps where each of its keys' values is (`at`, and `at['key.N']` for a list's items), so a
    mistake found once every model is read is reported at its value."""

    def parse(self, node, cx):
        made = super().parse(node, cx)
        if made is INVALID:
            return made
        at = {}
        for knode, vnode in node.value:
            at[knode.value] = cx.at(vnode)
            for n, child in enumerate(vnode.value if isinstance(vnode, yaml.SequenceNode) else ()):
                at[f"{knode.value}.{n}"] = cx.at(child)
        return replace(made, at=at)


@dataclass(frozen=True)
class Series:
    """One series: the field it draws, of the chart's own kind unless `kind` names another (or `figures`, figure
    keys, each drawn at the year it holds for), named by the string `label` (the table's column) and `head` (a bar
    panel's heading). `each` draws a year map of every item of a collection, one series per item. A dot chart's
    series is a test on each row's item: its list `field` holds `has`, or the `latest` item of `kind` (by that field)
    lists the row's id in its `field`."""

    field: str | None = None
    kind: str | None = None
    figures: tuple[str, ...] = ()
    label: str | None = None
    head: str | None = None
    has: str | None = None
    latest: str | None = None
    each: bool = False
    unit: str | None = None
    id: str | None = None
    loc: Location = Location("")
    at: dict = dataclasses.field(default_factory=dict, compare=False)

    @property
    def ident(self) -> str:
        """The series' name in summary placeholders: its id, else the value it tests for, else its field."""
        return self.id or self.has or self.field or self.label or ""

    @property
    def drawn(self) -> str:
        """The field it draws: every series has one but a series of `figures`."""
        if self.field is None:
            raise ValueError(f"the series {self.ident} draws figures, not a field")
        return self.field


@dataclass(frozen=True)
class Mark:
    """Rows to mark (hatched and starred) when a field of their item has one of some values (`when`), left out of the
    summary's comparison; `legend` explains the star, `note` is said of each marked row, and `column` adds a column
    to the table showing the field's value through the strings FIELD_VALUE."""

    when: dict
    legend: str
    note: str | None = None
    column: str | None = None
    loc: Location = Location("")
    at: dict = dataclasses.field(default_factory=dict, compare=False)

    @property
    def field(self) -> str:
        """The field the mark tests."""
        return next(iter(self.when))

    @property
    def values(self) -> tuple[str, ...]:
        """The values that mark a row."""
        return tuple(next(iter(self.when.values())))


@dataclass(frozen=True)
class ChartSpec:
    """One declared chart: its id (charts.ID in templates, chart-ID on the page), the kind whose model declares it,
    its type, its rows (`by`: year, or the kind's items ordered by `sort` and named by `label`), its series, its
    strings (title, summary alternatives, the table's first column `head`: by default 'year', or the string named
    after one item of the kind), the count noun of a dot chart's rows (`unit`), its marked rows, its CSV download and,
    by year, the first year it draws (`since`). `link`: its rows link to their items' pages."""

    type: str
    by: str
    series: tuple[Series, ...]
    title: str
    summary: tuple[str, ...]
    head: str | None = None
    label: str = "name"
    sort: str | None = None
    unit: str | None = None
    mark: Mark | None = None
    csv: str | None = None
    since: int | None = None
    id: str = ""
    kind: str = ""
    link: bool = False
    loc: Location = Location("")
    at: dict = dataclasses.field(default_factory=dict, compare=False)


def declared(kind, charts: dict) -> tuple[ChartSpec, ...]:
    """A model's charts, each given its id and kind (and whether its rows have pages to link to)."""
    linked = bool(kind.collection and kind.pages and kind.pages.item)
    return tuple(
        replace(
            spec,
            id=name,
            kind=kind.name,
            link=linked and spec.by == "item",
            head=spec.head or ("year" if spec.by == "year" else kind.one),
        )
        for name, spec in charts.items()
    )


# Checks once every model is read.


def check_declared(registry, problems: Problems) -> None:
    """Report charts that name unknown kinds, fields, downloads or values, or draw fields of the wrong shape."""
    seen: dict[str, str] = {}
    downloads = {d.name for k in registry.kinds for d in k.downloads}
    for kind in registry.kinds:
        for spec in kind.charts:
            if spec.id in seen:
                problems.error(
                    spec.loc,
                    f"chart '{spec.id}' is declared twice",
                    f"it is already declared in {seen[spec.id]}: give one another id",
                )
            seen.setdefault(spec.id, spec.loc.source)
            _check_chart(spec, kind, registry, downloads, problems)


def _check_chart(spec: ChartSpec, kind, registry, downloads: set, problems: Problems) -> None:
    """One chart's type and rows, mark, download and series."""

    def error(key: str, message: str, hint: str = "") -> None:
        problems.error(spec.at.get(key, spec.loc), message, hint)

    _check_rows(spec, kind, error)
    if spec.csv and spec.csv not in downloads:
        error(
            "csv",
            f"no download is named '{spec.csv}'",
            did_you_mean(spec.csv, downloads) or "name a CSV declared under 'downloads:' in models/",
        )
    if spec.mark is not None:
        _check_mark(spec, spec.mark, kind, problems)
    ids: dict[str, Series] = {}
    for s in spec.series:
        _check_series(spec, s, kind, registry, problems)
        if s.ident in ids and not s.each:  # (the series of `each` are named after their items)
            problems.error(
                s.loc,
                f"two series of chart '{spec.id}' are called '{s.ident}'",
                "give one an 'id:' of its own (summaries name series by it)",
            )
        ids.setdefault(s.ident, s) if s.each else ids.update({s.ident: s})


def _check_rows(spec: ChartSpec, kind, error) -> None:
    """The chart's type fits its rows (years or items), and the fields naming and sorting items exist."""
    if spec.since is not None and spec.by != "year":
        error("since", "only a chart by year starts at a year", "remove 'since: ...'")
    if spec.type == "line" and spec.by != "year":
        error("by", "a line chart runs over years", "write 'by: year', or make it a bar chart")
    if spec.type == "dot" and spec.by != "item":
        error("by", "a dot chart has a row per item", "write 'by: item'")
    if spec.by == "item" and not kind.collection:
        error(
            "by",
            f"{kind.name} is one record, not a list of items: a chart by item needs items",
            "draw its maps of figures by year: 'by: year'",
        )
    elif spec.by == "item":
        for key, name in (("label", spec.label), ("sort", (spec.sort or "").lstrip("-"))):
            if name and name not in kind.record.fields:
                error(key, f"{kind.name} has no field '{name}'", _fields_hint(name, kind))
            elif key == "label" and not isinstance(kind.record.fields[name], Text):
                error(key, f"field '{name}' of {kind.name} is not a text", "name the rows by a text field, e.g. name")


def _check_mark(spec: ChartSpec, mark: Mark, kind, problems: Problems) -> None:
    """A mark tests one field of the rows' items for some of its values."""
    if len(mark.when) != 1:
        problems.error(mark.at.get("when", mark.loc), "a mark tests one field", "e.g. when: {measure: [started]}")
        return
    if spec.by != "item" or not kind.collection:
        problems.error(mark.loc, "only a chart by item marks rows", "remove 'mark:'")
        return
    found = kind.record.fields.get(mark.field)
    if found is None:
        problems.error(mark.at["when"], f"{kind.name} has no field '{mark.field}'", _fields_hint(mark.field, kind))
    elif isinstance(found, Choice):
        for value in mark.values:
            if value not in found.options:
                problems.error(
                    mark.at["when"],
                    f"'{value}' is not one of: {', '.join(found.options)}",
                    did_you_mean(value, found.options),
                )


def _check_series(spec: ChartSpec, s: Series, kind, registry, problems: Problems) -> None:
    """A series names a kind that exists, and a field of it whose shape fits the chart."""
    owner = registry.by_name.get(s.kind or kind.name)
    if owner is None:
        names = [k.name for k in registry.kinds]
        problems.error(
            s.at["kind"],
            f"unknown kind '{s.kind}'",
            did_you_mean(s.kind or "", names) or "known kinds: " + ", ".join(names),
        )
        return
    if bool(s.figures) == bool(s.field):
        problems.error(
            s.loc,
            "a series draws either a 'field' or 'figures'",
            "field: the name of a field of figures; figures: a list of figure keys",
        )
        return
    if s.figures:
        _check_figures_series(spec, s, problems)
        return
    found = owner.record.fields.get(s.field) if owner.record else None
    if found is None:
        problems.error(s.at["field"], f"{owner.name} has no field '{s.field}'", _fields_hint(s.drawn, owner))
        return
    problem = _series_problem(spec, s, found, owner, kind, registry)
    if problem:
        problems.error(s.at.get(problem[0], s.loc), problem[1], problem[2])
    elif not s.label and not s.each:
        problems.error(
            s.loc,
            "a series needs a 'label': the interface string naming it",
            "e.g. label: projects_count (a key of content/i18n/*.yaml)",
        )


def _check_figures_series(spec: ChartSpec, s: Series, problems: Problems) -> None:
    """Figures by key are drawn at their years, in a chart that is not a dot chart, and named."""
    if spec.by != "year" or spec.type == "dot":
        problems.error(
            s.at["figures"],
            "a series of figures goes in a chart by year",
            "each figure is drawn at the year it holds for: write 'by: year'",
        )
    if not s.label:
        problems.error(s.loc, "a series of figures needs a 'label': the interface string naming it")


def _series_problem(spec: ChartSpec, s: Series, found, owner, kind, registry) -> tuple[str, str, str] | None:
    """What is wrong with the field a series draws, for the chart's type and rows: (key, message, hint) or None."""
    if spec.type == "dot":
        return _dot_problem(s, found, owner, kind)
    for key in ("has", "latest"):
        if getattr(s, key) is not None:
            return key, f"'{key}' is only for a dot chart's series", f"remove '{key}: ...'"
    if spec.by == "item":
        if owner is not kind:
            return "kind", "a series by item draws a field of the chart's own kind", "remove 'kind: ...'"
        if not _is_figure(found):
            return "field", f"field '{s.field}' of {owner.name} is not a figure", _shapes_hint(owner, "figure")
        return None
    if not _is_year_map(found):
        return (
            "field",
            f"field '{s.field}' of {owner.name} is not a map of figures (or of figure keys) by year",
            _shapes_hint(owner, "year map"),
        )
    if owner.collection and not s.each:
        return (
            "field",
            f"{owner.name} holds many items: a series by year draws one item's map",
            "add 'each: true' to draw one series per item",
        )
    if s.each and not owner.collection:
        return "each", f"{owner.name} is one record: 'each' draws one series per item of a list", "remove 'each'"
    return None


def _dot_problem(s: Series, found, owner, kind) -> tuple[str, str, str] | None:
    """A dot series tests a list of choices for a value, or the latest item's list of the rows' ids."""
    if (s.has is None) == (s.latest is None):
        return (
            "field",
            "a dot chart's series needs 'has' or 'latest'",
            "has: a value the row's list holds (has: pillar); latest: the field that orders another kind's items "
            "(latest: date), whose latest item lists the rows in 'field'",
        )
    if s.has is not None:
        options = _options(found)
        if owner is not kind or options is None:
            return (
                "field",
                f"field '{s.field}' of {owner.name} is not a choice or a list of choices of {kind.name}",
                "'has' tests a field such as tiers: {type: list, of: {type: choice, ...}}",
            )
        if s.has not in options:
            return "has", f"'{s.has}' is not one of: {', '.join(options)}", did_you_mean(s.has, options)
        return None
    if not (isinstance(found, ListOf) and isinstance(found.item, Ref) and found.item.kind == kind.name):
        return (
            "field",
            f"field '{s.field}' of {owner.name} is not a list of {kind.name}",
            f"'latest' reads a list of {kind.name} ids, e.g. fields: {{type: list, of: {{type: ref, to: {kind.name}}}}}",
        )
    orders = [n for n, f in owner.record.fields.items() if isinstance(f, (Date, Period, Year, Number))]
    if s.latest not in orders:
        return (
            "latest",
            f"'{s.latest}' is not a date or number of {owner.name}",
            f"its dates and numbers: {', '.join(orders)}" if orders else f"{owner.name} has no date to order it by",
        )
    return None


def _is_figure(f) -> bool:
    """Whether a field holds one figure."""
    return isinstance(f, Record) and f.cls is model.Figure


def _is_year_map(f) -> bool:
    """Whether a field maps years to figures, or to the keys of figures held elsewhere (profile.gdp.2022)."""
    return isinstance(f, MapOf) and isinstance(f.key, Year) and (_is_figure(f.value) or isinstance(f.value, FigureKey))


def _options(f) -> tuple[str, ...] | None:
    """The values a choice (or a list of choices) may take, or None for another field."""
    if isinstance(f, ListOf):
        f = f.item
    return f.options if isinstance(f, Choice) else None


def _fields_hint(name: str, kind) -> str:
    """Did you mean, or the kind's fields."""
    names = list(kind.record.fields) if kind.record else []
    return did_you_mean(name, names) or f"fields of {kind.name}: " + ", ".join(names)


def _shapes_hint(kind, shape: str) -> str:
    """The kind's fields of the shape a chart needs."""
    fields = kind.record.fields if kind.record else {}
    fits = [n for n, f in fields.items() if (_is_figure(f) if shape == "figure" else _is_year_map(f))]
    return f"its fields of that shape: {', '.join(fits)}" if fits else f"{kind.name} has no {shape} field"


# Checks once the content is read: strings, their placeholders, figures and units.


def check_content(registry, content: model.Content, problems: Problems, locate) -> None:
    """Report a chart's strings missing in some language or naming placeholders it does not give (at the strings
    file's line: `locate(lang, key)`), figure keys that name no figure, and a series (or a shared axis) of figures in
    more than one unit."""
    records = record_texts(registry)
    for spec in registry.charts.values():
        ids = [s.ident for s in spec.series if not s.each]
        ids += [i for s in spec.series if s.each for i in getattr(content, s.kind or spec.kind)]
        for lang in registry.languages:
            strings = content.strings.get(lang) or {}
            for key, where, role in declared_strings(spec, registry):
                if key not in strings:
                    add = f"add a line '{key}: ...' to content/i18n/{lang}.yaml"
                    problems.error(
                        where or locate(lang, key),
                        f"string '{key}' is not in content/i18n/{lang}.yaml",
                        did_you_mean(key, strings) or add if where else f"charts need it: {add}",
                    )
                    continue
                allowed = placeholders(spec, role, ids, registry, records)
                for message, hint in _placeholder_problems(key, strings[key], allowed):
                    problems.error(locate(lang, key), message, hint)
        _check_figures(spec, content, problems)


def declared_strings(spec: ChartSpec, registry) -> list[tuple[str, Location | None, Any]]:
    """The strings a chart uses: (key, where it is declared (None for the renderer's own), its role: what fills
    its placeholders)."""
    found: list[tuple[str, Location | None, Any]] = [(spec.title, spec.at.get("title", spec.loc), "title")]
    found += [(key, spec.at.get(f"summary.{n}", spec.loc), "summary") for n, key in enumerate(spec.summary)]
    found += [(spec.head or "", spec.at.get("head", spec.loc), "plain")]  # (declared() gives every chart one)
    for s in spec.series:
        found += [(key, s.at[name], s) for name, key in (("label", s.label), ("head", s.head)) if key]
    if spec.mark is not None:
        mark = spec.mark
        found += [
            (key, mark.at[name], name)
            for name, key in (("legend", mark.legend), ("note", mark.note), ("column", mark.column))
            if key
        ]
        options = _options(registry[spec.kind].record.fields.get(mark.field)) if mark.column else None
        found += [(value_key(mark.field, v), mark.at["column"], "plain") for v in options or ()]
    engine = ENGINE_STRINGS["any"] + ENGINE_STRINGS["dot" if spec.type == "dot" else "trend"]
    engine += ENGINE_STRINGS["mark"] if spec.mark else ()
    return found + [(key, None, "plain") for key in engine]


def value_key(name: str, value: str) -> str:
    """The string that shows a choice's value in a table: measure, started -> measure_started."""
    return f"{name}_{value}".replace("-", "_")


def record_texts(registry) -> frozenset[str]:
    """The text fields of the single records, as every chart string may name them ({profile.name})."""
    return frozenset(f"{k.name}.{n}" for k in registry.of_shape("single") for n in _texts(k.record.fields, registry))


def placeholders(spec: ChartSpec, role, ids: list[str], registry, records: frozenset[str]) -> frozenset[str]:
    """The placeholders a chart's string may name, by its role: the title, the summary, a series' label (a Series),
    a marked row's note, or plain text; and every string the text fields of the single records (`records`)."""
    unit = set() if spec.type == "dot" else {"unit"}
    if role == "title":
        return frozenset(records | unit)
    if role == "note":
        return frozenset(records | {"name"})
    if isinstance(role, Series):
        picked = registry[role.kind].record.fields if role.latest and role.kind in registry else {}
        return frozenset(records | unit | set(_texts(picked, registry)))
    if role == "summary":
        return frozenset(records | summary_names(spec, ids))
    return frozenset(records)


def _texts(fields: dict, registry) -> list[str]:
    """The text fields of a record, without the twins of its localized ones (a page's copy says name in its own
    language)."""

    def twin(name: str) -> bool:
        base, _, lang = name.rpartition("_")
        return lang in registry.languages[1:] and base in fields

    return [n for n, f in fields.items() if isinstance(f, Text) and not twin(n)]


def summary_names(spec: ChartSpec, ids: list[str]) -> set[str]:
    """What a summary may say. A dot chart: each series' count ({pillar}: '4 industries', {pillar_number}: '4') and
    the rows in two series ({pillar_and_emerging}). Other charts, over the rows not marked: the first series' first
    and last values ({first}, {last}), their rows ({first_year} or {first_name}, {last_...}), whether it rose or
    fell ({trend}), and each series' last value ({investment}, {investment_number} without its unit)."""
    numbers = {*ids, *(f"{i}_number" for i in ids)}
    if spec.type == "dot":
        return numbers | {f"{a}_and_{b}" for a in ids for b in ids if a != b}
    row = "year" if spec.by == "year" else "name"
    return numbers | {"first", "last", "trend", f"first_{row}", f"last_{row}"}


def names_in(text: str) -> list[tuple[str, str, str]]:
    """The placeholders of a string: (name, format spec, conversion) each; ValueError for a stray brace."""
    return [(name, spec or "", conv or "") for _, name, spec, conv in Formatter().parse(text) if name is not None]


def _placeholder_problems(key: str, text: str, allowed: frozenset[str]) -> list[tuple[str, str]]:
    """What is wrong with a string's placeholders: (message, hint) each."""
    try:
        found = names_in(text)
    except ValueError as exc:
        return [(f"string '{key}': {exc}", "write a placeholder as {name}, and a brace as {{ or }}")]
    can = ", ".join("{" + n + "}" for n in sorted(allowed)) or "none"
    out = []
    for name, spec, conv in found:
        if name not in allowed:
            close = did_you_mean(name, allowed)
            out.append(
                (
                    f"string '{key}' has the unknown placeholder {{{name}}}",
                    (f"{close} " if close else "") + f"placeholders it can use: {can}",
                )
            )
        elif spec or conv:
            out.append((f"string '{key}': write the placeholder as {{{name}}}", "charts format their numbers"))
    return out


def _check_figures(spec: ChartSpec, content: model.Content, problems: Problems) -> None:
    """Figure keys name figures; a series holds one unit, and so do all series of a chart with one axis."""
    axis: list = []
    for s in spec.series:
        for n, key in enumerate(s.figures):
            if key not in content.figures:
                problems.error(
                    s.at.get(f"figures.{n}", s.loc),
                    f"unknown figure '{key}'",
                    did_you_mean(key, content.figures) or "use a figure key such as profile.gdp.2022",
                )
        found = series_figures(spec, s, content)
        _one_unit(spec, found, s.unit, problems)
        axis += found
    if spec.type in ("line", "grouped-bar") and not any(s.unit for s in spec.series):
        _one_unit(spec, axis, None, problems)


def _one_unit(spec: ChartSpec, figures: list, unit: str | None, problems: Problems) -> None:
    """Report the figures of a series (or axis) that are not in its unit: the declared one, or most figures'."""
    unit = unit or (Counter(f.unit for f in figures).most_common(1)[0][0] if figures else None)
    for fig in figures:
        if fig.unit != unit:
            problems.error(
                fig.loc,
                f"figure {fig.key} is in {fig.unit}, but chart '{spec.id}' draws it beside figures in {unit}",
                f"give the figures one unit, or draw this one in another chart ({spec.loc.source})",
            )
            return


def series_figures(spec: ChartSpec, s: Series, content) -> list:
    """Every figure a series draws (no dot series draws figures)."""
    if spec.type == "dot":
        return []
    if s.figures:
        return [content.figures[k] for k in s.figures if k in content.figures]
    source = getattr(content, s.kind or spec.kind)
    if spec.by == "item":
        return [f for f in (getattr(i, s.drawn) for i in source.values()) if f is not None]
    maps = [getattr(i, s.drawn) for i in source.values()] if s.each else [getattr(source, s.drawn)]
    return [
        content.figures.get(f) if isinstance(f, str) else f
        for m in maps
        for year, f in (m or {}).items()
        if (not isinstance(f, str) or f in content.figures) and (spec.since is None or year >= spec.since)
    ]
