"""The reader's experience of the real site in real Chromium: page weight, no scripts or third-party hosts,
reading without JavaScript, dark mode, print, charts on a phone, planned amounts, and screenshots for review."""

from __future__ import annotations

import json
import re

import pytest
from conftest import ARTIFACTS
from test_a11y import RENDER_ALL

HOME_BUDGET = 60 * 1024
PROJECT = "projects/sj-3dic-packaging/"
ARTICLE = "news/2023-jiangyin-development-summit/"
SHOTS = {
    "home": "",
    "project": PROJECT,
    "article": ARTICLE,
    "zh-home": "zh/",
    "zh-project": "zh/" + PROJECT,
    "zh-article": "zh/" + ARTICLE,
}


def loaded_bytes(browser, url: str) -> dict[str, int]:
    """Every response a page load fetched, by URL, with its body size in bytes."""
    ctx = browser.new_context(viewport={"width": 390, "height": 844})
    page, responses = ctx.new_page(), []
    page.on("response", lambda r: responses.append(r))
    page.goto(url, wait_until="networkidle")
    sizes = {r.url: len(r.body()) for r in responses}
    ctx.close()
    return sizes


@pytest.mark.parametrize("lang", ["", "zh/"], ids=["en", "zh"])
def test_home_page_weighs_at_most_60_kb_in_all(browser, live_site, lang):
    base, _ = live_site
    sizes = loaded_bytes(browser, base + lang)
    total = sum(sizes.values())
    ARTIFACTS.mkdir(exist_ok=True)
    name = f"home-weight{'-zh' if lang else ''}.json"
    (ARTIFACTS / name).write_text(json.dumps({"total_bytes": total, "files": sizes}, indent=2) + "\n")
    assert total <= HOME_BUDGET, f"home page loads {total / 1024:.1f} KB: {sizes}"
    assert all(re.search(r"(/|\.html|\.css|\.svg|\.ico)$", url) for url in sizes), sizes  # no scripts, fonts, images
    assert all(url.startswith(base) for url in sizes), sizes


FETCHED = re.compile(
    r'<(?:link[^>]*rel="(?:stylesheet|icon|apple-touch-icon|preload|manifest)"[^>]*href|[a-z]+[^>]* src)="([^"]*)"'
)


# The only script a page runs: on the first focus of the search box, it imports the site's own search module (from
# the site's root, fingerprinted); the search page imports that module itself. JSON-LD is data, never run.
LOADER = re.compile(
    r'<script>addEventListener\("focusin",e=>e\.target\.id=="q"&&'
    r'import\("(/repo/search\.[0-9a-f]{8}\.js)"\)\)</script>'
)
SEARCH_MODULE = re.compile(r'<script type="module" src="(/repo/search\.[0-9a-f]{8}\.js)"></script>')


def test_pages_run_no_script_but_the_search_box_loader_and_load_nothing_from_other_hosts(live_site):
    _, out = live_site
    for path in out.rglob("*.html"):
        html = path.read_text(encoding="utf-8")
        scripts = re.findall(r"<script\b[^>]*>", html)
        search_page = path.relative_to(out).as_posix() in ("search/index.html", "zh/search/index.html")
        allowed = {'<script type="application/ld+json">', "<script>"} | (
            {m.group(0).removesuffix("</script>") for m in SEARCH_MODULE.finditer(html)} if search_page else set()
        )
        assert set(scripts) <= allowed and not re.search(r"<[^>]+\son[a-z]+=", html), path
        loaders = LOADER.findall(html)
        assert len(loaders) == scripts.count("<script>") == 1, path  # the loader, once, and nothing else inline
        assert (out / loaders[0].removeprefix("/repo/")).is_file(), path
        assert [u for u in FETCHED.findall(html) if re.match(r"(https?:)?//", u)] == [], path
    for css in out.rglob("*.css"):
        assert not re.search(r"@import|url\((?!#)", css.read_text(encoding="utf-8")), css
    module = next(out.glob("search.*.js")).read_text(encoding="utf-8")
    assert not re.search(r"https?://|//[a-z]", module.replace("// ", "")), "the search module names no other host"


def test_charts_and_figures_read_without_javascript(browser, live_site):
    base, _ = live_site
    ctx = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 844})
    page = ctx.new_page()
    page.goto(base)
    assert page.locator("svg.chart-svg").count() == 3
    for svg in page.locator("svg.chart-svg").all():
        assert svg.bounding_box()["height"] > 150
    assert "billion yuan" in page.locator(".cards").inner_text()
    ctx.close()


def test_chart_text_is_at_least_14_px_on_a_phone(browser, live_site):
    base, _ = live_site
    ctx = browser.new_context(viewport={"width": 390, "height": 844})
    page = ctx.new_page()
    page.goto(base)
    sizes = page.evaluate("""[...document.querySelectorAll('svg.chart-svg text')].map(t => {
        const svg = t.ownerSVGElement, scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
        return parseFloat(getComputedStyle(t).fontSize) * scale; })""")
    ctx.close()
    assert sizes and min(sizes) >= 14, min(sizes)


def test_a_link_to_a_figure_in_a_chart_table_opens_its_table(page, live_site):
    base, _ = live_site
    page.goto(base + "#fact-profile-gdp-2010")
    assert page.evaluate("document.getElementById('fact-profile-gdp-2010').closest('details').open")


def test_dark_mode_switches_colours_of_page_and_charts(browser, live_site):
    base, _ = live_site
    colours = {}
    for scheme in ("light", "dark"):
        ctx = browser.new_context(color_scheme=scheme)
        page = ctx.new_page()
        page.goto(base)
        colours[scheme] = page.evaluate(
            "[getComputedStyle(document.body).backgroundColor,"
            " getComputedStyle(document.querySelector('.chart-bar')).fill]"
        )
        ctx.close()
    assert colours["light"][0] == "rgb(255, 255, 255)"
    assert colours["dark"][0] != colours["light"][0] and colours["dark"][1] != colours["light"][1]


CONTRAST_JS = """() => {
  const rgb = c => c.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const lum = c => rgb(c).map(v => v / 255).map(v => v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4)
                          .reduce((s, v, i) => s + v * [0.2126, 0.7152, 0.0722][i], 0);
  const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((m, n) => n - m); return (x + 0.05) / (y + 0.05); };
  const bg = getComputedStyle(document.body).backgroundColor, out = {};
  const marks = {".chart-bar:not(.marked)": "fill", ".chart-dot": "fill", ".chart-ring": "stroke",
                 ".chart-axis": "stroke", ".hatch-line": "stroke", ".chart-svg text": "fill"};
  for (const [sel, prop] of Object.entries(marks))
    out[sel] = Math.min(...[...document.querySelectorAll(sel)].map(e => ratio(getComputedStyle(e)[prop], bg)));
  return out;
}"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_chart_marks_and_labels_contrast_with_the_page(browser, live_site, scheme):
    base, _ = live_site
    ctx = browser.new_context(color_scheme=scheme)
    page = ctx.new_page()
    page.goto(base)
    page.add_style_tag(content=RENDER_ALL)
    ratios = page.evaluate(CONTRAST_JS)
    ctx.close()
    assert all(r >= 3 for r in ratios.values()), ratios  # WCAG 1.4.11 for graphics
    assert ratios[".chart-svg text"] >= 4.5, ratios  # WCAG 1.4.3 for text


def test_print_hides_navigation_and_writes_out_source_addresses(page, live_site):
    base, _ = live_site
    page.goto(base + ARTICLE)
    page.emulate_media(media="print")
    assert not page.locator("header nav").is_visible()
    assert not page.locator(".skip").is_visible()
    after = page.evaluate("getComputedStyle(document.querySelector('.cited a[href^=\"http\"]'), '::after').content")
    assert "http" in after


def test_signed_amounts_are_labelled_as_planned_investment(live_site):
    _, out = live_site
    home = (out / "index.html").read_text(encoding="utf-8")
    latest = re.search(r"<h3>The most recent conference in the data \(2023\)</h3>.*?</p>", home, re.S).group(0)
    assert "planned investment: " in latest  # the home page's summary of the 2023 conference
    event = (out / "summits/summit-2023/index.html").read_text(encoding="utf-8")
    assert "Amounts are planned investment agreed when projects were signed, not money spent." in event
    for path in (out / "projects").glob("*/index.html"):
        html = path.read_text(encoding="utf-8")
        if 'class="card"' in html:
            assert "Planned investment, not money spent" in html, path
    assert "spent" not in re.sub(r"not money spent", "", home)


def test_status_badges_say_their_status_in_words(live_site):
    _, out = live_site
    badges = re.findall(r'<li class="badge badge-([a-z-]+)">([^<]+)</li>', (out / "projects/index.html").read_text())
    assert badges and all(text.strip() for _, text in badges)
    assert ("provincial-major", "Jiangsu major project") in badges


@pytest.mark.parametrize("width", [390, 1280])
def test_screenshots_for_review(browser, live_site, width):
    base, _ = live_site
    folder = ARTIFACTS / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    for scheme in ("light", "dark"):
        ctx = browser.new_context(viewport={"width": width, "height": 844}, color_scheme=scheme)
        page = ctx.new_page()
        for name, rel in SHOTS.items():
            if scheme == "dark" and name not in ("home", "zh-home"):
                continue
            page.goto(base + rel)
            page.add_style_tag(content=RENDER_ALL)  # a full-page screenshot does not scroll
            suffix = "" if scheme == "light" else "-dark"
            assert page.screenshot(path=folder / f"{name}-{width}{suffix}.png", full_page=True)[:4] == b"\x89PNG"
        ctx.close()
