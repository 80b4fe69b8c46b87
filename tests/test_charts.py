"""The chart renderer as functions: declared charts (models/*.yaml) and the content in, accessible SVG out; its line
breaking, and the number helpers it uses."""

from __future__ import annotations

import re
from dataclasses import replace as with_
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import FIXTURE, REPO

from sitegen.content.chartspec import ChartSpec, Series
from sitegen.content.kinds import load_registry, site_languages
from sitegen.content.model import Figure, replace
from sitegen.content.validate import load_content
from sitegen.errors import Problems
from sitegen.site import chartdraw, charts
from sitegen.site.numbers import base_value, count, display_exp, scaled, unit_words

REGISTRY = load_registry(REPO, Problems())


def content_of(folder: Path):
    """The validated content of a site folder."""
    problems = Problems()
    content = load_content(folder, problems, registry=load_registry(REPO, problems, site_languages(folder)))
    problems.raise_if_any()
    return content


def draw(content, name: str, lang: str = "en") -> charts.Chart:
    """A chart the real models declare, drawn from some content."""
    return charts.Charts(content, REGISTRY, lang)[name]


@pytest.fixture(scope="module")
def real():
    return content_of(REPO)


@pytest.fixture(scope="module")
def mini():
    return content_of(FIXTURE)


def widths(svg: str) -> list[float]:
    """The widths of the bars, in order."""
    return [
        float(w) for w in re.findall(r'<rect x="[^"]+" y="[^"]+" width="([^"]+)" height="[^"]+" class="chart-bar', svg)
    ]


def texts(svg: str) -> list[str]:
    """The texts of an SVG, in order."""
    return re.findall(r"<text[^>]*>([^<]*)</text>", svg)


def test_the_real_charts_are_declared_not_coded():
    assert list(REGISTRY.charts) == [
        "gdp",
        "tiers",
        "summits",
        "series-gdp",
        "series-gdp-growth",
        "series-industrial-output",
        "series-revenue",
        "series-population",
        "series-income",
        "series-listed",
        "series-fdi",
        "series-trade",
        "peers-gdp",
        "peers-growth",
        "peers-revenue",
        "peers-industrial-output",
        "peers-population",
        "peers-trade-usd",
        "peers-trade-cny",
    ]
    source = (REPO / "sitegen/site/charts.py").read_text() + (REPO / "sitegen/site/chartdraw.py").read_text()
    for name in ("gdp", "summit", "tier", "industr", "jiangyin", "profile", "events"):
        assert name not in source.lower(), name  # the renderer names no figure, place or kind of ours


def test_gdp_bars_are_proportional_to_the_figures(real):
    chart = draw(real, "gdp")
    values = [base_value(real.profile.gdp[y]) for y in sorted(real.profile.gdp, key=int)]
    bars = widths(chart.svg)
    assert len(bars) == len(values)
    for bar, value in zip(bars, values):
        assert bar / max(bars) == pytest.approx(float(value / max(values)), abs=0.002)
    assert chart.csv == "data/gdp.csv" and chart.columns == ("Year", "GDP")


def test_a_changed_figure_changes_the_chart(mini):
    gdp = dict(mini.profile.gdp)
    gdp[2022] = replace(gdp[2022], value=Decimal("916.066"))
    changed = replace(mini, profile=replace(mini.profile, gdp=gdp))
    svg = str(draw(changed, "gdp").svg)
    assert ">916.1<" in svg and ">475.4<" not in svg
    assert "916.1 billion yuan in 2022" in draw(changed, "gdp").summary


def test_svg_is_named_by_its_summary(real):
    for name in REGISTRY.charts:
        chart = draw(real, name)
        svg = str(chart.svg)
        label = re.search(r'role="img" aria-labelledby="([^"]+)"', svg).group(1)
        title = re.search(rf'<title id="{label}">([^<]*)</title>', svg).group(1)
        assert title == str(chart.summary).replace("'", "&#39;") and chart.summary.endswith(".")
        assert "<script" not in svg and "style=" not in svg  # colours come from the stylesheet


def test_summits_that_counted_construction_starts_are_hatched_starred_and_explained(real):
    chart = draw(real, "summits")
    svg = str(chart.svg)
    assert svg.count('class="chart-bar marked" fill="url(#chart-summits-hatch)"') == 2 + 1  # two panels + legend
    assert ">2017 conference *<" in svg and ">2019 trade fair<" in svg
    assert ">* construction starts, not signings<" in svg
    assert "2017 conference counted projects starting or completing construction" in chart.note
    assert [r.cells[2] for r in chart.rows][0] == "projects starting or completing construction"
    assert "91 projects at the 2019 trade fair, and 217 projects" in chart.summary  # signed summits only
    assert chart.summary.startswith("Only the years for which a count was found are shown")  # no trend read in


def test_a_summary_falls_back_to_the_next_one_that_can_be_said(mini):
    chart = draw(mini, "summits")  # one summit: nothing to compare it with
    assert chart.summary == "217 projects worth over 100 billion yuan were signed at the 2023 summit."
    one_year = replace(mini, profile=replace(mini.profile, gdp={2022: mini.profile.gdp[2022]}))
    assert draw(one_year, "gdp").summary == ""  # no alternative without a trend: as before


def test_summit_investment_labels_keep_the_qualifier(real):
    svg = str(draw(real, "summits").svg)
    assert ">over 100<" in svg
    assert "Planned investment, billion yuan" in svg


def test_tier_matrix_marks_membership_by_shape_and_counts_each_column(real):
    chart = draw(real, "tiers")
    svg = str(chart.svg)
    members = sum(len(i.tiers) for i in real.industries.values()) + len(real.events["summit-2023"].fields)
    assert svg.count('class="chart-dot"') == members
    assert svg.count('class="chart-ring"') == 3 * len(real.industries) - members
    assert "Named in both: High-end equipment." in chart.summary  # the name as it is written
    assert chart.rows[0].link == ("industries", "high-end-textiles")
    assert chart.columns == ("Industry", "Pillar", "Emerging", "2023 summit field")


def test_labels_are_escaped(mini):
    industries = {k: replace(v, name="<b>Chips & co</b>") for k, v in mini.industries.items()}
    svg = str(draw(replace(mini, industries=industries), "tiers").svg)
    assert "<b>" not in svg and ">&lt;b&gt;Chips &amp;<" in svg


def test_text_stays_inside_the_view_box(real):
    for lang in ("en", "zh"):
        for name in REGISTRY.charts:
            chart = draw(real, name, lang)
            for x, cls, anchor, text in re.findall(
                r'<text x="([^"]+)" y="[^"]+" class="([^"]+)"(?: text-anchor="(\w+)")?>([^<]*)<', str(chart.svg)
            ):
                width = chartdraw.text_width(text, bold=cls in ("chart-value", "chart-head"))
                left = float(x) - {"end": width, "middle": width / 2}.get(anchor, 0)
                assert 0 <= left and left + width <= chartdraw.WIDTH + 1, (chart.id, lang, text)


def test_chinese_wraps_between_characters_and_never_before_closing_punctuation():
    assert chartdraw.wrap("2023年发展大会领域", 68) == ["2023年", "发展大会", "领域"]
    assert chartdraw.wrap("High-end textiles and clothing", 150) == ["High-end textiles", "and clothing"]
    lines = chartdraw.wrap("计划投资额（亿元）。这是下一句，还有。", 60)
    assert "".join(lines) == "计划投资额（亿元）。这是下一句，还有。"
    assert not any(line[0] in "）。，" for line in lines) and not any(line[-1] == "（" for line in lines)
    assert chartdraw.text_width("领域") == 2 * chartdraw.FONT  # a Chinese character is one em wide


def years_chart(kind: str, **spec) -> ChartSpec:
    """A chart by year over the profile's GDP and a second series of figures, as a model would declare it."""
    series = (Series(field="gdp", label="gdp", at={}), Series(figures=("profile.gdp.2021",), label="year", id="other"))
    return ChartSpec(
        kind, "year", series, "chart_gdp_title", ("chart_gdp_summary",), head="year", id="test", kind="profile", **spec
    )


@pytest.mark.parametrize("kind", ["line", "grouped-bar"])
def test_a_series_without_a_year_shows_a_gap_and_no_data(mini, kind):
    chart = charts.make_chart(years_chart(kind), mini, REGISTRY.language("en"))
    assert [r.label for r in chart.rows] == ["2021", "2022"]
    assert [c for r in chart.rows for c in r.cells][3] == "no data"  # the second series has no 2022 figure
    assert all(isinstance(c, Figure) for c in chart.rows[0].cells)
    svg = str(chart.svg)
    if kind == "line":
        assert svg.count("<polyline") == 1  # the first series' line; the second has one point, a marker alone
        assert svg.count('class="chart-point series-2"') == 1 + 1  # its point and its legend's
    else:
        assert ">no data<" in svg and 'fill="url(#chart-test-s1)"' in svg
    assert ">GDP<" in svg and ">Year<" in svg  # the legend names both series
    assert chart.summary.startswith("Mini City's GDP at current prices grew from 458 billion yuan in 2021")


def test_a_line_chart_breaks_where_years_are_missing(real):
    spec = with_(years_chart("line"), series=years_chart("line").series[:1])
    svg = str(charts.make_chart(spec, real, REGISTRY.language("en")).svg)
    runs = re.findall(r'<polyline points="([^"]+)"', svg)
    assert [len(run.split()) for run in runs] == [2, 4]  # 2010-2011 and 2020-2023; 2006 stands alone
    assert svg.count('class="chart-point series-1"') == len(real.profile.gdp)


def test_number_helpers_for_charts():
    fig, en = Figure(Decimal("100"), "CNY", "2023", "s", scale="billion", qualifier="over"), REGISTRY.language("en")
    assert scaled(fig, 9, en) == "over 100"
    assert scaled(Figure(Decimal("496.051"), "CNY", "2023", "s", scale="billion"), 9, en) == "496.1"
    assert display_exp([Decimal("98e9"), Decimal("4.96e11")], en) == 9 and display_exp([Decimal(217)], en) == 0
    assert unit_words("CNY", 9, en) == "billion yuan" and unit_words("projects", 0, en) == "projects"
    assert (count(1, "industries", en), count(4, "industries", en)) == ("1 industry", "4 industries")
    assert chartdraw.ticks(Decimal("496.1")) == [Decimal(0), Decimal(200), Decimal(400), Decimal(600)]
