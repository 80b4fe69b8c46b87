"""Accessibility and valid HTML on every page of the real site: axe-core (WCAG 2.x A/AA) in light and dark
mode with every section rendered and every data table open, reflow at 390 px, the Nu HTML checker over the whole
output in one call, and keyboard use (skip link, landmarks, focus)."""

from __future__ import annotations

import json
import re
import subprocess

from axe_playwright_python.sync_playwright import Axe
from conftest import REPO, site_pages

WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
VNU = REPO / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
DARK_RULES = ["color-contrast", "link-in-text-block"]
DARK_PER_LAYOUT = 3  # dark mode is checked on the first three pages of each layout (see layout_of), light on all
OPEN_DETAILS = "document.querySelectorAll('details').forEach(d => d.open = true)"
# The stylesheet skips rendering below-the-fold sections until they near the screen (content-visibility: auto);
# axe does not scroll, so render everything for it, as a reader who scrolls sees it.
RENDER_ALL = "* { content-visibility: visible !important; }"


def layout_of(rel: str) -> tuple[str, str, int]:
    """A page's language, folder and depth: the pages that share them share a template (the items of a kind, or
    its index pages), so its elements and their colours."""
    parts = rel.split("/")
    language = parts.pop(0) if parts[0] == "zh" else ""
    return language, parts[0], len(parts)


def violations(page, rules: dict) -> list[str]:
    """axe-core's violations of some rules on the page, each as 'rule: target …'."""
    result = page.evaluate("options => axe.run(document, options)", {**rules, "resultTypes": ["violations"]})
    return [f"{v['id']}: {', '.join(str(n['target']) for n in v['nodes'][:3])}" for v in result["violations"]]


def test_axe_finds_no_wcag_violations_on_any_page_in_light_or_dark_mode(browser, live_site):
    """Every page in light mode; in dark mode, where only colours change, the first pages of each layout."""
    base, out = live_site
    ctx = browser.new_context(viewport={"width": 390, "height": 844})
    ctx.add_init_script(Axe().axe_script)  # parsed with each page instead of sent over for each run
    page, found, dark = ctx.new_page(), {}, {}
    for rel in site_pages(out):
        page.emulate_media(color_scheme="light")
        page.goto(base + rel)
        page.add_style_tag(content=RENDER_ALL)
        page.evaluate(OPEN_DETAILS)  # check the data tables too
        problems = violations(page, {"runOnly": {"type": "tag", "values": WCAG}})
        if not page.evaluate("document.documentElement.scrollWidth <= innerWidth"):
            problems.append("reflow: the page scrolls sideways at 390 px with its data tables open")
        layout = layout_of(rel)
        dark[layout] = dark.get(layout, 0) + 1
        if dark[layout] <= DARK_PER_LAYOUT:
            page.emulate_media(color_scheme="dark")  # only colours change, so only contrast is checked again
            problems += [f"dark {v}" for v in violations(page, {"runOnly": {"type": "rule", "values": DARK_RULES}})]
        if problems:
            found[rel] = problems
    ctx.close()
    assert found == {}


def test_nu_html_checker_finds_no_errors_in_the_whole_site(live_site):
    _, out = live_site
    result = subprocess.run(
        ["java", "-jar", str(VNU), "--errors-only", "--skip-non-html", "--format", "json", "--stdout", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages = json.loads(result.stdout)["messages"]
    assert [f"{m.get('url', '').split('/repo/')[-1]}:{m.get('lastLine')}: {m['message']}" for m in messages] == []
    assert result.returncode == 0


def test_every_page_has_one_banner_navigation_main_and_footer(live_site):
    """One banner, one site navigation, one main and one footer; any other navigation (a page's contents, a pager)
    is labelled, so a screen reader's list of landmarks tells them apart."""
    _, out = live_site
    for path in out.rglob("*.html"):
        html = path.read_text(encoding="utf-8")
        counts = [html.count(tag) for tag in ('<header class="site-header"', "<main ", "<footer ")]
        assert counts == [1, 1, 1], path
        navs = re.findall(r"<nav [^>]*>", html)
        assert all("aria-label" in nav for nav in navs), path  # aria-label or aria-labelledby
        assert len([nav for nav in navs if "class=" not in nav and "labelledby" not in nav]) == 1, path


def test_skip_link_is_first_visible_on_focus_and_moves_focus_to_main(page, live_site):
    base, _ = live_site
    page.goto(base)
    page.keyboard.press("Tab")
    skip = page.locator(":focus")
    assert skip.get_attribute("class") == "skip"
    box = skip.bounding_box()
    assert box and box["y"] >= 0 and box["x"] >= 0, "the skip link must be on screen when focused"
    page.keyboard.press("Enter")
    page.wait_for_url("**#main", timeout=5000)  # the jump to the fragment, which a loaded machine may delay
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('main') !== null")


def test_focus_is_visible_on_every_control_of_the_home_page(page, live_site):
    base, _ = live_site
    page.goto(base)
    seen = set()
    for _ in range(60):
        page.keyboard.press("Tab")
        style = page.evaluate(
            "(() => { const e = document.activeElement, s = getComputedStyle(e);"
            " return [e.outerHTML.slice(0, 80), s.outlineStyle, parseFloat(s.outlineWidth)] })()"
        )
        seen.add(style[0])
        assert style[1] != "none" and style[2] >= 2, f"no visible focus on {style[0]}"
    assert len(seen) > 30
