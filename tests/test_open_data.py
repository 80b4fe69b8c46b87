"""Open data and provenance on the real content: the downloads under data/ (CSV, facts.json, schemas) and the Data
page that lists them, schema.org JSON-LD, "Cite this", as-of dates beside figures, and source entries that lead to
the sources page."""

from __future__ import annotations

import calendar
import csv
import io
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import REPO, build, edit, make_site, run_build

from sitegen.content.validate import load_content
from sitegen.errors import Problems

BASE = "https://example.org/repo/"
TABLES = {"projects": "projects", "companies": "companies", "industries": "industries", "summits": "events"}
LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


@pytest.fixture(scope="module")
def real(tmp_path_factory):
    """The real content built in-process under a base path: (output folder, validated content)."""
    root = make_site(tmp_path_factory.mktemp("real"), content=REPO / "content")
    out = root / "_site"
    build(root, out, base_url=BASE)
    return out, load_content(root, Problems())


def read_csv(out: Path, name: str) -> list[dict]:
    """A download under data/ parsed with the csv module."""
    return list(csv.DictReader(io.StringIO((out / "data" / f"{name}.csv").read_text(encoding="utf-8"), newline="")))


def json_ld(html: str) -> list[dict]:
    """Every JSON-LD document on a page."""
    return [json.loads(m) for m in LD.findall(html)]


def test_every_csv_parses_with_one_row_per_item_and_its_source(real):
    out, content = real
    sources = {row["id"] for row in read_csv(out, "sources")}
    assert sources == set(content.sources)
    counts = {name: len(getattr(content, kind)) for name, kind in TABLES.items()} | {"gdp": len(content.profile.gdp)}
    for name, count in counts.items():
        rows = read_csv(out, name)
        assert len(rows) == count, name
        assert {"source", "source_title", "source_publisher", "source_url"} <= set(rows[0]), name
        assert all(row["source"] in sources for row in rows), name
        for column in (c for c in rows[0] if c.endswith("_source") and c != "source"):  # each figure's own source
            assert all(row[column] in sources for row in rows if row[column.replace("_source", "_value")]), column


def test_csv_figures_keep_the_stored_values(real):
    out, content = real
    for row in read_csv(out, "gdp"):
        fig = content.profile.gdp[int(row["year"])]
        assert (row["gdp_value"], row["gdp_unit"], row["gdp_scale"], row["gdp_source"]) == (
            f"{fig.value.normalize():f}",
            fig.unit,
            fig.scale,
            fig.source,
        )


def test_facts_json_holds_every_figure_with_its_source_spelled_out(real):
    out, content = real
    doc = json.loads((out / "data/facts.json").read_text(encoding="utf-8"))
    assert doc["updated"] == content.site.updated
    figures = {f["key"]: f for f in doc["figures"]}
    assert set(figures) == set(content.figures)
    for key, fig in content.figures.items():
        record, source = figures[key], content.sources[fig.source]
        assert (record["value"], record["unit"], str(record["as_of"]), record["anchor"]) == (
            float(fig.value) if fig.value % 1 else int(fig.value),
            fig.unit,
            str(fig.as_of),
            fig.anchor,
        )
        copy = {"url": source.copy_url, "site": source.copy_site, "kind": source.copy_kind} if source.copy_url else None
        assert record["source"] == {
            "id": source.id,
            "title": source.title,
            "publisher": source.publisher,
            "date": source.date,
            "url": source.url,
            "retrieved": source.retrieved,
            "kind": source.kind,
            "language": source.language,
            "copy": copy,
            "reliability": source.reliability,
            "note": source.note,
        }
        assert record["quote"] == fig.quote and record["estimate"] == bool(fig.estimate)
        assert record["derived"] == fig.derived
        assert (record["note"], record["basis"], record["by"], record["scope"], record["shared_with"]) == (
            fig.note,
            fig.basis,
            fig.by,
            fig.scope,
            fig.shared_with,
        )


class Rows(HTMLParser):
    """The links of a page with the `<data value>` that follows each in the same table row or list item."""

    def __init__(self):
        super().__init__()
        self.found: list[list] = []  # [href, bytes or None]

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("tr", "li"):
            self.found.append([None, None])
        elif tag == "a" and self.found and self.found[-1][0] is None:
            self.found[-1][0] = attrs.get("href")
        elif tag == "data" and self.found:
            self.found[-1][1] = int(attrs["value"])


def test_data_page_lists_every_download_with_its_real_size(real):
    out, _ = real
    page = Rows()
    page.feed((out / "data/index.html").read_text(encoding="utf-8"))
    listed = {href.removeprefix("/repo/"): size for href, size in page.found if href and size is not None}
    files = {
        p.relative_to(out).as_posix(): p.stat().st_size for p in (out / "data").rglob("*.*") if p.suffix != ".html"
    }
    assert listed == files
    assert {
        "data/facts.json",
        "data/gdp.csv",
        "data/summits.csv",
        "data/industries.csv",
        "data/projects.csv",
        "data/companies.csv",
        "data/sources.csv",
        "data/schema/events.schema.json",
    } <= set(files)


def test_each_chart_links_to_the_csv_of_its_data(real):
    out, _ = real
    home = (out / "index.html").read_text(encoding="utf-8")
    charts = re.findall(
        r'<figure class="chart" id="([^"]+)">.*?<a href="([^"]+)" type="text/csv" download>'
        r"Download CSV</a>",
        home,
        re.S,
    )
    assert charts == [
        ("chart-gdp", "/repo/data/gdp.csv"),
        ("chart-summits", "/repo/data/summits.csv"),
        ("chart-tiers", "/repo/data/industries.csv"),
    ]
    assert '<a href="/repo/data/">Data</a>' in home  # in the navigation


def test_json_ld_describes_the_city_summits_companies_articles_and_dataset(real):
    out, _ = real
    (city,) = json_ld((out / "index.html").read_text(encoding="utf-8"))
    assert city["@context"] == "https://schema.org" and city["@type"] == "City"
    assert (city["name"], city["url"], city["containedInPlace"]["@type"]) == ("Jiangyin", BASE, "AdministrativeArea")
    (event,) = json_ld((out / "summits/summit-2023/index.html").read_text(encoding="utf-8"))
    assert event["@type"] == "Event" and event["startDate"] == "2023-10-28" and event["name"]
    assert event["location"]["name"] == "Jiangyin" and event["url"] == BASE + "summits/summit-2023/"
    (org,) = json_ld((out / "companies/jcet/index.html").read_text(encoding="utf-8"))
    assert (org["@type"], org["name"], org["mainEntityOfPage"]) == ("Organization", "JCET", BASE + "companies/jcet/")
    (article,) = json_ld((out / "news/2023-jiangyin-development-summit/index.html").read_text(encoding="utf-8"))
    assert article["@type"] == "NewsArticle" and article["headline"].startswith("Jiangyin's 2023 development")
    assert article["datePublished"] == "2026-11-25" and article["author"]["name"] == article["publisher"]["name"]
    assert all(c["@type"] == "CreativeWork" and c["name"] for c in article["citation"])
    (dataset,) = json_ld((out / "data/index.html").read_text(encoding="utf-8"))
    assert dataset["@type"] == "Dataset" and dataset["name"] and len(dataset["description"]) >= 50
    downloads = {d["contentUrl"]: d for d in dataset["distribution"]}
    assert all(d["@type"] == "DataDownload" for d in downloads.values())
    assert downloads[BASE + "data/gdp.csv"]["encodingFormat"] == "text/csv"
    assert downloads[BASE + "data/facts.json"]["encodingFormat"] == "application/json"
    assert all((out / url.removeprefix(BASE)).is_file() for url in downloads)


def test_only_those_pages_carry_json_ld(real):
    out, _ = real
    kinds = {
        p.relative_to(out).as_posix(): [d["@type"] for d in json_ld(p.read_text(encoding="utf-8"))]
        for p in out.rglob("*.html")
    }
    assert {page for page, types in kinds.items() if types} == {
        f"{lang}{page}"
        for lang in ("", "zh/")
        for page in (
            "index.html",
            "data/index.html",
            "news/2023-jiangyin-development-summit/index.html",
            *(p for p in kinds if re.fullmatch(r"(summits|companies|zones|peers)/[^/]+/index\.html", p)),
        )
    }


def test_json_ld_cannot_break_out_of_its_script(site):
    summary = 'Makes </script><script>alert(1)</script> & <!-- "chips" --> too.'
    edit(site, "content/companies.yaml", "summary: A chip packaging firm.", f"summary: '{summary}'")
    result = run_build(site)
    assert result.returncode == 0, result.stderr
    company = next(p for p in (site / "_site/companies").glob("*/index.html"))
    html = company.read_text(encoding="utf-8")
    (raw,) = LD.findall(html)
    assert "<" not in raw and ">" not in raw and "&" not in raw
    assert json.loads(raw)["description"] == summary
    assert html.count("<script") == 2 and html.count("<script>") == 1  # the data, and the search box's loader


class AsOf(HTMLParser):
    """Each figure on a page (a .fig or [data-fact] element) and whether the table row, list item, card or
    definition that holds it (else the paragraph) also holds a <time>, its as-of date."""

    VOID = {"meta", "link", "br", "img", "input", "hr", "source", "wbr"}

    def __init__(self):
        super().__init__()
        self.open: list[list] = []  # [tag, figures inside, has a <time>]
        self.undated: list[str] = []
        self.figures = 0
        self._text: str | None = None

    def handle_starttag(self, tag, attrs):
        classes = (dict(attrs).get("class") or "").split()
        if tag in self.VOID:
            return
        self.open.append([tag if tag != "div" or "card" not in classes else "card", [], False])
        if tag == "time":
            for frame in self.open:
                frame[2] = True
        if tag == "span" and ("fig" in classes or "data-fact" in dict(attrs)):
            self._text = ""

    def handle_data(self, data):
        if self._text is not None:
            self._text += data

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        while self.open:
            name, figures, dated = self.open.pop()
            if name == "span" and self._text is not None:
                container = next(
                    (f for f in reversed(self.open) if f[0] in ("tr", "li", "dd", "card")),
                    next((f for f in reversed(self.open) if f[0] == "p"), None),
                )
                (container[1] if container else self.undated).append(self._text)
                self.figures += 1
                self._text = None
            if not dated:
                self.undated += figures
            if name == tag:
                break


def test_every_figure_shows_an_as_of_date_beside_it(real):
    out, _ = real
    undated, figures, spans = {}, 0, 0
    for path in out.rglob("*.html"):
        page, html = AsOf(), path.read_text(encoding="utf-8")
        page.feed(html)
        figures += page.figures
        spans += len(re.findall(r'<span (class="fig"|data-fact=)', html))
        if page.undated:
            undated[path.relative_to(out).as_posix()] = page.undated
    assert undated == {}
    assert figures == spans > 150


def test_article_figures_carry_their_as_of_date(real):
    out, content = real
    html = (out / "news/2023-jiangyin-development-summit/index.html").read_text(encoding="utf-8")
    shown = re.findall(
        r'<span class="fig" data-fact="([^"]+)">[^<]+</span><sup class="cite">.*?</sup>'
        r' <span class="as-of">\(as of <time datetime="([^"]+)">',
        html,
    )
    assert len(shown) >= 10
    assert all(str(content.figures[key].as_of) == when for key, when in shown)


def test_every_page_says_how_to_cite_it(real):
    out, content = real
    site = content.site
    for path in out.rglob("*.html"):
        rel = path.relative_to(out).as_posix()
        html = path.read_text(encoding="utf-8")
        cite = re.search(r'<p class="cite-this">(.*?)</p>', html, re.S)
        if rel.endswith("404.html"):
            assert cite is None
            continue
        title = re.search(r"<title>(.*?) · ", html).group(1)
        url = BASE + rel.removesuffix("index.html")
        zh = rel.startswith("zh/")
        slug = rel.removeprefix("zh/")
        article = next((a for a in content.articles.values() if slug == f"news/{a.slug}/index.html"), None)
        date = (article.updated or article.date) if article else site.updated
        if zh:  # the Chinese site's title and publisher, Chinese punctuation and date
            words = f"{date[:4]}年{int(date[5:7])}月{int(date[8:])}日"
            assert cite.group(1) == (
                f"引用本页：<bdi>{site.texts['publisher']['zh']}。“{title}”。<cite>{site.texts['title']['zh']}</cite></bdi>，"
                f'<time datetime="{date}">{words}</time>。{url}'
            ), rel
        else:
            words = f"{int(date[8:])} {calendar.month_name[int(date[5:7])]} {date[:4]}"
            assert cite.group(1) == (
                f"Cite this page: <bdi>{site.publisher}. “{title}.” <cite>{site.title}</cite></bdi>, "
                f'<time datetime="{date}">{words}</time>. {url}'
            ), rel


def test_each_cited_source_links_to_its_entry_on_the_sources_page(real):
    out, _ = real
    html = (out / "companies/jcet/index.html").read_text(encoding="utf-8")
    cited = re.search(r'<section class="cited".*?</section>', html, re.S).group(0)
    entries = re.findall(r'<li id="src-([^"]+)">.*?<a href="([^"]+)">All figures from this source</a>', cited)
    assert entries and all(href == f"/repo/sources/#src-{ident}" for ident, href in entries)
    assert len(entries) == cited.count("<li ")


def test_retrieval_date_is_shown_and_published_where_recorded(site):
    edit(site, "content/sources.yaml", "  reliability: medium", "  retrieved: 2024-05-01\n  reliability: medium")
    result = run_build(site)
    assert result.returncode == 0, result.stderr
    out = site / "_site"
    assert 'Retrieved <time datetime="2024-05-01">1 May 2024</time>.' in (out / "sources/index.html").read_text()
    first = read_csv(out, "sources")[0]
    assert first["retrieved"] == "2024-05-01"
    facts = json.loads((out / "data/facts.json").read_text())["figures"]
    assert {f["source"]["retrieved"] for f in facts if f["source"]["id"] == first["id"]} == {"2024-05-01"}
