"""A kind of content is declared once, in models/: adding one (industrial parks) to a site takes its model file, its
content, its templates and its interface strings, and no change to the generator."""

from __future__ import annotations

import csv
import io
import json
import re

from conftest import REPO, docstring_ids, edit, make_site, run_build
from test_errors import errors_of

PARKS_MODEL = """\
# Industrial parks: one file, a page each, an index, a place in the navigation and a CSV.
kind: parks
order: 5
one: park
shape: list
file: parks.yaml
title: Park
pages: {section: parks, item: park.html, index: parks.html, nav: 6, per_page: 100}
downloads:
  - {name: parks, columns: [id, name, industry, area, source]}
fields:
  id: {type: slug, help: "unique id, used in the page address"}
  name: {type: text, help: name of the park}
  industry: {type: ref, to: industries, help: id of its main industry}
  area: {type: figure, required: false, help: its area}
  summary: {type: prose, help: one or two sentences in our own words}
  source: {type: ref, to: sources, help: id of the main source}
  notes: {type: notes}
"""

PARKS = """\
# yaml-language-server: $schema=../schema/parks.schema.json
- id: chip-park
  name: Chip Park
  industry: chips
  area:
    value: 12.5
    unit: km2
    as_of: 2023
    source: paper
    quote: The park covers 12.5 km2.
  summary: A park for chip makers.
  source: paper
- id: river-park
  name: River Park
  industry: chips
  summary: A park by the river.
  source: release
"""

PARK_PAGE = """\
{% extends "base.html" %}
{% from "_macros.html" import dated, cite_link, notes %}
{% block title %}{{ item.name }}{% endblock %}
{% block content %}
<h1>{{ item.name }}</h1>
<p class="lede">{{ item.summary }}{{ cite_link(item.source) }}</p>
<p><a href="{{ url_for('industries', item.industry) }}">{{ content.industries[item.industry].name }}</a></p>
{% if item.area %}<p{{ anchor(item.area) }}>{{ dated(item.area) }}</p>{% endif %}
{{ notes(item.notes) }}
{% endblock %}
"""

PARKS_PAGE = """\
{% extends "base.html" %}
{% from "_macros.html" import item_list %}
{% block title %}{{ t.parks_title }}{% endblock %}
{% block content %}
<h1>{{ t.parks_title }}</h1>
{{ item_list("parks", items) }}
{% endblock %}
"""

STRINGS = 'nav_parks: Parks\nparks_title: Industrial parks\npark: Park\ndata_holds_parks: "Industrial parks."\n'


def kind_site(tmp_path, files: dict, strings: str):
    """A copy of the mini site with a new kind's files (model, content, templates) and its interface strings."""
    root = make_site(tmp_path / "site", files)
    edit(root, "content/i18n/en.yaml", "nav_news:", strings + "nav_news:")
    return root


def parks_site(tmp_path):
    return kind_site(
        tmp_path,
        {
            "models/parks.yaml": PARKS_MODEL,
            "content/parks.yaml": PARKS,
            "templates/park.html": PARK_PAGE,
            "templates/parks.html": PARKS_PAGE,
        },
        STRINGS,
    )


def test_a_new_kind_is_one_declaration_plus_its_templates(tmp_path):
    root = parks_site(tmp_path)
    result = run_build(root, "--base-url", "https://example.org/mini/")
    assert result.returncode == 0, result.stderr  # every internal link of every page checked, the new ones too
    out = root / "_site"
    park = (out / "parks/chip-park/index.html").read_text()
    assert "<h1>Chip Park</h1>" in park and 'id="fact-parks-chip-park-area"' in park and "12.5 km²" in park
    assert '<a href="/mini/industries/chips/">' in park
    index = (out / "parks/index.html").read_text()
    assert '<a href="/mini/parks/chip-park/">Chip Park</a>' in index and "River Park" in index
    nav = re.search(r"<nav aria-label=\"Main\">(.*?)</nav>", (out / "index.html").read_text(), re.S).group(1)
    assert re.findall(r">([^<]+)</a>", nav)[5:8] == ["Summits", "Parks", "News"]  # its slot, 6 (after nav_events, 5)
    sitemap = (out / "sitemap.xml").read_text()
    assert "https://example.org/mini/parks/" in sitemap and "https://example.org/mini/parks/river-park/" in sitemap
    rows = list(csv.DictReader(io.StringIO((out / "data/parks.csv").read_text())))
    assert [r["id"] for r in rows] == ["chip-park", "river-park"]
    assert rows[0]["area_value"] == "12.5" and rows[0]["area_unit"] == "km2" and rows[1]["area_value"] == ""
    assert rows[0]["source_title"] == "A newspaper report"
    schema = json.loads((out / "data/schema/parks.schema.json").read_text())
    assert set(schema["items"]["properties"]) == {"id", "name", "industry", "area", "summary", "source", "notes"}
    facts = json.loads((out / "data/facts.json").read_text())["figures"]
    assert "parks.chip-park.area" in {f["key"] for f in facts}
    assert "Industrial parks." in (out / "data/index.html").read_text()
    assert run_build(root, "schema").returncode == 0 and (root / "schema/parks.schema.json").is_file()


def test_a_new_kind_is_validated_like_the_others(tmp_path):
    root = parks_site(tmp_path)
    edit(root, "content/parks.yaml", "  summary: A park by the river.", "  sumary: A park by the river.")
    edit(root, "content/parks.yaml", "    value: 12.5", "    value: -12.5")
    assert errors_of(run_build(root)) == [
        "content/parks.yaml:6:12: error: negative value -12.5",
        "content/parks.yaml:16:3: error: unknown key 'sumary'",
    ]
    edit(root, "content/parks.yaml", "  sumary:", "  summary:")
    edit(root, "content/parks.yaml", "    value: -12.5", "    value: 12.5")
    edit(root, "content/parks.yaml", "  industry: chips\n  area:", "  industry: chipz\n  area:")
    assert errors_of(run_build(root)) == ["content/parks.yaml:4:13: error: unknown industry 'chipz'"]


def test_a_mistake_in_a_model_is_reported_at_its_line(tmp_path):
    root = parks_site(tmp_path)
    edit(
        root,
        "models/parks.yaml",
        "  name: {type: text, help: name of the park}",
        "  name: {type: txt, help: name of the park}",
    )
    errs = errors_of(run_build(root))
    assert len(errs) == 1 and errs[0].startswith("models/parks.yaml:13:16: error: 'txt' is not one of: text, prose")
    edit(root, "models/parks.yaml", "{type: txt,", "{type: text,")
    edit(
        root,
        "models/parks.yaml",
        "columns: [id, name, industry, area, source]",
        "columns: [id, name, industry, aera, source]",
    )
    result = run_build(root)
    assert errors_of(result) == ["models/parks.yaml:10:5: error: column 'aera' of parks.csv is not a field of parks"]
    assert "did you mean 'area'?" in result.stderr


def test_the_kinds_are_listed_in_one_place():
    names = sorted(
        p.stem for p in (REPO / "models").glob("*.yaml") if p.name not in ("languages.yaml", "pages.yaml")
    )  # not kinds
    assert names == [
        "articles",
        "companies",
        "events",
        "indicators",
        "industries",
        "peers",
        "profile",
        "projects",
        "rankings",
        "series",
        "site",
        "sources",
        "strings",
        "zones",
    ]
    for path in (REPO / "sitegen").rglob("*.py"):  # no module names the content's kinds
        text = path.read_text()
        assert not re.search(r"\(\s*\"industries\",\s*\"companies\"", text), path


PEERS_MODEL = """\
# Neighbouring cities, with a line chart of their GDP beside the profile's: declared, drawn by the generic renderer.
kind: neighbours
order: 5
one: neighbour
shape: list
file: neighbours.yaml
title: Peer
pages: {section: neighbours, item: neighbour.html, index: neighbours.html, nav: 6}
downloads:
  - {name: neighbours, columns: [id, name, source]}
fields:
  id: {type: slug, help: "unique id"}
  name: {type: text, help: name of the city}
  source: {type: ref, to: sources, help: id of the main source}
  gdp: {type: map, key: {type: year}, value: {type: figure}, help: "GDP by year"}
charts:
  neighbour-gdp:
    type: line
    by: year
    title: chart_peer_gdp_title
    summary: [chart_peer_gdp_summary]
    series:
      - {kind: profile, field: gdp, label: chart_peer_city}
      - {field: gdp, each: true}
    csv: neighbours
"""

PEERS = """\
- id: river-town
  name: River Town
  source: paper
  gdp:
    2020: {value: 301.2, scale: billion, unit: CNY, as_of: 2020, source: paper, quote: "GDP 301.2 billion yuan"}
    2022: {value: 333.9, scale: billion, unit: CNY, as_of: 2022, source: paper, quote: "GDP 333.9 billion yuan"}
- id: hill-town
  name: Hill Town
  source: release
  gdp:
    2021: {value: 120.5, scale: billion, unit: CNY, as_of: 2021, source: release, quote: "GDP 120.5 billion yuan"}
    2022: {value: 131, scale: billion, unit: CNY, as_of: 2022, source: release, derived: "made up for the tests"}
"""

PEERS_PAGE = """\
{% extends "base.html" %}
{% from "_macros.html" import chart %}
{% block title %}{{ t.neighbours_title }}{% endblock %}
{% block content %}
<h1>{{ t.neighbours_title }}</h1>
{{ chart(charts["neighbour-gdp"], level=2) }}
{% endblock %}
"""

PEER_PAGE = """\
{% extends "base.html" %}
{% from "_macros.html" import fig %}
{% block title %}{{ item.name }}{% endblock %}
{% block content %}
<h1>{{ item.name }}</h1>
<ul>{% for year, f in item.gdp.items() %}<li{{ anchor(f) }}>{{ year }}: {{ fig(f) }}</li>{% endfor %}</ul>
{% endblock %}
"""

PEER_STRINGS = """\
nav_neighbours: Neighbours
neighbours_title: Neighbouring cities
neighbour: Peer
data_holds_neighbours: "Neighbouring cities."
chart_peer_gdp_title: "Gross domestic product of neighbour cities, {unit}"
chart_peer_gdp_summary: "{profile.name}'s GDP {trend} from {first} in {first_year} to {last} in {last_year}; the table \
gives its neighbours' beside it."
chart_peer_city: "{profile.name}"
"""


def peers_site(tmp_path):
    return kind_site(
        tmp_path,
        {
            "models/neighbours.yaml": PEERS_MODEL,
            "content/neighbours.yaml": PEERS,
            "templates/neighbours.html": PEERS_PAGE,
            "templates/neighbour.html": PEER_PAGE,
        },
        PEER_STRINGS,
    )


def test_a_chart_declared_in_a_model_needs_no_engine_change(tmp_path):
    root = peers_site(tmp_path)
    result = run_build(root, "--base-url", "https://example.org/mini/")
    assert result.returncode == 0, result.stderr
    page = (root / "_site/neighbours/index.html").read_text()
    figure = re.search(r'<figure class="chart" id="chart-neighbour-gdp">.*?</figure>', page, re.S).group(0)
    svg = re.search(r"<svg .*?</svg>", figure, re.S).group(0)
    # Its accessible name is its summary, the first declared sentence whose placeholders all have a value.
    name = re.search(r'role="img" aria-labelledby="([^"]+)"', svg).group(1)
    summary = (
        "Mini City&#39;s GDP grew from 458 billion yuan in 2021 to 475.4 billion yuan in 2022; the table gives "
        "its neighbours&#39; beside it."
    )
    assert re.search(rf'<title id="{name}">([^<]*)</title>', svg).group(1) == summary
    assert f'<p class="chart-summary">{summary}</p>' in figure
    assert '<h2 class="chart-title">Gross domestic product of neighbour cities, billion yuan</h2>' in figure
    # A line per series over its consecutive years: River Town has no 2021, so its two points stand apart.
    assert len(re.findall(r'<polyline points="[^"]+" class="chart-line series-1"/>', svg)) == 1  # Mini City
    assert len(re.findall(r'class="chart-line series-2" stroke-dasharray="7 3"/>', svg)) == 1  # River Town's
    # legend swatch only (dashed: a line's pattern, beside its colour, tells it apart)
    assert len(re.findall(r'<polyline points="[^"]+" class="chart-line series-3" stroke-dasharray', svg)) == 1
    assert len(re.findall(r'class="chart-point series-2"', svg)) == 2 + 1  # two points, and the legend's marker
    assert [
        t for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg) if t in ("Mini City", "River Town", "Hill Town")
    ] == ["Mini City", "River Town", "Hill Town"]  # the legend names the series
    # Its table: a row per year, a column per series, each figure cited, a gap said as "no data".
    head = re.findall(r'<th scope="col">([^<]*)</th>', figure)
    assert head == ["Year", "Mini City", "River Town", "Hill Town"]
    rows = re.findall(r"<tr><th scope=\"row\">(.*?)</tr>", figure, re.S)
    assert [re.search(r"\d{4}", r).group(0) for r in rows] == ["2020", "2021", "2022"]
    cells = [re.findall(r"<td[^>]*>(.*?)</td>", r, re.S) for r in rows]
    assert [[c == "no data" for c in row] for row in cells] == [
        [True, False, True],
        [False, True, False],
        [False, False, False],
    ]
    assert '<td id="fact-neighbours-river-town-gdp-2020">' in rows[0] and 'class="cite"' in cells[0][1]
    assert '<a href="/mini/data/neighbours.csv" type="text/csv" download>' in figure
    # An edit to a neighbour's figure redraws the chart on an incremental build, as a fresh build draws it.
    edit(root, "content/neighbours.yaml", "value: 131,", "value: 140.4,")
    assert run_build(root, "--base-url", "https://example.org/mini/").returncode == 0
    again = (root / "_site/neighbours/index.html").read_text()
    assert ">140.4 billion yuan<" in again or "140.4" in re.search(r"<svg .*?</svg>", again, re.S).group(0)
    assert (
        run_build(
            root, "--fresh", "--out", str(tmp_path / "fresh"), "--base-url", "https://example.org/mini/"
        ).returncode
        == 0
    )
    assert (tmp_path / "fresh/neighbours/index.html").read_text() == again


def test_a_mistake_in_a_chart_is_reported_at_its_line(tmp_path):
    root = peers_site(tmp_path)
    edit(root, "models/neighbours.yaml", "type: line", "type: pie")
    edit(root, "models/neighbours.yaml", "{field: gdp, each: true}", "{field: gpd, each: true}")
    result = run_build(root)
    assert errors_of(result) == [
        "models/neighbours.yaml:18:11: error: 'pie' is not one of: bar, line, grouped-bar, dot"
    ]
    assert "hint: bar (horizontal bars" in result.stderr
    edit(root, "models/neighbours.yaml", "type: pie", "type: line")
    result = run_build(root)
    assert errors_of(result) == ["models/neighbours.yaml:24:17: error: neighbours has no field 'gpd'"]
    assert "did you mean 'gdp'?" in result.stderr
    edit(root, "models/neighbours.yaml", "{field: gpd, each: true}", "{field: name, each: true}")
    assert errors_of(run_build(root)) == [
        "models/neighbours.yaml:24:17: error: field 'name' of neighbours is not a map of figures (or of figure "
        "keys) by year"
    ]
    edit(
        root,
        "models/neighbours.yaml",
        "{field: name, each: true}",
        "{figures: [profile.gdp.2021, profile.gpd.2022], label: chart_peer_city}",
    )
    edit(root, "models/neighbours.yaml", "title: chart_peer_gdp_title", "title: chart_peer_gdp_titel")
    edit(root, "content/i18n/en.yaml", "in {first_year} to", "in {first_yaer} to")
    result = run_build(root)
    assert errors_of(result) == [
        "content/i18n/en.yaml:17:25: error: string 'chart_peer_gdp_summary' has the unknown placeholder {first_yaer}",
        "models/neighbours.yaml:20:12: error: string 'chart_peer_gdp_titel' is not in content/i18n/en.yaml",
        "models/neighbours.yaml:24:38: error: unknown figure 'profile.gpd.2022'",
    ]
    assert "did you mean 'chart_peer_gdp_title'?" in result.stderr and "did you mean 'first_year'?" in result.stderr
    assert "did you mean 'profile.gdp.2022'?" in result.stderr


def test_the_engine_names_no_place_kind_or_figure_of_ours():
    """Issue 24 item 3: what makes this profile is declared (models/, content/, templates/): no code of sitegen/
    names the city, its peers, a kind of our content or one of our fields: no string constant of one word, and no
    attribute, is one of them (messages, docstrings and comments may use the words)."""
    import ast

    ours = {
        "jiangyin",
        "kunshan",
        "江阴",
        "昆山",
        "gdp",
        "profile",
        "projects",
        "project",
        "companies",
        "company",
        "events",
        "event",
        "industries",
        "industry",
        "investment",
        "summit",
        "summits",
        "articles",
        "article",
    }
    found = []
    for path in sorted((REPO / "sitegen").rglob("*.py")):
        tree = ast.parse(path.read_text())
        docstrings = docstring_ids(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
                words = set(re.findall(r"[a-z]+|[\u4e00-\u9fff]+", node.value.lower()))
                if " " not in node.value and "|" not in node.value and words & ours:  # (a pattern's vocabulary aside)
                    found.append(f"{path.relative_to(REPO)}:{node.lineno} {node.value!r}")
            elif isinstance(node, ast.Attribute) and node.attr in ours:
                found.append(f"{path.relative_to(REPO)}:{node.lineno} .{node.attr}")
    assert found == []
