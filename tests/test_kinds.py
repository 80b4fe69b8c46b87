"""A kind of content is declared once, in models/: adding one (industrial parks) to a site takes its model file, its
content, its templates and its interface strings, and no change to the generator."""
from __future__ import annotations

import csv
import io
import json
import re

from conftest import REPO, edit, make_site, run_build
from test_errors import errors_of

PARKS_MODEL = """\
# Industrial parks: one file, a page each, an index, a place in the navigation and a CSV.
kind: parks
order: 5
one: park
shape: list
file: parks.yaml
title: Park
pages: {section: parks, item: park.html, index: parks.html, nav: 4, per_page: 100}
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

STRINGS = "nav_parks: Parks\nparks_title: Industrial parks\npark: Park\ndata_holds_parks: \"Industrial parks.\"\n"


def parks_site(tmp_path):
    root = make_site(tmp_path / "site", {"models/parks.yaml": PARKS_MODEL, "content/parks.yaml": PARKS,
                                         "templates/park.html": PARK_PAGE, "templates/parks.html": PARKS_PAGE})
    edit(root, "content/i18n/en.yaml", "nav_news:", STRINGS + "nav_news:")
    return root


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
    assert re.findall(r">([^<]+)</a>", nav)[5:8] == ["Summits", "Parks", "News"]  # its slot, 4 (after nav_events)
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
    assert errors_of(run_build(root)) == ["content/parks.yaml:6:12: error: negative value -12.5",
                                          "content/parks.yaml:16:3: error: unknown key 'sumary'"]
    edit(root, "content/parks.yaml", "  sumary:", "  summary:")
    edit(root, "content/parks.yaml", "    value: -12.5", "    value: 12.5")
    edit(root, "content/parks.yaml", "  industry: chips\n  area:", "  industry: chipz\n  area:")
    assert errors_of(run_build(root)) == ["content/parks.yaml:4:13: error: unknown industry 'chipz'"]


def test_a_mistake_in_a_model_is_reported_at_its_line(tmp_path):
    root = parks_site(tmp_path)
    edit(root, "models/parks.yaml", "  name: {type: text, help: name of the park}",
         "  name: {type: txt, help: name of the park}")
    errs = errors_of(run_build(root))
    assert len(errs) == 1 and errs[0].startswith("models/parks.yaml:13:16: error: 'txt' is not one of: text, prose")
    edit(root, "models/parks.yaml", "{type: txt,", "{type: text,")
    edit(root, "models/parks.yaml", "columns: [id, name, industry, area, source]",
         "columns: [id, name, industry, aera, source]")
    result = run_build(root)
    assert errors_of(result) == ["models/parks.yaml:10:5: error: column 'aera' of parks.csv is not a field of parks"]
    assert "did you mean 'area'?" in result.stderr


def test_the_kinds_are_listed_in_one_place():
    names = sorted(p.stem for p in (REPO / "models").glob("*.yaml"))
    assert names == ["articles", "companies", "events", "industries", "profile", "projects", "site", "sources",
                     "strings"]
    for path in (REPO / "sitegen").rglob("*.py"):  # no module names the content's kinds
        text = path.read_text()
        assert not re.search(r"\(\s*\"industries\",\s*\"companies\"", text), path
