"""Open data: every figure as JSON, one CSV per collection with source columns, and the JSON Schemas, under data/.

Pure functions of the validated content; values are written exactly as stored (no rounding), in stable order."""
from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import PurePosixPath

from .model import Content, Figure
from .numbers import base_value, decimal_text, format_figure
from .write import Output

FIGURE_COLUMNS = ("value", "scale", "unit", "qualifier", "value_in_units", "as_of", "source")
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
            "note": fig.note, "source": {"id": source.id, "title": source.title, "publisher": source.publisher,
                                         "date": source.date, "url": source.url, "retrieved": source.retrieved,
                                         "reliability": source.reliability}}


def facts_json(content: Content) -> Output:
    """data/facts.json: every figure on the site, keyed by its global key."""
    head = json.dumps({"title": content.site.title, "updated": content.site.updated}, ensure_ascii=False,
                      sort_keys=True)[:-1]
    rows = [json.dumps(figure_record(f, content), ensure_ascii=False, sort_keys=True)
            for _, f in sorted(content.figures.items())]
    data = head + ', "figures": [\n' + ",\n".join(rows) + "\n]}\n"  # one figure a line: readable and diffable
    return Output("data/facts.json", data.encode("utf-8"), "data: every figure as JSON")


def _figure_cells(fig: Figure | None, prefix: str) -> dict:
    """The columns of one figure, named with a prefix; empty when there is no figure."""
    if fig is None:
        return {f"{prefix}_{c}": "" for c in FIGURE_COLUMNS}
    values = {"value": decimal_text(fig.value), "scale": fig.scale or "", "unit": fig.unit, "qualifier": fig.qualifier or "",
              "value_in_units": decimal_text(base_value(fig)), "as_of": fig.as_of, "source": fig.source}
    return {f"{prefix}_{c}": values[c] for c in FIGURE_COLUMNS}


def _source_cells(content: Content, source_id: str) -> dict:
    """The source columns of a row."""
    s = content.sources[source_id]
    return {"source": s.id, "source_title": s.title, "source_publisher": s.publisher, "source_url": s.url or ""}


def _csv(dest: str, rows: list[dict], origin: str) -> Output:
    """A CSV file with a header row, UTF-8, LF line ends."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(rows[0]) if rows else ["id"], lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return Output(dest, buf.getvalue().encode("utf-8"), origin)


def collection_csvs(content: Content) -> list[Output]:
    """data/*.csv: projects, companies, industries, summits, the GDP series and the sources."""
    projects = [{"id": p.id, "name": p.name, "company": p.company, "industry": p.industry, "status": ";".join(p.status),
                 "year": p.year, "event": p.event or "", **_figure_cells(p.investment, "investment"),
                 **_source_cells(content, p.source)} for p in content.projects.values()]
    companies = [{"id": c.id, "name": c.name, "name_zh": c.name_zh or "", "industry": c.industry or "",
                  "country": c.country or "", "listing": c.listing or "", **_source_cells(content, c.source)}
                 for c in content.companies.values()]
    industries = [{"id": i.id, "name": i.name, "name_zh": i.name_zh or "", "tiers": ";".join(i.tiers),
                   **_source_cells(content, i.source)} for i in content.industries.values()]
    summits = [{"id": e.id, "name": e.name, "date": e.date, "measure": e.measure, **_figure_cells(e.projects, "projects"),
                **_figure_cells(e.investment, "investment"), **_source_cells(content, e.source)}
               for e in sorted(content.events.values(), key=lambda e: e.date)]
    gdp = [{"year": year, **_figure_cells(f, "gdp"), **_source_cells(content, f.source)}
           for year, f in content.profile.gdp.items()]
    sources = [{"id": s.id, "title": s.title, "publisher": s.publisher, "date": s.date or "", "url": s.url or "",
                "retrieved": s.retrieved or "", "reliability": s.reliability, "note": s.note or ""}
               for s in content.sources.values()]
    tables = {"projects": projects, "companies": companies, "industries": industries, "summits": summits,
              "gdp": gdp, "sources": sources}
    return [_csv(f"data/{name}.csv", rows, f"data: {name} as CSV") for name, rows in tables.items()]


def data_files(content: Content, schemas: dict[str, bytes]) -> list[Output]:
    """Every download under data/: facts.json, the CSVs and the JSON Schemas of the content files."""
    return ([facts_json(content)] + collection_csvs(content)
            + [Output(f"data/schema/{name}", data, "data: JSON Schema") for name, data in schemas.items()])


def _shape(out: Output) -> tuple[int | None, tuple[str, ...]]:
    """How many records a download holds (a CSV's data rows, facts.json's figures) and a CSV's columns."""
    if out.dest.endswith(".csv"):
        header, *rows = csv.reader(io.StringIO(out.data.decode("utf-8")))
        return len(rows), tuple(header)
    if out.dest == "data/facts.json":
        return len(json.loads(out.data)["figures"]), ()
    return None, ()


def catalogue(outputs: list[Output]) -> tuple[Download, ...]:
    """The downloads with their real byte sizes, in the order data_files made them."""
    found = []
    for out in outputs:
        path = PurePosixPath(out.dest)
        kind = "schema" if path.parent.name == "schema" else "facts" if path.suffix == ".json" else "table"
        name = path.name if kind == "schema" else path.stem
        found.append(Download(out.dest, name, kind, MEDIA_TYPES[path.suffix], len(out.data), *_shape(out)))
    return tuple(found)
