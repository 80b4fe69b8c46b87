"""The chart module as pure functions: model series in, accessible SVG out; and the number helpers it uses."""
from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import FIXTURE, REPO

from sitegen.content.kinds import load_registry, site_languages
from sitegen.content.model import Figure, replace
from sitegen.content.validate import load_content
from sitegen.errors import Problems
from sitegen.site import charts
from sitegen.site.numbers import base_value, count, display_exp, scaled, unit_words


def content_of(folder: Path):
    """The validated content of a site folder."""
    problems = Problems()
    content = load_content(folder, problems, registry=load_registry(REPO, problems, site_languages(folder)))
    problems.raise_if_any()
    return content


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


def test_gdp_bars_are_proportional_to_the_figures(real):
    chart = charts.gdp_chart(real, "en")
    values = [base_value(real.profile.gdp[y]) for y in sorted(real.profile.gdp, key=int)]
    bars = widths(chart.svg)
    assert len(bars) == len(values)
    for bar, value in zip(bars, values):
        assert bar / max(bars) == pytest.approx(float(value / max(values)), abs=0.002)


def test_a_changed_figure_changes_the_chart(mini):
    gdp = dict(mini.profile.gdp)
    gdp[2022] = replace(gdp[2022], value=Decimal("916.066"))
    changed = replace(mini, profile=replace(mini.profile, gdp=gdp))
    svg = str(charts.gdp_chart(changed, "en").svg)
    assert ">916.1<" in svg and ">475.4<" not in svg
    assert "916.1 billion yuan in 2022" in charts.gdp_chart(changed, "en").summary


def test_svg_is_named_by_its_summary(real):
    for chart in (charts.gdp_chart(real, "en"), charts.summits_chart(real, "en"), charts.tiers_chart(real, "en")):
        svg = str(chart.svg)
        name = re.search(r'role="img" aria-labelledby="([^"]+)"', svg).group(1)
        title = re.search(rf'<title id="{name}">([^<]*)</title>', svg).group(1)
        assert title == str(chart.summary).replace("'", "&#39;") and chart.summary.endswith(".")
        assert "<script" not in svg and "style=" not in svg  # colours come from the stylesheet


def test_summits_that_counted_construction_starts_are_hatched_starred_and_explained(real):
    chart = charts.summits_chart(real, "en")
    svg = str(chart.svg)
    assert svg.count('class="chart-bar marked" fill="url(#chart-summits-hatch)"') == 2 + 1  # two panels + legend
    assert ">2017 conference *<" in svg and ">2019 conference<" in svg
    assert ">* construction starts, not signings<" in svg
    assert "2017 conference counted projects starting or completing construction" in chart.note
    assert [r.cells[2] for r in chart.rows][0] == "projects starting or completing construction"
    assert "91 projects at the 2019 conference, and 217 projects" in chart.summary  # signed summits only
    assert chart.summary.startswith("Only the years for which a count was found are shown")  # no trend read in


def test_summit_investment_labels_keep_the_qualifier(real):
    svg = str(charts.summits_chart(real, "en").svg)
    assert ">over 100<" in svg
    assert "Planned investment, billion yuan" in svg


def test_tier_matrix_marks_membership_by_shape_and_counts_each_column(real):
    chart = charts.tiers_chart(real, "en")
    svg = str(chart.svg)
    members = sum(len(i.tiers) for i in real.industries.values()) + len(real.events["summit-2023"].fields)
    assert svg.count('class="chart-dot"') == members
    assert svg.count('class="chart-ring"') == 3 * len(real.industries) - members
    assert "; in both: High-end equipment." in chart.summary  # the name as it is written, after a colon
    assert chart.rows[0].link == ("industries", "high-end-textiles")


def test_labels_are_escaped(mini):
    industries = {k: replace(v, name="<b>Chips & co</b>") for k, v in mini.industries.items()}
    svg = str(charts.tiers_chart(replace(mini, industries=industries), "en").svg)
    assert "<b>" not in svg and ">&lt;b&gt;Chips &amp;<" in svg


def test_text_stays_inside_the_view_box(real):
    for chart in (charts.gdp_chart(real, "en"), charts.summits_chart(real, "en"), charts.tiers_chart(real, "en")):
        for x, cls, anchor, text in re.findall(
            r'<text x="([^"]+)" y="[^"]+" class="([^"]+)"(?: text-anchor="(\w+)")?>([^<]*)<', str(chart.svg)
        ):
            width = charts.text_width(text, bold=cls in ("chart-value", "chart-head"))
            left = float(x) - {"end": width, "middle": width / 2}.get(anchor, 0)
            assert 0 <= left and left + width <= charts.WIDTH + 1, (chart.id, text)


def test_number_helpers_for_charts():
    fig = Figure(Decimal("100"), "CNY", "2023", "s", scale="billion", qualifier="over")
    assert scaled(fig, 9) == "over 100"
    assert scaled(Figure(Decimal("496.051"), "CNY", "2023", "s", scale="billion"), 9) == "496.1"
    assert display_exp([Decimal("98e9"), Decimal("4.96e11")]) == 9 and display_exp([Decimal(217)]) == 0
    assert unit_words("CNY", 9) == "billion yuan" and unit_words("projects") == "projects"
    assert (count(1, "industries"), count(4, "industries")) == ("1 industry", "4 industries")
