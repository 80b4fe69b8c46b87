"""The profile in depth: Jiangyin's series year by year (/series/), its peers (/peers/ and a page per peer city) and
the county rankings side by side (/rankings/), each declared as a kind in models/ with its charts, checked on real
builds of the real content (and of the mini site, for the errors)."""

from __future__ import annotations

import csv
import io
import json
import re
from decimal import Decimal
from html.parser import HTMLParser

import pytest
import yaml
from conftest import REPO, edit, make_site, run_build

from sitegen.content import quotes

PEERS = [item["id"] for item in yaml.safe_load((REPO / "content" / "peers.yaml").read_text(encoding="utf-8"))]


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    """The real content, built into a folder of its own."""
    root = make_site(tmp_path_factory.mktemp("depth"), content=REPO / "content")
    folder = root / "_site"
    done = run_build(root, "--out", str(folder))
    assert done.returncode == 0, done.stderr
    return folder


def read(out, path: str) -> str:
    return (out / path / "index.html").read_text(encoding="utf-8")


class Tables(HTMLParser):
    """Every table of a page: its scroll box's attributes, its caption, and each body row's cells (tag, class, the
    HTML inside)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tables, self.box, self.cell, self.depth = [], None, None, 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "div" and "table-scroll" in (attrs.get("class") or ""):
            self.box = attrs
        elif tag == "table":
            self.tables.append({"box": self.box or {}, "caption": "", "rows": [], "in_body": False})
            self.box = None
        elif not self.tables:
            return
        elif tag == "tbody":
            self.tables[-1]["in_body"] = True
        elif tag == "tr" and self.tables[-1]["in_body"]:
            self.tables[-1]["rows"].append([])
        elif tag in ("td", "th") and self.tables[-1]["in_body"] and self.cell is None:
            self.cell = [tag, attrs.get("class") or "", ""]
        elif self.cell is not None:
            self.cell[2] += self.get_starttag_text()
        if tag == "caption" and self.tables:
            self.tables[-1]["caption_open"] = True

    def handle_endtag(self, tag):
        if not self.tables:
            return
        if tag == "caption":
            self.tables[-1]["caption_open"] = False
        elif tag in ("td", "th") and self.cell is not None and self.cell[0] == tag:
            self.tables[-1]["rows"][-1].append(tuple(self.cell))
            self.cell = None
        elif self.cell is not None:
            self.cell[2] += f"</{tag}>"
        elif tag == "tbody":
            self.tables[-1]["in_body"] = False

    def handle_data(self, data):
        if self.cell is not None:
            self.cell[2] += data
        elif self.tables and self.tables[-1].get("caption_open"):
            self.tables[-1]["caption"] += data


def text(html: str) -> str:
    """A cell's text, without its tags."""
    return re.sub(r"<[^>]+>", "", html).strip()


def tables(html: str) -> list[dict]:
    parser = Tables()
    parser.feed(html)
    return parser.tables


def chart_table(html: str, chart: str) -> dict:
    """The data table shown under a declared chart (its box is labelled by the caption chart-ID-table)."""
    found = [t for t in tables(html) if t["box"].get("aria-labelledby") == f"chart-{chart}-table"]
    assert len(found) == 1, chart
    return found[0]


@pytest.mark.parametrize("path", ["peers", "zh/peers", "series", "zh/series", "rankings", "zh/rankings"])
def test_the_pages_in_depth_exist_in_both_languages_with_their_alternates(out, path):
    html = read(out, path)
    english = path.removeprefix("zh/")
    assert f'<link rel="alternate" hreflang="en" href="http://127.0.0.1:8000/{english}/">' in html
    assert f'<link rel="alternate" hreflang="zh-Hans" href="http://127.0.0.1:8000/zh/{english}/">' in html
    assert ('lang="zh-Hans"' if path.startswith("zh/") else '<html lang="en"') in html
    assert "data-pagefind-body" in html  # the search indexes it


def test_every_cell_of_the_peers_tables_cites_its_source_or_says_there_is_none(out):
    for path, none in (("peers", ("no data", "not found")), ("zh/peers", ("无数据", "未找到"))):
        html = read(out, path)
        found = tables(html)
        assert len(found) == 8  # a table per metric (trade in two currencies) and the rankings
        for table in found:
            box = table["box"]
            assert box.get("role") == "region" and box.get("tabindex") == "0", table["caption"]
            assert f'id="{box["aria-labelledby"]}"' in html and table["caption"].strip()
            assert table["rows"], table["caption"]
            for row in table["rows"]:
                for tag, cls, inner in row[1:]:
                    cited = re.search(r'<sup class="cite"><a href="#src-([a-z0-9-]+)"', inner)
                    assert cited or (cls == "muted" and inner.strip() in none), (path, table["caption"], inner)
                    if cited:  # the source is listed on the page, and the source's words are beside the figure
                        assert f'id="src-{cited.group(1)}"' in html
                        assert '<details class="quote"' in inner


def test_the_peers_tables_compare_jiangyin_with_every_peer_from_2021(out):
    gdp = chart_table(read(out, "peers"), "peers-gdp")
    assert [text(row[0][2]) for row in gdp["rows"]] == ["2021", "2022", "2023", "2024"]  # `since: 2021`
    heads = re.findall(r'<th scope="col">([^<]*)</th>', read(out, "peers").split('id="chart-peers-gdp-table"')[1])
    assert heads[:9] == [
        "Year",
        "Jiangyin",
        "Kunshan",
        "Zhangjiagang",
        "Changshu",
        "Taicang",
        "Yixing",
        "Jinjiang",
        "Cixi",
    ]
    kunshan_2022 = gdp["rows"][1][2][2]
    assert "500.67 billion yuan" in kunshan_2022 and "5006.7亿元" in kunshan_2022  # the figure and its source's words


def test_units_are_never_converted_between_currencies(out):
    html = read(out, "peers")
    usd, cny = chart_table(html, "peers-trade-usd"), chart_table(html, "peers-trade-cny")
    usd_cells = [inner for row in usd["rows"] for _, cls, inner in row[1:] if cls != "muted"]
    cny_cells = [inner for row in cny["rows"] for _, cls, inner in row[1:] if cls != "muted"]
    assert usd_cells and all("US$" in c and "亿美元" in c for c in usd_cells)
    assert cny_cells and all(" yuan" in c and "US$" not in c and "亿美元" not in c for c in cny_cells)


def test_calibers_and_estimates_are_marked_in_the_cells(out):
    html = read(out, "peers")
    revenue = chart_table(html, "peers-revenue")
    changshu = {text(row[0][2]): row[4][2] for row in revenue["rows"]}  # Jiangyin, Kunshan, Zhangjiagang, Changshu
    assert "同口径" in changshu["2022"] and "different calibers" in changshu["2023"]
    gdp = chart_table(html, "peers-gdp")
    assert '<span class="estimate">(estimate)</span>' in gdp["rows"][1][4][2]  # Changshu's 2022 GDP, 预计


def test_each_peer_city_has_a_page_of_its_own_in_both_languages(out):
    assert len(PEERS) >= 5 and {"kunshan", "zhangjiagang", "changshu", "taicang", "yixing"} <= set(PEERS)
    listing = read(out, "peers")
    for peer in PEERS:
        assert f'href="/peers/{peer}/"' in listing
        for prefix in ("", "zh/"):
            html = read(out, f"{prefix}peers/{peer}")
            assert f'hreflang="zh-Hans" href="http://127.0.0.1:8000/zh/peers/{peer}/"' in html
            ld = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html).group(1))
            assert ld["@type"] == "City" and ld["name"] and ld["alternateName"]
            assert '<sup class="cite">' in html and 'href="/' + prefix + 'peers/"' in html


def test_a_peer_page_shows_its_places_in_the_rankings_with_ties(out):
    html = read(out, "peers/kunshan")
    assert "1st, shared with Jiangyin" in html and "CCID Consulting" in html
    assert "（与江阴市并列）" in read(out, "zh/peers/kunshan")
    # a place the city's own report gives, from a list it does not name, stands apart from the named lists
    own = read(out, "peers/changshu").split('id="own-rankings"')[1].split("</section>")[0]
    assert own.count(">4th<") == 3 and "not named; stated in Changshu" in own and "百强县第四" in own


def test_the_rankings_of_different_publishers_stand_side_by_side(out):
    for path in ("rankings", "peers"):
        table = next(t for t in tables(read(out, path)) if t["box"].get("aria-labelledby") == "rankings-table")
        editions = [text(row[0][2]) for row in table["rows"]]
        assert any("Zhongjun" in e for e in editions) and any("CCID" in e for e in editions)
        assert all(re.search(r"edition 20\d\d", e) for e in editions)
        assert any("data year 2021" in e for e in editions)
        ccid_2023 = next(row for row in table["rows"] if re.search(r"CCID.*2023 edition", text(row[0][2])))
        assert "2nd" in ccid_2023[1][2] and "1st" in ccid_2023[2][2]  # Jiangyin second, Kunshan first
        zhongjun_2022 = next(row for row in table["rows"] if "22nd edition" in text(row[0][2]))
        assert "shared with" in zhongjun_2022[1][2] and "shared with Jiangyin" in zhongjun_2022[2][2]


def test_the_series_leave_the_years_without_a_source_as_gaps(out):
    html = read(out, "series")
    gdp = chart_table(html, "series-gdp")
    years = [text(row[0][2]) for row in gdp["rows"]]
    assert years[0] == "2006" and "2019" in years and "2024" in years and len(years) >= 9
    assert not {"2007", "2008", "2009", "2012", "2018"} & set(years)  # nothing filled in
    svg = html.split('id="chart-series-gdp"')[1].split("</svg>")[0]
    assert svg.count("<polyline") == 2  # 2010-2011 and 2019-2024; 2006 stands alone
    assert svg.count("<circle") == len(years)
    population = chart_table(html, "series-population")
    last = population["rows"][-1]
    assert text(last[0][2]) == "2022" and last[2][1] == "muted" and last[2][2] == "no data"  # no registered count
    for chart, least in (("series-industrial-output", 3), ("series-population", 3), ("series-listed", 3)):
        assert len(chart_table(html, chart)["rows"]) >= least
    assert "No yearly figure was found for this indicator." in html.split('id="trade"')[1].split("</section>")[0]


def test_the_series_show_the_later_figure_and_say_the_estimate_was_replaced(out):
    for path, replaced, later in (
        ("series", "Replaced by the later figure for 2023", "5.9%"),
        ("zh/series", "已被2023年较晚公布的数字取代", "5.9%"),
    ):
        html = read(out, path)
        growth = html.split('id="gdp-growth"')[1].split("</section>")[0]
        table = chart_table(html, "series-gdp-growth")
        assert [text(row[0][2]) for row in table["rows"]] == ["2023"] and later in table["rows"][0][1][2]
        listed = growth.split('<ul class="notes">')[1]
        assert replaced in listed and "5.8%" in listed and "預計" in listed  # the estimate, kept with its words
    peers = read(out, "peers").split('id="estimates"')[1]
    assert "470 billion yuan" in peers and "2870亿元" in peers  # Kunshan's and Changshu's replaced estimates


def test_the_pages_are_linked_from_the_home_and_economy_pages(out):
    assert 'href="/peers/"' in (out / "index.html").read_text(encoding="utf-8")
    assert 'href="/zh/peers/"' in (out / "zh" / "index.html").read_text(encoding="utf-8")
    economy = read(out, "economy")
    assert 'href="/series/"' in economy and 'href="/rankings/"' in economy


def test_the_new_kinds_are_in_the_downloads_the_sitemap_and_the_changes(out):
    peers = list(csv.DictReader(io.StringIO((out / "data" / "peers.csv").read_text(encoding="utf-8"))))
    assert [row["id"] for row in peers] == PEERS and all(row["source_title"] for row in peers)
    rankings = list(csv.DictReader(io.StringIO((out / "data" / "rankings.csv").read_text(encoding="utf-8"))))
    assert {row["id"] for row in rankings} >= {"zhongjun-2022", "ccid-2023"}
    facts = {f["key"]: f for f in json.loads((out / "data" / "facts.json").read_text(encoding="utf-8"))["figures"]}
    assert facts["peers.kunshan.gdp.2022"]["quote"].startswith("昆山2022年") and facts["series.figures.gdp-2019"]
    sitemap = (out / "sitemap.xml").read_text(encoding="utf-8")
    for path in ("peers/", "peers/kunshan/", "zh/peers/cixi/", "series/", "rankings/"):
        assert f"<loc>http://127.0.0.1:8000/{path}</loc>" in sitemap
    sources = read(out, "sources")
    assert 'href="/peers/kunshan/#fact-peers-kunshan-gdp-2022"' in sources  # a figure links to where it is shown
    assert 'href="/rankings/#fact-rankings-ccid-2025-places-jiangyin"' in sources
    assert 'href="/series/#fact-series-figures-gdp-2019"' in sources


def test_a_quote_in_traditional_script_states_its_figure():
    assert quotes.check({"quote": "5380.17億元,按可比價格計算", "value": Decimal("5380.17"), "scale": "yi"}) == []
    assert quotes.check({"quote": "數為208.0萬(wan)人", "value": Decimal("208.0"), "scale": "wan"}) == []
    said = quotes.check({"quote": "收入458.61億元", "value": Decimal("458.6"), "scale": "yi"})
    assert said and "it says 458.61億" in said[0][1]


def test_a_series_naming_an_unknown_figure_is_an_error_at_its_line(site):
    edit(site, "content/series.yaml", "  2022: profile.gdp.2022", "  2022: profile.gdp.2032")
    done = run_build(site)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "content/series.yaml:5:9: error: unknown figure 'profile.gdp.2032'" in done.stderr


def test_a_chart_may_draw_only_a_map_of_figures_or_of_figure_keys(site):
    edit(site, "models/series.yaml", "{field: fdi, label: series_fdi}", "{field: intro, label: series_fdi}")
    done = run_build(site)
    assert done.returncode == 1
    assert "field 'intro' of series is not a map of figures (or of figure keys) by year" in done.stderr


def test_since_is_for_charts_by_year(site):
    edit(site, "models/events.yaml", "    sort: date\n", "    sort: date\n    since: 2020\n")
    done = run_build(site)
    assert done.returncode == 1 and "only a chart by year starts at a year" in done.stderr


DEPTH_FILES = ("peers.yaml", "rankings.yaml", "series.yaml")


ABOUTS = {
    f"{m}_about"
    for m in ("gdp", "gdp_growth", "industrial_output", "revenue", "trade", "population", "income", "listed", "fdi")
}


def test_the_new_files_say_the_same_in_both_languages(monkeypatch):
    import test_parity

    monkeypatch.setattr(test_parity, "FILES", DEPTH_FILES)
    monkeypatch.setattr(test_parity, "PROSE", (*test_parity.PROSE, *sorted(ABOUTS), "intro"))
    pairs = test_parity.yaml_pairs()
    assert len(pairs) > 50 and any(".gdp_about" in where for where, _, _ in pairs)
    assert [f"{where}: {d}" for where, en, zh in pairs for d in test_parity.differences(en, zh)] == []


@pytest.mark.parametrize("name", DEPTH_FILES)
def test_the_new_files_keep_the_rules_of_the_chinese_texts(name, monkeypatch):
    import test_zh_text

    monkeypatch.setattr(test_zh_text, "TEXT_KEYS", test_zh_text.TEXT_KEYS | ABOUTS | {"intro"})
    test_zh_text.test_every_text_field_has_its_chinese_sibling_on_the_next_line(name)
    test_zh_text.test_chinese_values_are_chinese_and_every_sibling_has_its_english(name)
    test_zh_text.test_translated_names_only_name_fields_of_its_item_after_the_last_name(name)


def test_the_new_files_name_in_chinese_only_what_sources_name(monkeypatch):
    import test_zh_text

    monkeypatch.setattr(test_zh_text, "FILES", DEPTH_FILES)
    test_zh_text.test_chinese_names_not_marked_as_ours_come_from_a_source()
    test_zh_text.test_no_chinese_text_shares_a_long_run_with_a_quoted_source()


def test_the_search_index_holds_the_new_pages_in_both_languages(out):
    import gzip

    indexed = set()
    for fragment in (out / "pagefind" / "fragment").glob("*.pf_fragment"):
        text = gzip.decompress(fragment.read_bytes()).decode("utf-8").removeprefix("pagefind_dcd")
        indexed.add(json.loads(text)["url"])
    for path in ("peers/", "peers/kunshan/", "peers/cixi/", "series/", "rankings/"):
        assert f"/{path}" in indexed and f"/zh/{path}" in indexed, path


def test_every_chart_title_names_its_unit_though_jiangyin_has_no_figure(out):
    """The peers' revenue and trade charts have no series for Jiangyin (no source gives its figures), and their
    titles took the unit from that empty first series: "budget revenue, : the data", "一般公共预算收入（）"."""
    for page in ("peers", "zh/peers"):
        text = read(out, page)
        titles = re.findall(r"<h3[^>]*>(.*?)</h3>", text) + re.findall(r"<caption[^>]*>(.*?)</caption>", text, re.S)
        assert len(titles) > 10
        assert [t for t in titles if ", :" in t or t.endswith(",") or "（）" in t] == [], page
        assert ("budget revenue, billion yuan" if page == "peers" else "一般公共预算收入（亿元）") in text


def test_the_first_six_cities_of_a_peers_chart_differ_in_colour(out):
    """The palette repeated every three series: Jiangyin and Changshu were drawn in one colour on the peers charts
    (told apart by marker and dash alone)."""
    chart = re.search(r'<figure class="chart" id="chart-peers-gdp">.*?</figure>', read(out, "peers"), re.S).group(0)
    legend = re.findall(r'class="chart-line (series-\d)"', chart)
    assert len(legend) >= 8 and len(set(legend[:6])) == 6, legend


@pytest.mark.parametrize("prefix", ["", "zh/"])
def test_the_panel_marks_a_figure_from_a_source_rated_low(out, prefix):
    """The panel shows each indicator's last known figure whatever its source (an aggregator, an encyclopedia
    mirror): such a figure says so beside it, in the page's language."""
    rated = {s["id"]: s["reliability"] for s in yaml.safe_load((REPO / "content/sources.yaml").read_text("utf-8"))}
    home = read(out, prefix.rstrip("/") or ".")
    panel = re.search(r'<section aria-labelledby="latest">.*?</section>', home, re.S).group(0)
    rows = re.findall(r"<tr><th scope=\"row\">.*?</tr>", panel, re.S)
    marks = 0
    for row in rows:
        value = re.search(r"<td>.*?</td>", row, re.S).group(0)
        low = rated[re.search(r'href="#src-([^"]+)"', value).group(1)] == "low"
        assert ('class="reliability"' in value) == low, value[:200]
        marks += low
    assert len(rows) >= 5 and marks >= 1
    assert ("(Reliability: low)" if prefix == "" else "（可靠性：低）") in panel
