"""Open data: every figure as JSON, one CSV per collection with source columns, and the JSON Schemas, under data/.

Pure functions of the validated content; values are written exactly as stored (no rounding), in stable order."""
from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import PurePosixPath

from .memory import ObjectMemo
from .model import Content, Figure
from .numbers import base_value, decimal_text, format_figure
from .write import Output

FIGURE_COLUMNS = ("value", "scale", "unit", "qualifier", "value_in_units", "as_of", "source", "note")
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


def figure_record(fig: Figure, content: Content) -> dict:
    """One figure as a JSON object with its source spelled out."""
    source = content.sources[fig.source]
    kind, _, rest = fig.key.partition(".")
    return {"key": fig.key, "anchor": fig.anchor, "label": fig.label, "owner": {"kind": kind, "id": rest.split(".")[0]},
            "value": _number(fig.value), "scale": fig.scale, "unit": fig.unit, "qualifier": fig.qualifier,
            "value_in_units": _number(base_value(fig)), "as_of": fig.as_of, "text": format_figure(fig),
            "note": fig.note, "basis": fig.basis, "by": fig.by, "scope": fig.scope, "shared_with": fig.shared_with,
            "source": {"id": source.id, "title": source.title, "publisher": source.publisher, "date": source.date,
                       "url": source.url, "retrieved": source.retrieved, "kind": source.kind,
                       "reliability": source.reliability, "note": source.note}}


def facts_json(content: Content, memo: ObjectMemo) -> tuple[Output, int]:
    """data/facts.json: every figure on the site, keyed by its global key; and how many."""
    head = json.dumps({"title": content.site.title, "updated": content.site.updated}, ensure_ascii=False,
                      sort_keys=True)[:-1]
    figures = [f for _, f in sorted(content.figures.items())]
    rows = memo.each("facts", [(f, content.sources[f.source]) for f in figures],
                     lambda i: json.dumps(figure_record(figures[i], content), ensure_ascii=False, sort_keys=True))
    data = head + ', "figures": [\n' + ",\n".join(rows) + "\n]}\n"  # one figure a line: readable and diffable
    return Output("data/facts.json", data.encode("utf-8"), "data: every figure as JSON"), len(rows)


def _figure_cells(fig: Figure | None, prefix: str) -> dict:
    """The columns of one figure, named with a prefix; empty when there is no figure."""
    if fig is None:
        return {f"{prefix}_{c}": "" for c in FIGURE_COLUMNS}
    values = {"value": decimal_text(fig.value), "scale": fig.scale or "", "unit": fig.unit, "qualifier": fig.qualifier or "",
              "value_in_units": decimal_text(base_value(fig)), "as_of": fig.as_of, "source": fig.source,
              "note": fig.note or ""}
    return {f"{prefix}_{c}": values[c] for c in FIGURE_COLUMNS}


def _source_cells(content: Content, source_id: str) -> dict:
    """The source columns of a row."""
    s = content.sources[source_id]
    return {"source": s.id, "source_title": s.title, "source_publisher": s.publisher, "source_url": s.url or ""}


class _CsvLines:
    """Writes one CSV line at a time (UTF-8 text, LF line ends), so each row can be kept and reused."""

    def __init__(self):
        self.buf = io.StringIO()
        self.writer = csv.writer(self.buf, lineterminator="\n")

    def line(self, values) -> str:
        self.buf.seek(0)
        self.buf.truncate()
        self.writer.writerow(values)
        return self.buf.getvalue()


def collection_csvs(content: Content, memo: ObjectMemo) -> list[tuple[Output, int, tuple[str, ...]]]:
    """data/*.csv: the GDP series, industries, companies, projects, summits and the sources; with each file's
    data rows and columns."""
    src = content.sources
    tables = {
        "gdp": (content.profile.gdp.items(), lambda yf: src[yf[1].source], lambda yf: {
            "year": yf[0], **_figure_cells(yf[1], "gdp"), **_source_cells(content, yf[1].source)}),
        "industries": (content.industries.values(), lambda i: src[i.source], lambda i: {
            "id": i.id, "name": i.name, "name_zh": i.name_zh or "", "tiers": ";".join(i.tiers),
            **_source_cells(content, i.source)}),
        "companies": (content.companies.values(), lambda c: src[c.source], lambda c: {
            "id": c.id, "name": c.name, "name_zh": c.name_zh or "", "industry": c.industry or "",
            "country": c.country or "", "listing": c.listing or "", **_source_cells(content, c.source)}),
        "projects": (content.projects.values(), lambda p: src[p.source], lambda p: {
            "id": p.id, "name": p.name, "company": p.company, "industry": p.industry, "status": ";".join(p.status),
            "year": p.year, "event": p.event or "", **_figure_cells(p.investment, "investment"),
            **_source_cells(content, p.source)}),
        "summits": (sorted(content.events.values(), key=lambda e: e.date), lambda e: src[e.source], lambda e: {
            "id": e.id, "name": e.name, "date": e.date, "measure": e.measure, **_figure_cells(e.projects, "projects"),
            **_figure_cells(e.investment, "investment"), **_source_cells(content, e.source)}),
        "sources": (content.sources.values(), lambda s: s, lambda s: {
            "id": s.id, "title": s.title, "publisher": s.publisher, "date": s.date or "", "url": s.url or "",
            "retrieved": s.retrieved or "", "kind": s.kind, "reliability": s.reliability, "note": s.note or ""}),
    }
    out, lines = [], _CsvLines()
    for name, (items, source_of, row) in tables.items():
        items = list(items)
        made = memo.each(name, [(item[1] if name == "gdp" else item, source_of(item)) for item in items],  # a GDP
                         lambda i: _row_line(row(items[i]), lines))  # row is made from its figure
        columns = made[0][0] if made else ("id",)
        rows = [line for _, line in made]
        data = lines.line(columns) + "".join(rows)
        out.append((Output(f"data/{name}.csv", data.encode("utf-8"), f"data: {name} as CSV"), len(rows), columns))
    return out


def _row_line(row: dict, lines: _CsvLines) -> tuple[tuple[str, ...], str]:
    """A row's columns (one tuple per table, shared by its rows) and its CSV line."""
    columns = tuple(row)
    return _COLUMNS.setdefault(columns, columns), lines.line(row.values())


_COLUMNS: dict = {}  # each table's header, kept once: the data memo (and the cache) would hold a copy per row


def data_files(content: Content, schemas: dict[str, bytes], memo: ObjectMemo) -> tuple[list[Output], tuple]:
    """Every download under data/ (facts.json, the CSVs and the JSON Schemas of the content files), and the
    catalogue of them the Data page shows."""
    facts, count = facts_json(content, memo)
    made = [(facts, count, ())] + collection_csvs(content, memo)
    made += [(Output(f"data/schema/{name}", data, "data: JSON Schema"), None, ()) for name, data in schemas.items()]
    return [out for out, _, _ in made], tuple(_download(out, rows, columns) for out, rows, columns in made)


def _download(out: Output, rows: int | None, columns: tuple[str, ...]) -> Download:
    """How the Data page lists one file, with its real byte size."""
    path = PurePosixPath(out.dest)
    kind = "schema" if path.parent.name == "schema" else "facts" if path.suffix == ".json" else "table"
    name = path.name if kind == "schema" else path.stem
    return Download(out.dest, name, kind, MEDIA_TYPES[path.suffix], len(out.data), rows, columns)
