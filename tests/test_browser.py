"""The real site in real Chromium, served under a project subpath."""

from __future__ import annotations

import pytest
from conftest import site_pages


def test_every_page_loads_without_console_errors(page, live_site):
    base, out = live_site
    for rel in site_pages(out):
        response = page.goto(base + rel)
        assert response.status == 200, rel
        assert page.console_errors == [], f"{rel}: {page.console_errors}"


def test_missing_deep_path_gets_the_404_page_with_its_styles(page, live_site):
    base, _ = live_site
    response = page.goto(base + "no/such/page/")
    assert response.status == 404
    assert page.locator("h1").inner_text() == "Page not found"
    assert page.evaluate("getComputedStyle(document.body).margin") == "0px"  # the stylesheet loaded
    # Chromium logs the 404 status of the document itself; nothing else may fail.
    assert [e for e in page.console_errors if not e.startswith("(document)")] == []


@pytest.mark.parametrize("width", [390, 1280])
def test_no_horizontal_scroll(browser, live_site, width):
    base, out = live_site
    ctx = browser.new_context(viewport={"width": width, "height": 844})
    pg = ctx.new_page()
    for rel in site_pages(out):
        pg.goto(base + rel)
        assert pg.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), f"{rel} at {width}px"
    ctx.close()
