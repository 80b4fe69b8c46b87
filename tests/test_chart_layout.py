"""Chart text as Chromium lays it out: on the home and industries pages, in both languages, on a phone and a desktop,
no two texts of a chart overlap and none leaves its SVG's viewBox (boxes from getBBox(), in the SVG's units).
Chinese labels wrap between characters, so a long heading such as 2023年发展大会领域 takes lines of its own."""

from __future__ import annotations

import pytest

# Every problem of each chart on a page: a text whose box leaves the viewBox, or two texts whose boxes overlap
# (by more than half a unit, which no reader sees).
PROBLEMS = """() => [...document.querySelectorAll('svg.chart-svg')].map(svg => {
  const view = svg.viewBox.baseVal, texts = [...svg.querySelectorAll('text')], boxes = texts.map(t => t.getBBox());
  const found = [];
  boxes.forEach((b, i) => {
    if (b.x < -0.5 || b.y < -0.5 || b.x + b.width > view.width + 0.5 || b.y + b.height > view.height + 0.5)
      found.push(`"${texts[i].textContent}" leaves the viewBox`);
    boxes.slice(0, i).forEach((c, j) => {
      const x = Math.min(b.x + b.width, c.x + c.width) - Math.max(b.x, c.x);
      const y = Math.min(b.y + b.height, c.y + c.height) - Math.max(b.y, c.y);
      if (x > 0.5 && y > 0.5) found.push(`"${texts[i].textContent}" overlaps "${texts[j].textContent}"`);
    });
  });
  return [svg.closest('figure').id, found];
})"""


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("path", ["", "industries/", "zh/", "zh/industries/"])
def test_no_chart_text_overlaps_another_or_leaves_its_chart(browser, live_site, path, width):
    base, _ = live_site
    ctx = browser.new_context(viewport={"width": width, "height": 900})
    page = ctx.new_page()
    page.goto(base + path)
    charts = page.evaluate(PROBLEMS)
    ctx.close()
    assert [chart for chart, _ in charts] == (
        ["chart-gdp", "chart-summits", "chart-tiers"] if path in ("", "zh/") else ["chart-tiers"]
    )
    assert all(found == [] for _, found in charts), charts


def test_the_check_sees_an_overlap_and_a_text_outside(page):
    page.set_content(
        '<figure id="planted"><svg class="chart-svg" viewBox="0 0 100 40" font-size="15">'
        '<text x="0" y="15">Pillar</text><text x="10" y="20">Emerging</text>'
        '<text x="60" y="38">2023年发展大会领域</text></svg></figure>'
    )
    [(chart, found)] = page.evaluate(PROBLEMS)
    assert chart == "planted" and found == ['"Emerging" overlaps "Pillar"', '"2023年发展大会领域" leaves the viewBox']
