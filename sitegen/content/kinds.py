"""The kinds of content, as the project's models/*.yaml declare them: one file per kind, the one place that lists
them. A kind's declaration gives its content file, its fields (with help text), its pages (URL section, templates,
navigation slot) and its downloads; the validator, the page plan, the downloads and the JSON Schemas all read the
Registry made from them. The shapes every kind shares (a figure, named figures, sourced notes) are built in here."""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

import yaml

from ..errors import Location, Problems
from . import model
from .chartspec import BY, TYPES, ChartSpec, Explained, Located, Mark, Series, check_declared, declared
from .fields import (
    INVALID,
    Choice,
    Cx,
    Date,
    Field,
    FigureKey,
    Flag,
    Given,
    Hostname,
    KeysWithin,
    ListOf,
    MapOf,
    Number,
    Period,
    Prose,
    Record,
    Ref,
    Slug,
    Text,
    Url,
    When,
    Year,
    did_you_mean,
)
from .languages import BASES, QUALIFIERS, Language, Languages, UnitName, load_languages
from .languages import FILE as LANGUAGES_FILE
from .load import load_yaml
from .modelcheck import LocatedDecl, check_registry, check_rule, check_site_languages, check_spec
from .pages import FILE as PAGES_FILE
from .pages import SitePage, load_pages
from .quotes import QuoteStatesFigure

SCALES = ("thousand", "million", "billion", "trillion", "wan", "yi")  # a value's multiplier, as its source writes it
GROWTH_WORDS = r"[Gg]rowth|[Gg]rew|[Ii]ncrease|[Rr]ise|[Rr]ose|[Cc]hange|[Dd]ecline|[Ff]ell|[Ff]all"
RANK_HINT = (
    "a ranking says who ranks and among whom, e.g. 'by: Yicai, as cited by China Daily' and "
    "'scope: county-level economies in China, by GDP'"
)


class GrowthAsPercent:
    """A rule on figures: a growth rate written as a plain percent (its label says growth) must use the unit
    percent-change, which requires its basis. A share (a stake, a rate of something) stays a percent."""

    pattern = re.compile(GROWTH_WORDS)

    def check(self, values: dict, keys: Given, node, cx) -> bool:
        """Report a percent figure whose label names a change."""
        if values.get("unit") == "percent" and values.get("label") and self.pattern.search(values["label"]):
            return (
                cx.error(
                    keys["unit"][1],
                    "a growth rate needs 'unit: percent-change' and its basis",
                    "write 'unit: percent-change' and 'basis: real' or 'basis: nominal' (real growth is at "
                    "comparable prices)",
                )
                is True
            )
        return True

    def json_schema(self) -> dict:
        """The same rule for editors: a label naming a change may not go with the unit percent."""
        return {
            "if": {
                "properties": {"unit": {"const": "percent"}, "label": {"pattern": GROWTH_WORDS}},
                "required": ["unit", "label"],
            },
            "then": {"properties": {"unit": {"not": {"const": "percent"}}}},
        }


def localized(field: Field) -> Field:
    """Mark a text field as having a twin per language of the site (label_zh beside label)."""
    field.localized = True
    return field


def figure(units: tuple[str, ...], help: str = "", required: bool = True) -> Record:
    """The one shape every figure has: a number, its unit (one of `units`) and scale, a qualifier, an as-of period, a
    source."""
    return Record(
        model.Figure,
        {
            "value": Number("the number as the source gives it, e.g. 475.418"),
            "unit": Choice(units, "what is counted or the currency"),
            "scale": Choice(
                SCALES,
                "multiplier of value: billion means value x 1,000,000,000; yi (亿) x 100,000,000",
                required=False,
            ),
            "qualifier": Choice(
                QUALIFIERS, "when the source says 'over', 'about', 'nearly' or 'under'", required=False
            ),
            "as_of": Period("the year, month or day the figure holds for"),
            "source": Ref("sources", "id of the source in sources.yaml"),
            "label": localized(Prose("a short name for the figure on cards and lists", required=False)),
            "note": localized(Prose("a caveat or remark, shown with the figure and in the downloads", required=False)),
            "by": localized(
                Text(
                    "rank: who publishes the ranking (an institute, a newspaper), or who reported it when no "
                    "compiler is named",
                    required=False,
                )
            ),
            "scope": localized(
                Text(
                    "rank: among whom, and by what measure, e.g. 'county-level cities in China, by GDP'", required=False
                )
            ),
            "shared_with": localized(
                Text("rank: who shares the place, when it is a tie, e.g. the other city's name", required=False)
            ),
            "basis": Choice(
                BASES,
                "percent-change: real (at comparable prices, inflation removed), nominal (at "
                "current prices), or unstated (the source does not say, and nothing settles it)",
                required=False,
            ),
            "quote": Text(
                "the short passage of the source that states the number, verbatim, in the source's language",
                required=False,
            ),
            "derived": localized(
                Prose("for a sum or conversion of what the source says: how it was made from it", required=False)
            ),
            "estimate": Flag(
                "true when the source gives the number as an estimate (预计, expected), not an outcome", required=False
            ),
        },
        help=help,
        required=required,
        title="Figure",
        rules=(
            When("unit", ("rank",), require=("by", "scope"), hint=RANK_HINT),
            When("unit", ("rank",), forbid=("by", "scope", "shared_with"), negate=True),
            When(
                "unit",
                ("percent-change",),
                require=("basis",),
                hint="say whether the growth is real (at comparable "
                "prices) or nominal: 'basis: real' or 'basis: nominal'",
            ),
            When("unit", ("percent-change",), forbid=("basis",), negate=True),
            GrowthAsPercent(),
            QuoteStatesFigure(),
        ),
    )


class Figures(MapOf):
    """A set of named figures: id: {value, unit, as_of, source}. An item's named figures share its key space
    (companies.jcet.revenue-2023); a single record's keep the field's name (profile.figures.area)."""


def figures(
    units: tuple[str, ...], help: str = "named figures: id: {value, unit, as_of, source}", required: bool = False
) -> Figures:
    """A set of named figures."""
    return Figures(Slug("figure id"), figure(units), help, required=required)


def notes(help: str = "sourced statements in our own words", required: bool = False) -> ListOf:
    """Sourced statements in our own words."""
    return ListOf(
        Record(
            model.Note,
            {"text": localized(Prose("the statement, in our own words")), "source": Ref("sources", "id of the source")},
        ),
        help,
        required=required,
    )


class Key(Text):
    """A UI string key: lowercase letters, digits and underscores."""

    def check(self, value, node, cx):
        if not re.match(r"^[a-z][a-z0-9_]*$", value):
            return cx.error(node, f"'{value}' is not a valid key", "use lowercase letters, digits and underscores")
        return value

    def json_schema(self):
        return self._described({"type": "string", "pattern": r"^[a-z][a-z0-9_]*$"})


STRINGS = MapOf(Key("string key"), Prose("the text shown"), "UI strings: key: text")


@dataclass(frozen=True)
class Pages:
    """A kind's pages: its URL section (a folder under the site root, '' for the root), the template of one item's
    page and of the index (paginated by `per_page` when given, ordered by `sort`: a field, '-' first for
    descending), and its place in the navigation (`nav`, labelled by the string `label`)."""

    section: str
    item: str | None = None
    index: str | None = None
    nav: int | None = None
    label: str = ""
    per_page: int | None = None
    sort: str | None = None
    at: dict = field(default_factory=dict, compare=False)  # where each key's value is (modelcheck reports there)


@dataclass(frozen=True)
class Download:
    """A CSV under data/: its name, the rows (the kind's items, or a map field of a single record, keyed by
    `key`), their order (`sort`: a field) and its columns (fields; a figure takes eight columns, `source` four).
    `maps`: several year maps of a single record (of figures, or of figure keys) in one long table, a row per entry,
    with the columns `map` (the field's name), `key` (the year), `figure` and `source`."""

    name: str
    columns: tuple[str, ...]
    rows: str | None = None
    key: str | None = None
    sort: str | None = None
    maps: tuple[str, ...] = ()
    loc: Location = field(default=Location(""), compare=False)
    at: dict = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class Kind:
    """One kind of content as declared in models/NAME.yaml: its name (the collection's, e.g. 'projects'), the name
    of one item ('project': its template and its interface string), its shape (list: items with ids in one file;
    single: one record; markdown: a folder of articles; strings: a folder of interface strings), its content file
    or folder, its place among the kinds (`order`), its fields (`record`), pages and downloads."""

    name: str
    one: str
    shape: str
    file: str
    order: int
    record: Record | None
    pages: Pages | None = None
    downloads: tuple[Download, ...] = ()
    min_items: int = 0
    source: str = ""  # the models file that declares it
    charts: tuple[ChartSpec, ...] = ()  # the charts of its data (sitegen.content.chartspec)
    at: dict = field(default_factory=dict, compare=False)  # where each key of its model is (modelcheck)

    @property
    def collection(self) -> bool:
        """Whether the kind is a collection of items (by id or slug) rather than one record."""
        return self.shape in ("list", "markdown")

    @property
    def item_record(self) -> Record:
        """The record one item is read by: every kind has one but the interface strings."""
        if self.record is None:
            raise TypeError(f"the kind {self.name} holds interface strings, not records")
        return self.record

    @property
    def fields(self) -> dict[str, Field]:
        """The fields of one item by name (none for the interface strings)."""
        return self.record.fields if self.record else {}

    @property
    def root(self) -> Field:
        """What the content file holds: a list of records, or one."""
        return ListOf(self.item_record, min_items=self.min_items) if self.shape == "list" else self.item_record

    @property
    def key(self) -> str:
        """The field that names an item: its id, or an article's slug."""
        return "slug" if self.shape == "markdown" else "id"

    def fields_of(self, shape: str) -> tuple[str, ...]:
        """The names of the kind's fields of one shape: figure, figures (named figures) or figure-map."""
        return tuple(name for name, f in self.record.fields.items() if shape_of(f) == shape) if self.record else ()

    @cached_property
    def figure_fields(self) -> tuple[str, ...]:
        """Fields holding one figure (an event's projects, a project's investment)."""
        return self.fields_of("figure")

    @cached_property
    def named_figures(self) -> tuple[str, ...]:
        """Fields holding named figures that share the item's key space."""
        return self.fields_of("figures")

    @cached_property
    def figure_maps(self) -> tuple[str, ...]:
        """Other maps of figures (a profile's GDP by year, its rankings)."""
        return self.fields_of("figure-map")


def shape_of(f: Field) -> str:
    """What a field holds, for the kind-independent parts of the generator: figure, figures, figure-map or other."""
    if isinstance(f, Record) and f.cls is model.Figure:
        return "figure"
    if isinstance(f, Figures):
        return "figures"
    if isinstance(f, MapOf) and isinstance(f.value, Record) and f.value.cls is model.Figure:
        return "figure-map"
    return "other"


@dataclass(frozen=True)
class Registry:
    """Every kind, in order; looked up by name or by the name of one item. `languages` are the codes of the site's
    languages, its base first; `declared_languages` every language models/languages.yaml declares, and the units."""

    kinds: tuple[Kind, ...]
    languages: tuple[str, ...]
    declared_languages: Languages
    by_name: dict = field(default_factory=dict)
    pages: tuple[SitePage, ...] = ()  # the pages that belong to no kind (models/pages.yaml)

    def __post_init__(self):
        self.by_name.update({k.name: k for k in self.kinds} | {k.one: k for k in self.kinds if k.one != k.name})

    def language(self, code: str) -> Language:
        """A declared language by its code."""
        return self.declared_languages[code]

    @cached_property
    def strings(self) -> Field:
        """What a strings file (content/i18n/CODE.yaml) holds: key: text."""
        return for_site(STRINGS, (), self.declared_languages)

    def __getitem__(self, name: str) -> Kind:
        return self.by_name[name]

    def __contains__(self, name: str) -> bool:
        return name in self.by_name

    def of_shape(self, *shapes: str) -> tuple[Kind, ...]:
        """The kinds of the given shapes, in order."""
        return tuple(k for k in self.kinds if k.shape in shapes)

    @property
    def linked(self) -> tuple[Kind, ...]:
        """The collections whose items have pages of their own: [[kind.id]] in an article links to one."""
        return tuple(k for k in self.kinds if k.collection and k.pages and k.pages.item)

    @cached_property
    def schema_files(self) -> dict[str, bytes]:
        """The JSON Schema files of the content, as committed under schema/ and published under data/schema/."""
        return {
            name: (json.dumps(doc, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
            for name, doc in json_schemas(self).items()
        }

    @cached_property
    def charts(self) -> dict[str, ChartSpec]:
        """Every declared chart by its id, in the kinds' order."""
        return {spec.id: spec for k in self.kinds for spec in k.charts}

    def section(self, name: str) -> str:
        """The URL section of a kind (by its name or one item's), e.g. events -> 'summits'."""
        kind = self.by_name.get(name)
        return kind.pages.section if kind is not None and kind.pages else name


# How models/*.yaml are read: the same declarative fields as the content, so a mistake in a model is reported at
# its line too.
FIELD_TYPES = (
    "text",
    "prose",
    "slug",
    "url",
    "hostname",
    "date",
    "period",
    "year",
    "number",
    "choice",
    "ref",
    "list",
    "map",
    "figure",
    "figures",
    "notes",
    "key",
    "figure_key",
    "language",
)


def _declared(loc, **values) -> dict:
    """A declaration read from a model file, as a dict with its location."""
    return values | {"loc": loc}


_SPEC_FIELDS: dict[str, Field] = {
    "type": Choice(FIELD_TYPES, "what the field holds"),
    "help": Text("what an editor should write, shown in errors and by the editor", required=False),
    "required": Flag("false when the field may be left out (figures and notes may always be)", required=False),
    "localized": Flag("true when the field has a twin per language (name_zh ...)", required=False, default=False),
    "names": Key(
        "a figure, or a map of figures: the interface string naming its figures where they have no label "
        "of their own (projects_count: '2023 summit: projects'; a map's by its key: 'GDP 2022')",
        required=False,
    ),
    "max_len": Number("text: the most characters allowed", required=False, integer=True, minimum=1),
    "options": ListOf(Text("an allowed value"), "choice: the allowed values", required=False, min_items=1),
    "to": Slug("ref: the kind whose item ids it names", required=False),
    "min": Number("list: the fewest items allowed", required=False, integer=True),
    "integer": Flag("number: true for whole numbers", required=False, default=False),
    "minimum": Number("number: the smallest value allowed", required=False, integer=True),
    "keys_in": Key(
        "map: a list field of the same record whose values its keys must be among (stage_dates: status)", required=False
    ),
    "source_kinds": ListOf(
        Text("a kind of source"),
        "figure_key: the kinds of source the figure must cite (the "
        "kind of the original document, when it was read in a copy)",
        required=False,
        min_items=1,
    ),
}
SPEC = LocatedDecl(_declared, _SPEC_FIELDS, title="Field")
_NESTED = LocatedDecl(_declared, _SPEC_FIELDS, "a nested field: a list's items, a map's keys or values", required=False)
_SPEC_FIELDS.update(of=_NESTED, key=_NESTED, value=_NESTED)  # the same declaration, recursively

RULE = LocatedDecl(
    _declared,
    {
        "when": MapOf(
            Key("field"),
            ListOf(Text("value"), min_items=1),
            "the field and the values the rule applies to",
            required=False,
        ),
        "unless": MapOf(
            Key("field"),
            ListOf(Text("value"), min_items=1),
            "the field and the values the rule does not apply to (it applies to every other value, and to none)",
            required=False,
        ),
        "require": ListOf(Key("field"), "fields that must be given", required=False),
        "forbid": ListOf(Key("field"), "fields that must not be given", required=False),
        "refuse": MapOf(Key("field"), ListOf(Text("value")), "values a field may not take", required=False),
        "hint": Text("how to fix it", required=False),
    },
    title="Rule",
)

STRING_KEY = "an interface string (a key of content/i18n/*.yaml)"
CHART = Located(
    lambda loc, **kw: ChartSpec(loc=loc, **kw),
    {
        "type": Explained(
            TYPES,
            "bar (horizontal bars; several series: one panel each), line, grouped-bar or dot (a "
            "matrix of dots: which rows pass each series' test)",
        ),
        "by": Explained(BY, "its rows: year (the years of its series' maps of figures) or item (the kind's items)"),
        "series": ListOf(
            Located(
                lambda loc, **kw: Series(loc=loc, **kw),
                {
                    "field": Key(
                        "the field it draws: a figure (by item), a map of figures by year (by year), a list of "
                        "choices or ids (dot)",
                        required=False,
                    ),
                    "kind": Slug("the kind whose field it draws, when not the chart's own", required=False),
                    "figures": ListOf(
                        FigureKey("a figure key such as profile.gdp.2022"),
                        "figures by key, each drawn at the year it holds for",
                        required=False,
                    ),
                    "label": Key(f"its name in the table, legend and summary: {STRING_KEY}", required=False),
                    "head": Key(f"bar: its panel's heading, {STRING_KEY} (default: label)", required=False),
                    "has": Text("dot: the value the row's list (field) holds", required=False),
                    "latest": Key(
                        "dot: the field (a date) that picks the latest item of kind; its list (field) names the "
                        "rows that get a dot",
                        required=False,
                    ),
                    "each": Flag("by year, of a list kind: one series per item", required=False, default=False),
                    "unit": UnitName("the unit of every figure it draws (models/languages.yaml)", required=False),
                    "id": Slug("its name in summary placeholders (default: has, else field)", required=False),
                },
                title="Series",
            ),
            "what it draws, in order",
            min_items=1,
        ),
        "title": Key(f"its title, {STRING_KEY}; {{unit}} is the first series' unit"),
        "summary": ListOf(
            Key(STRING_KEY),
            "its one-sentence summary, the SVG's accessible name: the first of these "
            "strings whose placeholders all have a value",
            min_items=1,
        ),
        "head": Key(
            f"the table's first column heading, {STRING_KEY} (default: year, or the kind's one)", required=False
        ),
        "label": Key("by item: the field naming each row (default: name)", required=False, default="name"),
        "sort": Text(
            "by item: the field its rows are ordered by ('-date': newest first); default: file order", required=False
        ),
        "unit": UnitName("dot: what its rows are, counted in the summary (industries: '4 industries')", required=False),
        "mark": Located(
            lambda loc, **kw: Mark(loc=loc, **kw),
            {
                "when": MapOf(
                    Key("field"), ListOf(Text("value"), min_items=1), "the field and the values that mark a row"
                ),
                "legend": Key(f"what the star means, {STRING_KEY}"),
                "note": Key(
                    f"said of each marked row under the chart, {STRING_KEY}; {{name}} is the row", required=False
                ),
                "column": Key(
                    f"a table column showing the field's value ({STRING_KEY} heading; each value through the "
                    "string FIELD_VALUE)",
                    required=False,
                ),
            },
            "rows to hatch and star, and leave out of the summary's comparison",
            required=False,
            title="Mark",
        ),
        "csv": Slug("the download under data/ holding its data: NAME of data/NAME.csv", required=False),
        "since": Year("by year: the first year it draws (a series' earlier years are left out)", required=False),
    },
    title="Chart",
)

MODEL = LocatedDecl(
    _declared,
    {
        "kind": Slug("the collection's name, e.g. projects: content.projects in templates, the first part of keys"),
        "one": Slug("the name of one item, e.g. project: its page template and its interface string", required=False),
        "shape": Choice(
            ("list", "single", "markdown", "strings"),
            "list: items with ids; single: one record; "
            "markdown: a folder of articles; strings: a folder of interface strings",
        ),
        "file": Text("its file (or folder) under content/"),
        "order": Number("its place among the kinds: pages, downloads and checks go in this order", integer=True),
        "min": Number("list: the fewest items allowed", required=False, integer=True),
        "title": Text("its name in the JSON Schema"),
        "pages": Located(
            lambda loc, section=None, label=None, **kw: Pages((section or "").strip("/"), label=label or "", **kw),
            {
                "section": Text("the folder of its pages under the site root ('/' for the root)", required=False),
                "item": Text("the template of one item's page", required=False),
                "index": Text("the template of the index page", required=False),
                "nav": Number("its place in the navigation", required=False, integer=True),
                "label": Key("the interface string naming it in the navigation (default: nav_KIND)", required=False),
                "per_page": Number("items per index page", required=False, integer=True, minimum=1),
                "sort": Text("the field its pages are ordered by ('-date': newest first)", required=False),
            },
            required=False,
        ),
        "downloads": ListOf(
            Located(
                lambda loc, columns, maps=None, **kw: Download(
                    columns=tuple(columns), maps=tuple(maps or ()), loc=loc, **kw
                ),
                {
                    "name": Slug("the CSV's name: data/NAME.csv"),
                    "columns": ListOf(Key("a field"), "its columns, in order", min_items=1),
                    "rows": Key("a map field of a single record to make the rows from", required=False),
                    "key": Key("the column holding each row's map key", required=False),
                    "sort": Key("the field its rows are ordered by", required=False),
                    "maps": ListOf(
                        Key("a year map of the record"),
                        "a single record's year maps to make one long "
                        "table from: a row per entry, with the columns map, KEY, figure and source",
                        required=False,
                        min_items=1,
                    ),
                },
            ),
            "its CSV files under data/",
            required=False,
        ),
        "fields": MapOf(Key("field name"), SPEC, "its fields", required=False),
        "rules": ListOf(RULE, "rules across its fields", required=False),
        "charts": MapOf(Slug("chart id: charts.ID in templates"), CHART, "charts of its data", required=False),
    },
    title="Model",
)


def _field(spec: dict, where: Location, problems: Problems, langs: Languages) -> Field | None:
    """A model's field declaration as a Field (with the interface string naming its figures, if declared); None
    (reported) when it names an unknown kind of setting."""
    made = _made_field(spec, where, problems, langs)
    if made is not None:
        made.names = spec.get("names") or ""
        made.where = spec.get("at", {}) | {"": where}  # where its model declares it (modelcheck reports there)
    return made


def _made_field(spec: dict, where: Location, problems: Problems, langs: Languages) -> Field | None:
    """A model's field declaration as a Field; None (reported) when it names an unknown kind of setting."""
    kind, help = spec["type"], spec.get("help") or ""
    required = spec["required"] if spec["required"] is not None else kind not in ("figures", "notes")
    units = langs.figure_units
    make = {
        "text": lambda: _twinned(Text(help, required, max_len=spec.get("max_len") or 0), spec),
        "prose": lambda: _twinned(Prose(help, required, max_len=spec.get("max_len") or 0), spec),
        "slug": lambda: Slug(help, required),
        "url": lambda: Url(help, required),
        "hostname": lambda: Hostname(help, required),
        "date": lambda: Date(help, required),
        "period": lambda: Period(help, required),
        "year": lambda: Year(help, required),
        "key": lambda: Key(help, required),
        "figure_key": lambda: sourced(FigureKey(help, required), spec.get("source_kinds")),
        "number": lambda: Number(help, required, integer=spec["integer"], minimum=spec.get("minimum") or 0),
        "choice": lambda: Choice(tuple(spec.get("options") or ()), help, required),
        "language": lambda: Choice(tuple(langs.declared), help, required),
        "ref": lambda: Ref(spec.get("to") or "", help, required),
        "figure": lambda: figure(units, help, required),
        "figures": lambda: figures(units, help, required=required) if help else figures(units, required=required),
        "notes": lambda: notes(help, required=required) if help else notes(required=required),
    }
    if kind in make:
        return make[kind]()
    parts = [
        _made_field(spec[name], where, problems, langs) if spec.get(name) else None for name in ("of", "key", "value")
    ]
    if kind == "list" and parts[0] is not None:
        return ListOf(parts[0], help, required, min_items=spec.get("min") or 0)
    if kind == "map" and parts[1] is not None and parts[2] is not None:
        return MapOf(parts[1], parts[2], help, required)
    problems.error(
        where,
        f"a {kind} field needs " + ("'of'" if kind == "list" else "'key' and 'value'"),
        "e.g. {type: list, of: {type: text}}",
    )
    return None


def sourced(field: FigureKey, kinds: tuple | None) -> FigureKey:
    """A figure key that must name a figure citing a source of one of these kinds (all kinds when None)."""
    field.source_kinds = tuple(kinds or ())
    return field


def _twinned(field: Field, spec: dict) -> Field:
    """A text field, localized when its declaration says so."""
    return localized(field) if spec["localized"] else field


class Twins:
    """A rule on records with localized fields: each such field given has its twin in every other language of the
    site (name_zh beside name), and no twin stands without its field. Once the record is valid, `fold` gathers each
    text and its twins into the record's `texts` ({name: {language: text}}), where every later stage reads them."""

    def __init__(self, names: tuple[str, ...], languages: tuple[Language, ...], prose: tuple[str, ...] = ()):
        self.names, self.first, self.others = names, languages[0], languages[1:]
        self.prose, self.scripts = prose, {lang.code: re.compile(lang.script) for lang in self.others if lang.script}

    def check(self, values: dict, keys: Given, node, cx) -> bool:
        """Report a missing or orphaned twin, at the field (or the record)."""
        ok = True
        for name in self.names:
            for lang in self.others:
                twin = f"{name}_{lang.code}"
                if values.get(name) is not None and values.get(twin) is None:
                    ok = (
                        cx.error(
                            keys[name][0] if name in keys else node,
                            f"'{name}' has no {lang.english_name} text '{twin}'",
                            f"add '{twin}: ...' beside it: the site's languages in content/site.yaml include "
                            f"{lang.code}",
                        )
                        is True
                        and ok
                    )
                elif values.get(twin) is not None and values.get(name) is None:
                    ok = (
                        cx.error(
                            keys[twin][0],
                            f"'{twin}' without '{name}'",
                            f"add '{name}: ...' in {self.first.english_name} beside it",
                        )
                        is True
                        and ok
                    )
                elif values.get(twin) is not None and lang.code in self.scripts:
                    ok = self._in_script(name, lang, values, keys, cx) and ok
        return ok

    def _in_script(self, name: str, lang: Language, values: dict, keys, cx) -> bool:
        """A text in a language with a script of its own holds one of its characters; a name (not prose) with no
        form in it may be the first language's, the same."""
        twin = f"{name}_{lang.code}"
        text = values[twin]
        if self.scripts[lang.code].search(text) or (name not in self.prose and text == values[name]):
            return True
        cx.error(
            keys[twin][1],
            f"'{twin}' holds no {lang.english_name} character: '{text}'",
            f"write it in {lang.english_name}"
            + (
                ""
                if name in self.prose
                else f"; a name with no "
                f"{lang.english_name} form is written as in {self.first.english_name}, the same as '{name}'"
            ),
        )
        return False

    def fold(self, values: dict) -> dict:
        """The values with each localized text's twins taken into `texts`, by language, the base language first."""
        texts = {}
        for name in self.names:
            twins = {lang.code: values.pop(f"{name}_{lang.code}", None) for lang in self.others}
            if values.get(name) is not None:
                texts[name] = {self.first.code: values[name], **twins}
        values["texts"] = model.Texts(texts)
        return values

    def json_schema(self) -> dict:
        """Each field given requires its twins, for editors."""
        return {"dependentRequired": {name: [f"{name}_{lang.code}" for lang in self.others] for name in self.names}}


class TranslatedNames:
    """A rule on `translated`: it lists fields of the record (whose text is our translation, not a source's)."""

    def __init__(self, names: tuple[str, ...]):
        self.names = names

    def check(self, values: dict, keys: Given, node, cx) -> bool:
        """Report a listed name that is not a text field of the record."""
        bad = [n for n in values.get("translated") or () if n not in self.names]
        for name in bad:
            cx.error(
                keys["translated"][1],
                f"'{name}' is not a text field here",
                did_you_mean(name, self.names) or "list the fields whose text is our own translation",
            )
        return not bad

    def json_schema(self) -> dict:
        """The names it may list."""
        return {"properties": {"translated": {"items": {"enum": list(self.names)}}}}


RESERVED = ("texts", "translated", "loc")  # what the generator gives every record with localized fields


def for_site(field: Field, languages: tuple[Language, ...], langs: Languages) -> Field:
    """A field for a site in these languages (its base first): every record with localized fields gets their twins in
    the other languages (unless declared), the rule that pairs them and folds them into `texts`, and `translated`
    (the fields whose text is ours, not a source's); nested records (figures, notes, list items) likewise. Prose gets
    the time-relative words of every declared language."""
    if isinstance(field, Prose):
        prose = copy.copy(field)
        prose.words = langs.time_words
        return prose
    if isinstance(field, ListOf):
        listed = copy.copy(field)
        listed.item = for_site(field.item, languages, langs)
        return listed
    if isinstance(field, MapOf):
        mapped = copy.copy(field)
        mapped.value = for_site(field.value, languages, langs)
        return mapped
    if not isinstance(field, Record):
        return field
    return record_for_site(field, languages, langs)


def record_for_site(field: Record, languages: tuple[Language, ...], langs: Languages) -> Record:
    """A record for a site in these languages: for_site() of a record, typed as one."""
    new = copy.copy(field)
    fields: dict[str, Field] = {}
    names: list[str] = []
    for name, f in field.fields.items():
        fields[name] = for_site(f, languages, langs)
        if getattr(f, "localized", False) and languages:
            names.append(name)
            for lang in languages[1:]:
                twin = f"{name}_{lang.code}"
                if twin not in field.fields:
                    fields[twin] = copy.copy(fields[name])
                    fields[twin].help, fields[twin].required = f"{f.help}, in {lang.english_name}", False
                    fields[twin].localized = False
    if names:
        texts = tuple(n for n, f in fields.items() if isinstance(f, Text) and not isinstance(f, (Slug, Choice)))
        fields["translated"] = ListOf(
            Key("a field"),
            "the fields whose text is our own translation, not a source's (shown marked as such)",
            required=False,
        )
        twins = Twins(tuple(names), languages, tuple(n for n in names if isinstance(field.fields[n], Prose)))
        new.rules, new.fold = field.rules + (twins, TranslatedNames(texts)), twins.fold
    new.fields = fields
    return new


def _kind(
    decl: dict, source: str, problems: Problems, languages: tuple[Language, ...], langs: Languages
) -> Kind | None:
    """One model file's declaration as a Kind."""
    fields = _kind_fields(decl, problems, langs)
    rules = _rules(decl, fields, problems) + _keys_within(decl, problems)
    _check_downloads(decl, fields, problems)
    for chart in (decl.get("charts") or {}).values():
        _check_units(chart, langs, problems)
    shape, one = decl["shape"], decl.get("one") or decl["kind"]
    record = None
    if shape != "strings":
        cls = model.item_class(one.title().replace("-", ""))
        record = record_for_site(Record(cls, fields, title=decl["title"], rules=rules), languages, langs)
    kind = Kind(
        decl["kind"],
        one,
        shape,
        decl["file"],
        decl["order"],
        record,
        decl.get("pages"),
        tuple(decl.get("downloads") or ()),
        decl.get("min") or 0,
        source,
    )
    return replace(kind, charts=declared(kind, decl.get("charts") or {}), at=decl["at"])


def _kind_fields(decl: dict, problems: Problems, langs: Languages) -> dict:
    """A kind's declared fields, each made from its spec (a name the generator gives every record refused)."""
    fields = {}
    for name, spec in (decl.get("fields") or {}).items():
        if name in RESERVED:
            problems.error(
                spec["loc"], f"'{name}' is a name the generator gives every record", "name the field otherwise"
            )
            continue
        check_spec(spec, problems)
        made = _field(spec, spec["loc"], problems, langs)
        if made is not None:
            fields[name] = made
    return fields


def _rules(decl: dict, fields: dict, problems: Problems) -> tuple:
    """A kind's rules, each with one of 'when' and 'unless'."""
    rules = tuple(
        When(
            name,
            values,
            require=tuple(r.get("require") or ()),
            forbid=tuple(r.get("forbid") or ()),
            hint=r.get("hint") or "",
            refuse=tuple((k, tuple(v)) for k, v in (r.get("refuse") or {}).items()),
            negate=not r["when"],
        )
        for r in decl.get("rules") or ()
        if r["when"] or r["unless"]
        for name, values in [next(iter((r["when"] or r["unless"]).items()))]  # the one field it tests
    )
    for r in decl.get("rules") or ():
        if bool(r["when"]) == bool(r["unless"]):
            problems.error(r["loc"], "a rule needs one of 'when' and 'unless'", "e.g. when: {kind: [press-release]}")
        else:
            check_rule(r, fields, problems)
    return rules


def _keys_within(decl: dict, problems: Problems) -> tuple:
    """A rule for each map whose keys must be among the values of a list of the same record (`keys_in`)."""
    specs = decl.get("fields") or {}
    made = []
    for name, spec in specs.items():
        among = spec.get("keys_in")
        if among is None:
            continue
        if spec["type"] != "map" or among not in specs or specs[among]["type"] != "list":
            problems.error(
                spec["loc"],
                f"keys_in: '{among}' is not a list field of this kind, or '{name}' is not a map",
                "keys_in belongs to a map, and names a list field of the same kind",
            )
            continue
        made.append(KeysWithin(name, among))
    return tuple(made)


def _check_downloads(decl: dict, fields: dict, problems: Problems) -> None:
    """Each download's columns are fields of the kind."""
    for table in decl.get("downloads") or ():
        known = set(fields) | {table.rows, table.key}
        if table.maps:
            known = {"map", "figure", "source", table.key}
            _check_maps(decl, table, fields, problems)
        for column in table.columns:
            if column not in known:
                problems.error(
                    table.loc,
                    f"column '{column}' of {table.name}.csv is not a field of {decl['kind']}",
                    did_you_mean(column, known - {None}) or "list fields declared under 'fields:'",
                )


def _check_maps(decl: dict, table, fields: dict, problems: Problems) -> None:
    """A download's 'maps' (one long table of a single record's year maps) name maps of figures by year."""
    for name in table.maps:
        f = fields.get(name)
        if not (
            isinstance(f, MapOf)
            and isinstance(f.key, Year)
            and (isinstance(f.value, FigureKey) or getattr(f.value, "cls", None) is model.Figure)
        ):
            problems.error(
                table.loc,
                f"'{name}' of {decl['kind']} is not a map of figures (or of figure keys) by year",
                "list the record's year maps under 'maps:'",
            )
    if decl["shape"] != "single" or not table.key:
        problems.error(
            table.loc,
            f"{table.name}.csv: 'maps' makes a long table of one record's year maps",
            "use it in a model of shape single, with 'key: year' naming the year's column",
        )


def _check_units(chart: ChartSpec, langs: Languages, problems: Problems) -> None:
    """Report a chart's unit that models/languages.yaml does not declare: a series' among the units of figures, a dot
    chart's among every unit (the nouns rows are counted in)."""
    owners: list[tuple[ChartSpec | Series, tuple[str, ...]]] = [(chart, tuple(langs.units))]
    owners += [(s, langs.figure_units) for s in chart.series]
    for owner, units in owners:
        if owner.unit is not None and owner.unit not in units:
            problems.error(
                owner.at["unit"],
                f"'{owner.unit}' is not one of: {', '.join(units)}",
                did_you_mean(owner.unit, units) or "declare it under units: in models/languages.yaml",
            )


def site_languages(root: Path, langs: Languages | None = None) -> tuple[str, ...]:
    """The languages content/site.yaml asks for, read ahead of its validation (which reports any mistake in it):
    the records of every kind depend on them. Those among `langs` (when given): the validation of site.yaml reports
    the others. Empty when they cannot be read."""
    try:
        found = (yaml.safe_load((root / "content" / "site.yaml").read_text(encoding="utf-8")) or {}).get("languages")
    except (OSError, ValueError, yaml.YAMLError, AttributeError, RecursionError):
        found = None
    if not isinstance(found, list):
        return ()
    return tuple(dict.fromkeys(code for code in found if isinstance(code, str) and (langs is None or code in langs)))


def load_registry(root: Path, problems: Problems, languages: tuple[str, ...] | None = None) -> Registry:
    """Read models/languages.yaml and every models/*.yaml of a project into the Registry, reporting mistakes at their
    lines; its records are made for the site's languages (read from content/site.yaml unless given)."""
    langs = load_languages(root, problems)
    if langs is None:  # reported: nothing can be read without its languages
        return Registry((), (), Languages({}, {}))
    check_site_languages(root, langs.declared, problems)
    languages = tuple(code for code in languages or site_languages(root, langs) if code in langs) or (
        next(iter(langs.declared)),
    )  # when site.yaml is mistaken, its validation says so
    site = tuple(langs[code] for code in languages)
    kinds = []
    for path in sorted((root / "models").glob("*.yaml")):
        if path.name in (Path(LANGUAGES_FILE).name, Path(PAGES_FILE).name):
            continue
        source = path.relative_to(root).as_posix()
        doc = load_yaml(path, source, problems)
        decl = MODEL.parse(doc.root, Cx(source, problems)) if doc is not None else INVALID
        if decl is not INVALID:
            kind = _kind(decl, source, problems, site, langs)
            if kind is not None:
                kinds.append(kind)
    names: dict[str, str] = {}  # a kind's name, or one item's -> the models file that declares it
    for kind in kinds:
        for name in {kind.name, kind.one}:
            if name in names:
                problems.error(
                    Location(kind.source, 1, 1),
                    f"kind '{name}' is declared twice",
                    f"it is already declared in {names[name]}",
                )
            names[name] = kind.source
    if not kinds and not problems.errors:
        problems.error(
            Location("models/"),
            "no kinds of content are declared",
            "the project needs its models/*.yaml files (see models/README.md)",
        )
    registry = Registry(
        tuple(sorted(kinds, key=lambda k: (k.order, k.name))), languages, langs, pages=load_pages(root, problems)
    )
    if not problems.errors:  # a chart names other kinds and their fields: checked once they all read well
        check_registry(registry, root, problems)
    if not problems.errors:
        check_declared(registry, problems)
    return registry


def json_schemas(registry: Registry) -> dict[str, dict]:
    """JSON Schema documents for every content file, keyed by schema file name, made from the kinds' fields."""
    docs: dict[str, tuple[Field, str]] = {}
    for k in registry.kinds:
        if k.shape == "strings":
            docs["strings.schema.json"] = (STRINGS, "UI strings")
        elif k.shape == "markdown":
            docs[f"{k.one}.schema.json"] = (k.item_record, f"{k.one} front matter")
        else:
            docs[f"{Path(k.file).stem}.schema.json"] = (k.root, k.name)
    return {
        name: {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": f"https://sitegen.invalid/schema/{name}",
            "title": f"Content: {title}",
            **field.json_schema(),
        }
        for name, (field, title) in sorted(docs.items())
    }
