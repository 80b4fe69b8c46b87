"""The real site in real Chromium, served under a project subpath."""

from __future__ import annotations

from conftest import site_pages


def test_every_page_loads_without_console_errors_or_scrolling_sideways(page, live_site):
    """At 1280 px (the page fixture's width); at 390 px, with every data table open, tests/test_a11y.py checks."""
    base, out = live_site
    for rel in site_pages(out):
        response = page.goto(base + rel)
        assert response.status == 200, rel
        assert page.console_errors == [], f"{rel}: {page.console_errors}"
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), f"{rel} scrolls sideways"


def test_missing_deep_path_gets_the_404_page_with_its_styles(page, live_site):
    base, _ = live_site
    response = page.goto(base + "no/such/page/")
    assert response.status == 404
    assert page.locator("h1").inner_text() == "Page not found"
    assert page.evaluate("getComputedStyle(document.body).margin") == "0px"  # the stylesheet loaded
    # Chromium logs the 404 status of the document itself; nothing else may fail.
    assert [e for e in page.console_errors if not e.startswith("(document)")] == []
