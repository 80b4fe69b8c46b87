"""Open data: every figure as JSON, one CSV per collection with source columns, and the JSON Schemas, under data/.

Pure functions of the validated content; values are written exactly as stored (no rounding), in stable order."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import PurePosixPath

from ..content.kinds import Download as Table
from ..content.kinds import Kind, Registry, shape_of
from ..content.languages import Language
from ..content.model import Content, Figure
from ..site.numbers import base_value, decimal_text, format_figure
from .write import Output

FIGURE_COLUMNS = (
    "value",
    "scale",
    "unit",
    "qualifier",
    "value_in_units",
    "as_of",
    "source",
    "note",
    "quote",
    "estimate",
    "derived",
)
SOURCE_COLUMNS = ("source", "source_title", "source_publisher", "source_url", "source_copy_url")
MEDIA_TYPES = {".csv": "text/csv", ".json": "application/json"}


@dataclass(frozen=True)
class Download:
    """One file under data/ as the Data page lists it. `name` is its file name without the extension (the
    schema's file name for a JSON Schema); `rows` counts a CSV's data rows or facts.json's figures; `columns`
    is a CSV's header."""

    dest: str
    name: str
    kind: str  # facts, table or schema
    media_type: str
    bytes: int
    rows: int | None = None
    columns: tuple[str, ...] = ()


def _number(value: Decimal) -> int | float:
    """A Decimal as a JSON number (integers stay integers; others keep their shortest exact form)."""
    return int(value) if value == value.to_integral_value() else float(value)


TWINNED = ("label", "note", "by", "scope", "shared_with", "derived")  # a figure's texts, each with its twins


def figure_record(fig: Figure, content: Content, languages: tuple[Language, ...]) -> dict:
    """One figure as a JSON object with its source spelled out; on a site in several languages, its texts and its
    formatted value in each other one, as the content files name them (label_zh, text_zh ...)."""
    source = content.sources[fig.source]
    kind, _, rest = fig.key.partition(".")
    others = [lang.code for lang in languages[1:]]
    twins = {f"{name}_{lang}": fig.texts.text(name, lang) for lang in others for name in TWINNED}
    twins |= {f"text_{lang.code}": format_figure(fig, lang) for lang in languages[1:]}
    twins |= {f"publisher_{lang}": _text(source, "publisher", lang) for lang in others}
    return twins | {
        "key": fig.key,
        "anchor": fig.anchor,
        "label": fig.label,
        "owner": {"kind": kind, "id": rest.split(".")[0]},
        "value": _number(fig.value),
        "scale": fig.scale,
        "unit": fig.unit,
        "qualifier": fig.qualifier,
        "value_in_units": _number(base_value(fig)),
        "as_of": fig.as_of,
        "text": format_figure(fig, languages[0]),
        "note": fig.note,
        "basis": fig.basis,
        "by": fig.by,
        "scope": fig.scope,
        "shared_with": fig.shared_with,
        "quote": fig.quote,
        "estimate": bool(fig.estimate),
        "derived": fig.derived,
        "source": {
            "id": source.id,
            "title": source.title,
            "publisher": source.publisher,
            "date": source.date,
            "url": source.url,
            "retrieved": source.retrieved,
            "kind": source.kind,
            "language": getattr(source, "language", None),
            "copy": {"url": source.copy_url, "site": source.copy_site, "kind": source.copy_kind}
            if getattr(source, "copy_url", None)
            else None,
            "reliability": source.reliability,
            "note": source.note,
        },
    }


def facts_json(content: Content, languages: tuple[Language, ...], rows) -> tuple[Output, int]:
    """data/facts.json: every figure on the site, keyed by its global key; and how many. `rows`: each line made
    before, by the fingerprints of what it shows (the figure's and its source's), taken as it was (a memo: see
    incremental.cache.Lines)."""
    head = json.dumps(
        {"title": content.site.title, "updated": content.site.updated}, ensure_ascii=False, sort_keys=True
    )[:-1]
    prints = content.fingerprints
    made, marks, which = [], [], f"facts {' '.join(lang.code for lang in languages)} "
    for key, fig in sorted(content.figures.items()):
        mark = _mark(which + key, prints.get(("figures", key)), prints.get(("sources", fig.source)))
        line = rows.get(mark)
        if line is None:
            record = figure_record(fig, content, languages)
            line = json.dumps(record, ensure_ascii=False, sort_keys=True).encode("utf-8")
        made.append(line)
        marks.append(mark)
    start = (head + ', "figures": [\n').encode()
    data = b"".join((start, b",\n".join(made), b"\n]}\n"))  # a figure a line: diffable
    rows.place("data/facts.json", marks, made, len(start), 2)
    return Output("data/facts.json", data, "data: every figure as JSON"), len(made)


def _mark(what: str, owner: bytes | None, source: bytes | None) -> bytes:
    """What a line of a download is kept by: the fingerprints of the item (or figure) and the source it shows (16
    bytes each, or none), then which line it is."""
    return b"".join((owner or NONE, source or NONE, what.encode("utf-8", "surrogatepass")))


NONE = bytes(16)  # the fingerprint of nothing, in a line's key


def _text(item, name: str, lang: str) -> str | None:
    """A localized text of an item in a language, or None."""
    texts = getattr(item, "texts", None)
    return texts.text(name, lang) if texts is not None else None


def _figure_cells(fig: Figure | None, prefix: str) -> dict:
    """The columns of one figure, named with a prefix; empty when there is no figure."""
    if fig is None:
        return {f"{prefix}_{c}": "" for c in FIGURE_COLUMNS}
    values = {
        "value": decimal_text(fig.value),
        "scale": fig.scale or "",
        "unit": fig.unit,
        "qualifier": fig.qualifier or "",
        "value_in_units": decimal_text(base_value(fig)),
        "as_of": fig.as_of,
        "source": fig.source,
        "note": fig.note or "",
        "quote": fig.quote or "",
        "estimate": "yes" if fig.estimate else "",
        "derived": fig.derived or "",
    }
    return {f"{prefix}_{c}": values[c] for c in FIGURE_COLUMNS}


def _source_cells(content: Content, source_id: str) -> dict:
    """The source columns of a row."""
    s = content.sources[source_id]
    return {
        "source": s.id,
        "source_title": s.title,
        "source_publisher": s.publisher,
        "source_url": s.url or "",
        "source_copy_url": getattr(s, "copy_url", None) or "",
    }


class _CsvLines:
    """Writes one CSV line at a time (UTF-8, LF line ends), as bytes: the file is joined from them."""

    def __init__(self):
        self.buf = io.StringIO()
        self.writer = csv.writer(self.buf, lineterminator="\n")

    def line(self, values) -> bytes:
        self.buf.seek(0)
        self.buf.truncate()
        self.writer.writerow(values)
        return self.buf.getvalue().encode("utf-8")


def collection_csvs(content: Content, registry: Registry, rows) -> list[tuple[Output, int, tuple]]:
    """data/*.csv, as each kind's model declares them (the GDP series, industries, companies, projects, summits, the
    sources); with each file's data rows and columns. `rows`: each line made before, by the fingerprints of what it
    shows (its item's and its source's), taken as it was (a memo: see incremental.cache.Lines)."""
    out, lines, prints = [], _CsvLines(), content.fingerprints
    others = registry.languages[1:]
    for kind in registry.kinds:
        for table in kind.downloads:
            columns = tuple(c for col in table.columns for c in _columns(kind, table, col, others))
            head = f"{table.name} {','.join(columns)} "
            made, marks = [], []
            for key, value in _rows(content, kind, table):
                single = key is not None or not kind.collection
                owner = (kind.name, "") if single else (kind.name, getattr(value, kind.key))
                if table.maps:  # a line of a long table shows one figure, wherever it is held
                    owner = ("figures", value.key)
                source = getattr(value, "source", None) if kind.name != "sources" else None
                which = head + str(key if single else owner[1]) + (f" {value.key}" if table.maps else "")
                mark = _mark(which, prints.get(owner), prints.get(("sources", source)))
                line = rows.get(mark)
                if line is None:
                    line = lines.line(_row(content, kind, table, others, key, value).values())
                made.append(line)
                marks.append(mark)
            top = lines.line(columns)
            data = b"".join((top, *made))
            rows.place(f"data/{table.name}.csv", marks, made, len(top), 0)
            out.append((Output(f"data/{table.name}.csv", data, f"data: {table.name} as CSV"), len(made), columns))
    return out


def _rows(content: Content, kind: Kind, table: Table) -> list[tuple]:
    """A table's rows as (key, value): a collection's items (key None), a single record's map field, or for a long
    table the entries of several ((its field, its key), the figure, a figure key looked up)."""
    if table.maps:
        record = getattr(content, kind.name)
        return [
            ((name, year), content.figures[f] if isinstance(f, str) else f)
            for name in table.maps
            for year, f in (getattr(record, name) or {}).items()
        ]
    if table.rows:
        return list(getattr(getattr(content, kind.name), table.rows).items())
    items = getattr(content, kind.name).values()
    if table.sort:
        sort = table.sort
        items = sorted(items, key=lambda item: getattr(item, sort))
    return [(None, item) for item in items]


def _columns(kind: Kind, table: Table, column: str, others: tuple[str, ...]) -> tuple[str, ...]:
    """The CSV columns one declared column becomes: a figure eleven, the source five, a localized text its twins in
    the site's other languages too, others one."""
    if column == table.key or (table.maps and column == "map"):
        return (column,)
    if table.maps and column in ("figure", "source"):
        return tuple(f"figure_{c}" for c in FIGURE_COLUMNS) if column == "figure" else SOURCE_COLUMNS
    twins = _twins(kind, table, column, others)
    if twins:
        return (column, *twins)
    if column == table.rows or shape_of(kind.fields[column]) == "figure":
        return tuple(f"{column}_{c}" for c in FIGURE_COLUMNS)
    if column == "source" and kind.name != "sources":
        return SOURCE_COLUMNS
    return (column,)


def _twins(kind: Kind, table: Table, column: str, others: tuple[str, ...]) -> tuple[str, ...]:
    """The columns of a text's twins in the site's other languages (name_zh beside name), unless declared."""
    field = kind.fields.get(column)
    return tuple(
        f"{column}_{lang}"
        for lang in others
        if getattr(field, "localized", False)
        and f"{column}_{lang}" in kind.fields
        and f"{column}_{lang}" not in table.columns
    )


def _row(content: Content, kind: Kind, table: Table, others: tuple[str, ...], key, value) -> dict:
    """One row of a table: each declared column's cells (a twin, name_zh, from the item's texts)."""
    if table.maps:  # map, key, figure, source
        name, year = key
        cells: dict[str | None, dict] = {
            "map": {"map": name},
            table.key: {table.key: year},
            "figure": _figure_cells(value, "figure"),
            "source": _source_cells(content, value.source),
        }
        return {k: v for column in table.columns for k, v in cells[column].items()}
    row = {}
    for column in table.columns:
        base, _, lang = column.rpartition("_")
        if lang in others and getattr(kind.fields.get(base), "localized", False):
            row[column] = _text(value, base, lang) or ""
            continue
        if column == table.key:
            row[column] = key
        elif column == table.rows:
            row.update(_figure_cells(value, column))
        elif column == "source" and kind.name != "sources":
            row.update(_source_cells(content, value.source))
        else:
            cell = getattr(value, column)
            if isinstance(cell, Figure) or (cell is None and shape_of(kind.fields[column]) == "figure"):
                row.update(_figure_cells(cell, column))
            else:
                row[column] = ";".join(cell) if isinstance(cell, tuple) else "" if cell is None else cell
                row.update(
                    (f"{column}_{lang}", _text(value, column, lang) or "")
                    for lang in others
                    if f"{column}_{lang}" in _twins(kind, table, column, others)
                )
    return row


def data_files(content: Content, registry: Registry, schemas: dict[str, bytes], rows) -> tuple[list[Output], tuple]:
    """Every download under data/ (facts.json, the CSVs and the JSON Schemas of the content files), and the
    catalogue of them the Data page shows. `rows`: the lines made before, by the fingerprints of what each shows
    (the caller's memo, kept between builds: its get(mark) gives such a line or None, and place() is told where each
    line is in the file made; incremental.cache.Lines)."""
    facts, count = facts_json(content, tuple(registry.language(code) for code in registry.languages), rows)
    made = [(facts, count, ())] + collection_csvs(content, registry, rows)
    made += [(Output(f"data/schema/{name}", data, "data: JSON Schema"), None, ()) for name, data in schemas.items()]
    return [out for out, _, _ in made], tuple(_download(out, rows, columns) for out, rows, columns in made)


def _download(out: Output, rows: int | None, columns: tuple[str, ...]) -> Download:
    """How the Data page lists one file, with its real byte size."""
    path = PurePosixPath(out.dest)
    kind = "schema" if path.parent.name == "schema" else "facts" if path.suffix == ".json" else "table"
    name = path.name if kind == "schema" else path.stem
    return Download(out.dest, name, kind, MEDIA_TYPES[path.suffix], len(out.data), rows, columns)
