"""Charts drawn at build time from their declarations (`charts:` in models/*.yaml, read by content/chartspec.py):
one generic renderer gathers a chart's rows and series from the content, says them in a summary sentence (the SVG's
accessible name) and a data table, and has chartdraw.py draw them as inline SVG. Nothing here knows which charts a
site has."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from ..content import model
from ..content.chartspec import ChartSpec, Series, names_in, value_key
from ..content.fields import did_you_mean
from ..content.languages import Language
from .chartdraw import DRAWINGS, Category, Drawn, Frame, svg
from .numbers import base_value, count, display_exp, format_figure, unit_words


@dataclass(frozen=True)
class Row:
    """One row of a chart's data table: a label (linked to an item's page when `link` is (kind, id)) and cells.

    A cell is a Figure (shown formatted and cited) or text."""

    label: str
    cells: tuple
    link: tuple[str, str | int] | None = None


@dataclass(frozen=True)
class Chart:
    """A chart ready for a page: title, one-sentence summary (the SVG's accessible name), SVG, data and sources."""

    id: str
    title: str
    summary: str
    svg: Markup
    columns: tuple[str, ...]
    rows: tuple[Row, ...]
    sources: tuple[str, ...]
    note: str = ""
    csv: str = ""  # the download under data/ that holds the chart's data, e.g. data/sales.csv


def categories(spec: ChartSpec, content) -> tuple[Category, ...]:
    """A chart's rows: the kind's items (in file order, or by `sort`), or the years of its series' maps."""
    if spec.by == "item":
        items = list(getattr(content, spec.kind).values())
        if spec.sort:
            items = sorted(items, key=by(spec.sort.lstrip("-")), reverse=spec.sort.startswith("-"))
        keys: list[Any] = [getattr(i, "id", None) or getattr(i, "slug", "") for i in items]  # ids, or slugs
        mark = spec.mark
        return tuple(
            Category(getattr(i, spec.label) or key, key, i, mark is not None and getattr(i, mark.field) in mark.values)
            for i, key in zip(items, keys)
        )
    years = sorted(
        {
            year
            for _, _, table in _year_maps(spec, content)
            for year in table
            if spec.since is None or int(year) >= spec.since
        },
        key=int,
    )
    return tuple(Category(str(year), year) for year in years)


def by(name: str):
    """A sort key on a field of items, the items without it last."""
    return lambda item: (getattr(item, name) is None, getattr(item, name) if getattr(item, name) is not None else "")


def _year_maps(spec: ChartSpec, content) -> list[tuple[Series, str, dict]]:
    """Each series of a chart by year as (its declaration, its id, its figures by year); `each` gives one per item
    (its id the item's)."""
    found: list[tuple[Series, str, dict]] = []
    for s in spec.series:
        if s.figures:
            figs = (content.figures[key] for key in s.figures)
            found.append((s, s.ident, {int(f.as_of[:4]): f for f in figs}))
        elif s.each:
            found += [
                (s, ident, _figures(getattr(item, s.drawn), content))
                for ident, item in getattr(content, s.kind or spec.kind).items()
            ]
        else:
            found.append((s, s.ident, _figures(getattr(getattr(content, s.kind or spec.kind), s.drawn), content)))
    return found


def _figures(table: dict | None, content) -> dict:
    """A map of figures by year, its figure keys (a map naming figures held elsewhere) looked up."""
    return {year: content.figures[f] if isinstance(f, str) else f for year, f in (table or {}).items()}


def gathered(spec: ChartSpec, cats: tuple[Category, ...], content, t: dict, lang: Language) -> tuple[Drawn, ...]:
    """Each series' value in each row, with its label and heading in the page's language."""
    if spec.by == "year":
        out = []
        for s, ident, table in _year_maps(spec, content):
            values = tuple(table.get(c.key) for c in cats)
            name = getattr(getattr(content, s.kind or spec.kind).get(ident), spec.label, ident) if s.each else ""
            out.append(_drawn(s, ident, values, t, lang, content, name))
        return tuple(out)
    out = []
    for s in spec.series:
        if spec.type != "dot":
            out.append(_drawn(s, s.ident, tuple(getattr(c.item, s.drawn) for c in cats), t, lang, content))
        elif s.has is not None:
            out.append(
                _drawn(s, s.ident, tuple(s.has in _members(getattr(c.item, s.drawn)) for c in cats), t, lang, content)
            )
        else:
            assert s.latest is not None and s.kind is not None  # a dot series tests `has`, or the `latest` of `kind`
            picked = max(getattr(content, s.kind).values(), key=by(s.latest), default=None)
            listed = getattr(picked, s.drawn, None) or ()
            if listed:
                values = tuple(c.key in listed for c in cats)
                out.append(_drawn(s, s.ident, values, t, lang, content, fields=vars(picked)))
    return tuple(out)


def _members(value) -> tuple:
    """A list's values, or a single value as one."""
    return value if isinstance(value, tuple) else (value,)


def _drawn(
    s, ident: str, values: tuple, t: dict, lang: Language, content, name: str = "", fields: dict | None = None
) -> Drawn:
    """A series with its unit and display scale, its label and heading filled in ({unit}: 'billion yuan')."""
    figs = [v for v in values if isinstance(v, model.Figure)]
    unit, exp = s.unit or (figs[0].unit if figs else None), display_exp([base_value(v) for v in figs], lang)
    given = {**(fields or {}), "unit": unit_words(unit, exp, lang) if unit else ""}
    label = fill(t[s.label], given, content) if s.label else name
    head = fill(t[s.head], given, content) if s.head else label
    return Drawn(ident, label, head, values, unit, exp)


def fill(text, values: dict, content) -> str:
    """A string with its placeholders filled: from `values`, and {kind.field} from a single record of the content."""
    return text.format(**_with_records(text, values, content))


def _given(name: str, values: dict) -> bool:
    """Whether a placeholder has a value: a non-empty one, or a record's field that is set."""
    root, _, rest = name.partition(".")
    value = values.get(root)
    return value not in (None, "") and (not rest or getattr(value, rest, None) not in (None, ""))


def _with_records(text, values: dict, content) -> dict:
    """The values, and the single records a string names ({site.title}) read from the content."""
    roots = {name.split(".")[0] for name, _, _ in names_in(text) if "." in name}
    return {**values, **{root: getattr(content, root, None) for root in roots if root not in values}}


def summary_values(f: Frame) -> dict:
    """What a summary can say (chartspec.summary_names): counts and overlaps of a dot chart's series; else, over the
    rows not marked, the first series' first and last figures, their rows, the trend, and each series' last figure."""
    t, lang, values = f.t, f.lang, {}
    if f.spec.type == "dot":
        for s in f.series:
            n = sum(map(bool, s.values))
            values[s.id], values[f"{s.id}_number"] = (count(n, f.spec.unit, lang) if f.spec.unit else str(n)), str(n)
            for other in f.series:
                names = [c.label for c, a, b in zip(f.cats, s.values, other.values) if a and b]
                values[f"{s.id}_and_{other.id}"] = t["and_list"].join(names) if other is not s else ""
        return values
    rows = [k for k, c in enumerate(f.cats) if not c.marked]
    row = "year" if f.spec.by == "year" else "name"
    for n, s in enumerate(f.series):
        have = [k for k in rows if s.values[k] is not None]
        if have:
            last = s.values[have[-1]]
            values[s.id], values[f"{s.id}_number"] = (
                format_figure(last, lang, short=True),
                format_figure(last, lang, short=True, bare=True),
            )
        if n == 0 and have:
            a, b = s.values[have[0]], s.values[have[-1]]
            values.update(
                {
                    "first": format_figure(a, lang, short=True),
                    "last": format_figure(b, lang, short=True),
                    f"first_{row}": f.cats[have[0]].label,
                    f"last_{row}": f.cats[have[-1]].label,
                }
            )
            if len(have) > 1:
                values["trend"] = t["chart_up"] if base_value(b) >= base_value(a) else t["chart_down"]
    return values


def summarize(f: Frame, content) -> str:
    """The first of the declared summaries whose placeholders all have a value, filled in; '' when none has."""
    values = summary_values(f)
    for key in f.spec.summary:
        text = f.t[key]
        given = _with_records(text, values, content)
        if all(_given(name, given) for name, _, _ in names_in(text)):
            return text.format(**given)
    return ""


def table(f: Frame) -> tuple[tuple[str, ...], tuple[Row, ...], tuple[str, ...]]:
    """The chart's data table (its columns and rows: each cell a figure, yes or no, or no data) and its sources:
    every figure's, and for a row without figures its item's."""
    t, spec, mark = f.t, f.spec, f.spec.mark
    columns = (t[spec.head], *(s.label for s in f.series), *((t[mark.column],) if mark and mark.column else ()))
    rows: list[Row] = []
    sources: list[str | None] = []
    for k, cat in enumerate(f.cats):
        cells = tuple(_cell(s.values[k], f) for s in f.series)
        if mark and mark.column:
            value = getattr(cat.item, mark.field)
            cells += (t[value_key(mark.field, value)] if value is not None else f.missing,)
        figs = [c.source for c in cells if isinstance(c, model.Figure)]
        sources += figs or [getattr(cat.item, "source", None)]
        rows.append(Row(cat.label, cells, (spec.kind, cat.key) if spec.link else None))
    return columns, tuple(rows), tuple(s for s in dict.fromkeys(sources) if s)


def _cell(value, f: Frame):
    """A table cell: the figure, yes or no, or no data."""
    if value is None:
        return f.missing
    if isinstance(value, bool):
        return f.t["cell_yes"] if value else f.t["cell_no"]
    return value


def make_chart(spec: ChartSpec, content, lang: Language) -> Chart:
    """A declared chart, drawn from the content in a language."""
    t = content.strings[lang.code]
    cats = categories(spec, content)
    f = Frame(f"chart-{spec.id}", spec, cats, gathered(spec, cats, content, t, lang), t, lang)
    first = next((s for s in f.series if s.unit), None)  # the first series with figures: one may have none
    title = fill(
        t[spec.title], {"unit": unit_words(first.unit, first.exp, lang) if first and first.unit else ""}, content
    )
    summary = summarize(f, content)
    body, height, defs = DRAWINGS[spec.type](f)
    columns, rows, sources = table(f)
    note = (
        " ".join(fill(t[spec.mark.note], {"name": c.label}, content) for c in cats if c.marked)
        if spec.mark and spec.mark.note
        else ""
    )
    return Chart(
        f.id,
        title,
        summary,
        svg(f.id, height, summary, body, defs),
        columns,
        rows,
        sources,
        note,
        f"data/{spec.csv}.csv" if spec.csv else "",
    )


class ChartNotDeclared(Exception):
    """A template asked for a chart that no model declares."""


class Charts:
    """The declared charts of one content snapshot in one language, for templates: `charts.ID` is the chart
    declared as ID under `charts:` in models/ (e.g. {{ chart(charts.sales) }}), drawn from the content as the
    renderer gives it (so a page depends on what its charts read)."""

    def __init__(self, content, registry, lang: str):
        """Bind the content (as the renderer tracks it), the declarations and the language (by its code)."""
        self.content, self.specs, self.lang = content, registry.charts, registry.language(lang)

    def __getattr__(self, name: str) -> Chart:
        if name.startswith("_") or name in ("content", "specs", "lang"):
            raise AttributeError(name)
        return self[name]

    def __getitem__(self, name: str) -> Chart:
        """The chart declared as `name` (charts["a-b"] for an id with a hyphen)."""
        spec = self.specs.get(name)
        if spec is None:
            hint = did_you_mean(name, self.specs) or "declared: " + (", ".join(self.specs) or "none")
            raise ChartNotDeclared(f"no chart '{name}' is declared under 'charts:' in models/*.yaml ({hint})")
        return make_chart(spec, self.content, self.lang)
