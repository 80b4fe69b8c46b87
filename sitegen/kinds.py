"""The content kinds: which file holds each, and the fields it may have. The validator and the JSON Schemas both read this."""
from __future__ import annotations

import re
from dataclasses import dataclass

from . import model
from .schema import (Choice, Date, Field, Hostname, ListOf, MapOf, Number, Period, Prose, Record, Ref, Slug, Text, Url,
                     When, Year)

UNITS = ("CNY", "USD", "EUR", "people", "km2", "percent", "percent-change", "rank", "years", "projects", "companies",
         "enterprises", "employees", "funds", "guests")
SCALES = ("thousand", "million", "billion", "trillion", "wan", "yi")
QUALIFIERS = ("over", "about", "nearly", "under")
STATUSES = ("signed", "under-construction", "progressing", "provincial-major", "in-production")
TIERS = ("pillar", "emerging")
MEASURES = ("signed", "started")
RELIABILITY = ("high", "medium", "low")
BASES = ("real", "nominal")
SOURCE_KINDS = ("official-statistics", "government", "news", "press-release", "encyclopedia", "company", "other")
PROMOTIONAL = ("press-release", "company")  # the words of those who promote what they describe
GROWTH_WORDS = r"[Gg]rowth|[Gg]rew|[Ii]ncrease|[Rr]ise|[Rr]ose|[Cc]hange|[Dd]ecline|[Ff]ell|[Ff]all"


class GrowthAsPercent:
    """A rule on figures: a growth rate written as a plain percent (its label says growth) must use the unit
    percent-change, which requires its basis. A share (a stake, a rate of something) stays a percent."""

    pattern = re.compile(GROWTH_WORDS)

    def check(self, values: dict, keys: dict, node, cx) -> bool:
        """Report a percent figure whose label names a change."""
        if values.get("unit") == "percent" and values.get("label") and self.pattern.search(values["label"]):
            return cx.error(keys["unit"][1], "a growth rate needs 'unit: percent-change' and its basis",
                            "write 'unit: percent-change' and 'basis: real' or 'basis: nominal' (real growth is at "
                            "comparable prices)") is True
        return True

    def json_schema(self) -> dict:
        """The same rule for editors: a label naming a change may not go with the unit percent."""
        return {"if": {"properties": {"unit": {"const": "percent"}, "label": {"pattern": GROWTH_WORDS}},
                       "required": ["unit", "label"]},
                "then": {"properties": {"unit": {"not": {"const": "percent"}}}}}


RANK_HINT = ("a ranking says who ranks and among whom, e.g. 'by: Yicai, as cited by China Daily' and "
             "'scope: county-level economies in China, by GDP'")


def figure(help: str = "", required: bool = True) -> Record:
    """The one shape every figure has: a number, its unit and scale, a qualifier, an as-of period, a source."""
    return Record(model.Figure, {
        "value": Number("the number as the source gives it, e.g. 475.418"),
        "unit": Choice(UNITS, "what is counted or the currency"),
        "scale": Choice(SCALES, "multiplier of value: billion means value x 1,000,000,000; yi (亿) x 100,000,000",
                        required=False),
        "qualifier": Choice(QUALIFIERS, "when the source says 'over', 'about', 'nearly' or 'under'", required=False),
        "as_of": Period("the year, month or day the figure holds for"),
        "source": Ref("sources", "id of the source in sources.yaml"),
        "label": Prose("a short name for the figure on cards and lists", required=False),
        "note": Prose("a caveat or remark, shown with the figure and in the downloads", required=False),
        "by": Text("rank: who publishes the ranking (an institute, a newspaper), or who reported it when no compiler "
                   "is named", required=False),
        "scope": Text("rank: among whom, and by what measure, e.g. 'county-level cities in China, by GDP'",
                      required=False),
        "shared_with": Text("rank: who shares the place, when it is a tie, e.g. 'Kunshan'", required=False),
        "basis": Choice(BASES, "percent-change: real (at comparable prices, inflation removed) or nominal (at "
                        "current prices)", required=False),
    }, help=help, required=required, title="Figure", rules=(
        When("unit", ("rank",), require=("by", "scope"), hint=RANK_HINT),
        When("unit", ("rank",), forbid=("by", "scope", "shared_with"), negate=True),
        When("unit", ("percent-change",), require=("basis",), hint="say whether the growth is real (at comparable "
             "prices) or nominal: 'basis: real' or 'basis: nominal'"),
        When("unit", ("percent-change",), forbid=("basis",), negate=True),
        GrowthAsPercent()))


def figures() -> MapOf:
    """A set of named figures."""
    return MapOf(Slug("figure id"), figure(), "named figures: id: {value, unit, as_of, source}", required=False)


def notes() -> ListOf:
    """Sourced statements in our own words."""
    return ListOf(Record(model.Note, {"text": Prose("the statement, in our own words"),
                                      "source": Ref("sources", "id of the source")}),
                  "sourced statements in our own words", required=False)


SOURCE = Record(model.Source, {
    "id": Slug("unique id that figures use to cite this source"),
    "title": Text("title of the page or document"),
    "title_zh": Text("Chinese title, when the source is in Chinese", required=False),
    "publisher": Text("who published it"),
    "date": Period("date of publication: YYYY-MM-DD, or YYYY-MM or YYYY when only that is known", required=False),
    "url": Url("address of the page", required=False),
    "retrieved": Date("the day the page was read for this site, YYYY-MM-DD (write it when you check a source)",
                      required=False),
    "kind": Choice(SOURCE_KINDS, "what the source is: official-statistics (a statistics bureau or yearbook), "
                   "government (an authority's own report or speech), news, press-release (promotional wire copy), "
                   "encyclopedia, company (a firm's own words), other (aggregators, commentary)"),
    "reliability": Choice(RELIABILITY, "high: official or major outlet; medium: reputable copy; low: aggregator"),
    "note": Prose("caveats about this source, shown with it", required=False),
}, title="Source", rules=(
    When("kind", PROMOTIONAL, refuse=(("reliability", ("high",)),),
         hint="a press release or a company's own words promotes what it describes: rate it medium or low, and "
              "attribute its claims in the text ('according to the release')"),))

INDUSTRY = Record(model.Industry, {
    "id": Slug("unique id, used in the page address"),
    "name": Text("English name"),
    "name_zh": Text("Chinese name", required=False),
    "tiers": ListOf(Choice(TIERS), "pillar: a hundred-billion-yuan cluster; emerging: a strategic emerging industry",
                    required=False),
    "summary": Prose("one or two sentences in our own words"),
    "source": Ref("sources", "id of the source for this industry's place in the profile"),
    "figures": figures(),
    "notes": notes(),
}, title="Industry")

COMPANY = Record(model.Company, {
    "id": Slug("unique id, used in the page address"),
    "name": Text("English name"),
    "name_zh": Text("Chinese name", required=False),
    "industry": Ref("industries", "id of its main industry", required=False),
    "country": Text("home country, for foreign companies", required=False),
    "listing": Text("stock listing, e.g. 'SSE: 600584'", required=False),
    "summary": Prose("one or two sentences in our own words"),
    "source": Ref("sources", "id of the main source"),
    "figures": figures(),
    "notes": notes(),
}, title="Company")

PROJECT = Record(model.Project, {
    "id": Slug("unique id, used in the page address"),
    "name": Text("name of the project"),
    "company": Ref("companies", "id of the company behind it"),
    "industry": Ref("industries", "id of its industry"),
    "status": ListOf(Choice(STATUSES), "stages reached: signed, under-construction, progressing, provincial-major, "
                     "in-production", min_items=1),
    "year": Year("year of the status"),
    "event": Ref("events", "id of the summit where it was signed", required=False),
    "investment": figure("planned total investment", required=False),
    "summary": Prose("one or two sentences in our own words"),
    "source": Ref("sources", "id of the source for the project and its status"),
    "notes": notes(),
}, title="Project")

EVENT = Record(model.Event, {
    "id": Slug("unique id, used in the page address"),
    "name": Text("full name of the event"),
    "short_name": Text("short name for charts and lists"),
    "edition": Number("number of the edition, e.g. 4 for the fourth summit", required=False, integer=True, minimum=1),
    "date": Period("opening date: YYYY-MM-DD, or YYYY-MM when the day is not known"),
    "measure": Choice(MEASURES, "signed: projects signed; started: projects starting or completing construction"),
    "projects": figure("number of projects"),
    "investment": figure("their total investment"),
    "fields": ListOf(Ref("industries"), "ids of the industries the projects cover", required=False),
    "summary": Prose("one or two sentences in our own words"),
    "source": Ref("sources", "id of the main source"),
    "figures": figures(),
    "notes": notes(),
}, title="Event")

PROFILE = Record(model.Profile, {
    "name": Text("English name of the city"),
    "name_zh": Text("Chinese name"),
    "status": Text("administrative status"),
    "parent": Text("the prefecture-level city it belongs to"),
    "province": Text("province"),
    "summary": Prose("two or three sentences in our own words"),
    "source": Ref("sources", "id of the source for name and status"),
    "headline": ListOf(Text("a figure key such as profile.gdp.2022"), "figure keys shown as headline cards",
                       min_items=1),
    "figures": figures(),
    "gdp": MapOf(Year("year"), figure(), "gross domestic product by year: YEAR: {value, unit, ...}"),
    "rankings": MapOf(Slug("ranking id"), figure(), "rankings: id: {value, unit: rank, label, ...}", required=False),
    "notes": notes(),
}, title="City profile")

SITE = Record(model.Site, {
    "title": Text("site title", max_len=60),
    "tagline": Prose("a line under the title", required=False),
    "description": Prose("description for search engines and link previews", max_len=160),
    "base_url": Url("public address of the site, ending in '/'"),
    "language": Choice(("en",), "language code of the content"),
    "publisher": Text("who publishes the site"),
    "updated": Date("the date the data was last updated"),
    "domain": Hostname("custom domain for GitHub Pages, e.g. jiangyin.example.org (writes a CNAME file)", required=False),
    "repository": Url("address of the source repository", required=False),
}, title="Site settings")

ARTICLE = Record(lambda loc, **kw: kw | {"loc": loc}, {
    "title": Prose("headline", max_len=90),
    "date": Date("publication date"),
    "updated": Date("date of the last substantive update", required=False),
    "summary": Prose("one-sentence summary for lists and search engines", max_len=200),
    "sources": ListOf(Ref("sources"), "ids of the sources the article draws on", min_items=1),
    "slug": Slug("address of the article; defaults to the file name", required=False),
}, title="Article front matter")


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
class Kind:
    """One kind of content file: its path under content/, its root field, and whether it is a list of items."""

    name: str
    path: str
    root: Field
    collection: bool


KINDS = (
    Kind("site", "site.yaml", SITE, False),
    Kind("profile", "profile.yaml", PROFILE, False),
    Kind("sources", "sources.yaml", ListOf(SOURCE, min_items=1), True),
    Kind("industries", "industries.yaml", ListOf(INDUSTRY, min_items=1), True),
    Kind("companies", "companies.yaml", ListOf(COMPANY), True),
    Kind("events", "events.yaml", ListOf(EVENT), True),
    Kind("projects", "projects.yaml", ListOf(PROJECT), True),
)


def json_schemas() -> dict[str, dict]:
    """JSON Schema documents for every content file, keyed by schema file name, made from the fields above."""
    docs = {f"{k.path.removesuffix('.yaml')}.schema.json": (k.root, k.name) for k in KINDS}
    docs["article.schema.json"] = (ARTICLE, "article front matter")
    docs["strings.schema.json"] = (STRINGS, "UI strings")
    return {name: {"$schema": "https://json-schema.org/draft/2020-12/schema",
                   "$id": f"https://jiangyin-profile.invalid/schema/{name}",
                   "title": f"Jiangyin profile: {title}", **field.json_schema()}
            for name, (field, title) in sorted(docs.items())}
