"""Search (issue 17): Pagefind's index of each build, the box in the header and the search page, in real Chromium on
the real site under a subpath; the index's bytes (deterministic, made only when pages' words change, never by the
preview's edit loop); and what the build leaves out of the index."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest
from conftest import REPO, edit, make_site, run_build, tree_bytes

sys.path.insert(0, str(REPO))
from sitegen.output import search  # noqa: E402
from sitegen.output.write import digest  # noqa: E402

RESULT = ".search-panel li a"


def ask(page, url: str, query: str) -> list[str]:
    """Open a page, type a query into the header's box, and return the addresses of the results it shows."""
    page.goto(url)
    page.locator("#q").click()
    page.keyboard.type(query)
    page.wait_for_function("document.querySelector('.search-panel [role=status]')?.textContent.length > 0")
    return page.eval_on_selector_all(RESULT, "links => links.map(a => a.getAttribute('href'))")


def test_typing_a_name_on_an_english_page_reaches_its_page(page, live_site):
    base, _ = live_site
    path = base.removeprefix(base.split("/repo/")[0])  # /repo/
    found = ask(page, base + "projects/", "JCET")
    assert found[0] == path + "companies/jcet/"
    assert all(href.startswith(path) and not href.startswith(path + "zh/") for href in found)
    assert page.locator(".search-panel li").first.locator(".search-kind").inner_text() == "Companies"
    assert "JCET" in page.locator(".search-panel li .search-excerpt mark").first.inner_text()
    page.locator(RESULT).first.click()
    page.wait_for_url(base + "companies/jcet/")
    assert ask(page, base, "Zoomlion")[0] == path + "companies/zoomlion/"
    assert page.console_errors == []


def test_a_chinese_query_on_a_chinese_page_finds_the_chinese_page(page, live_site):
    base, _ = live_site
    path = base.removeprefix(base.split("/repo/")[0])
    found = ask(page, base + "zh/", "中联重科")
    assert found[0] == path + "zh/companies/zoomlion/", found
    assert all(href.startswith(path + "zh/") for href in found if "?q=" not in href), found  # the Chinese index only
    assert page.locator(".search-panel li").first.locator(".search-kind").inner_text() == "企业"
    assert re.fullmatch(r"\d+ 个结果", page.locator(".search-panel [role=status]").inner_text())
    assert path + "zh/companies/jcet/" in ask(page, base + "zh/companies/", "长电")
    assert ask(page, base + "zh/", "JCET")[0] == path + "zh/companies/jcet/"  # the English name on a Chinese page
    assert path + "companies/jcet/" in ask(page, base, "长电")  # and the Chinese name on an English one
    assert page.console_errors == []


@pytest.mark.parametrize("lang,query", [("", "integrated circuits"), ("zh/", "集成电路")], ids=["en", "zh"])
def test_an_industry_finds_its_page(page, live_site, lang, query):
    base, _ = live_site
    path = base.removeprefix(base.split("/repo/")[0])
    assert ask(page, base + lang, query)[0] == path + lang + "industries/integrated-circuits/"


@pytest.mark.parametrize("lang,query", [("", "GDP"), ("zh/", "地区生产总值")], ids=["en", "zh"])
def test_a_figure_label_finds_the_home_page_figure(page, live_site, lang, query):
    base, _ = live_site
    path = base.removeprefix(base.split("/repo/")[0])
    found = ask(page, base + lang, query)
    # the label of a headline figure: Jiangyin's own pages come first (its series, the economy page where every
    # figure is, the home page's cards); the peer cities' short pages, each a list of GDP figures, weigh less
    # (data-pagefind-weight in templates/peer.html) and ranked above them all before
    ours = {path + lang + p for p in ("", "economy/", "series/")}
    assert found[0] in ours and path + lang + "economy/" in found[:3], found


def test_search_works_from_the_keyboard_alone_and_is_announced(page, live_site):
    base, _ = live_site
    page.goto(base + "industries/")
    for _ in range(40):  # from the top of the page to the box, by Tab only
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "q":
            break
    assert page.evaluate("document.activeElement.id") == "q"
    assert page.locator("form[role=search] #q").get_attribute("aria-label") == "Search"
    page.keyboard.type("Zoomlion")
    status = page.locator(".search-panel [role=status]")
    status.wait_for()
    page.wait_for_function("/\\d+ results?/.test(document.querySelector('.search-panel [role=status]').textContent)")
    assert page.evaluate("getComputedStyle(document.querySelector('.search-panel [role=status]')).display") != "none"
    page.keyboard.press("ArrowDown")
    first = page.evaluate("document.activeElement.getAttribute('href')")
    assert first.endswith("/companies/zoomlion/")
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.getAttribute('href')") != first
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    assert page.evaluate("document.activeElement.id") == "q"
    page.keyboard.press("Tab")  # Tab reaches the results too: they follow the box
    assert page.evaluate("document.activeElement.getAttribute('href')") == first
    style = page.evaluate(
        "(() => { const s = getComputedStyle(document.activeElement); return [s.outlineStyle,"
        " parseFloat(s.outlineWidth)] })()"
    )
    assert style[0] != "none" and style[1] >= 2  # focus visible
    page.keyboard.press("Escape")
    assert page.evaluate("document.activeElement.id") == "q" and not page.locator(".search-panel").is_visible()
    page.keyboard.press("ArrowDown")  # opens them again, at the first
    assert page.evaluate("document.activeElement.getAttribute('href')") == first
    page.keyboard.press("Escape")
    page.keyboard.press("Enter")  # the whole list, on the search page
    page.wait_for_url(re.compile(r".*/repo/search/\?q=Zoomlion$"))
    page.locator("#found [role=status]").wait_for()
    page.wait_for_function("document.querySelectorAll('#found li').length > 0")
    assert page.locator("#found li a").first.get_attribute("href").endswith("/companies/zoomlion/")
    page.locator("#found li a").first.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(base + "companies/zoomlion/")
    assert page.console_errors == []


def item_pages(out: Path, lang: str) -> dict[str, set[str]]:
    """The item pages of the built site, by section: every section's <id>/index.html (not its later list pages)."""
    root = out / lang if lang else out
    found = {}
    for path in root.glob("*/*/index.html"):
        section, name = path.parts[-3], path.parts[-2]
        if section in ("page", "zh", "data", "search") or name == "page":
            continue
        found.setdefault(section, set()).add(name)
    return found


@pytest.mark.parametrize("lang", ["", "zh/"], ids=["en", "zh"])
def test_without_javascript_the_box_submits_to_a_page_listing_every_item_by_kind(browser, live_site, lang):
    base, out = live_site
    ctx = browser.new_context(java_script_enabled=False)
    page = ctx.new_page()
    page.goto(base + lang + "projects/")
    page.fill("#q", "JCET")
    page.keyboard.press("Enter")
    page.wait_for_url(base + lang + "search/?q=JCET")
    assert page.locator("h1").inner_text() in ("Search", "搜索")
    assert not page.locator("#found").is_visible()
    listed = {}
    for href in page.eval_on_selector_all("main section ul a", "links => links.map(a => a.getAttribute('href'))"):
        section, name = href.split("/repo/" + lang, 1)[1].strip("/").split("/")
        listed.setdefault(section, set()).add(name)
    assert listed == item_pages(out, lang.rstrip("/"))
    assert set(listed) == {"industries", "projects", "companies", "summits", "news", "peers", "zones"}
    assert "长电" in page.locator("main").inner_text() or "JCET" in page.locator("main").inner_text()
    ctx.close()


def test_nothing_of_the_search_loads_until_the_box_is_used(browser, live_site):
    base, _ = live_site
    ctx = browser.new_context()
    page = ctx.new_page()
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(base, wait_until="networkidle")
    page.wait_for_timeout(300)
    assert not [u for u in requests if "search" in u or "pagefind" in u], requests
    page.keyboard.press("Tab")  # focus moving through the page is not using the box
    page.wait_for_timeout(200)
    assert not [u for u in requests if "search" in u or "pagefind" in u], requests
    with page.expect_request(re.compile(r".*/repo/search\.[0-9a-f]{8}\.js$")):
        page.locator("#q").focus()
    page.keyboard.type("JCET")
    page.wait_for_function("document.querySelectorAll('.search-panel li').length > 0")
    used = [u for u in requests if "search" in u or "pagefind" in u]
    assert any("/repo/pagefind/pagefind.js" in u for u in used) and any(".pf_fragment" in u for u in used)
    assert all(u.startswith(base) for u in requests), requests  # the bundle comes from the site itself
    ctx.close()


def test_the_search_page_shows_the_results_for_its_address(page, live_site):
    base, _ = live_site
    page.goto(base + "zh/search/?q=" + "中联重科")
    page.wait_for_function("document.querySelectorAll('#found li').length > 0")
    assert page.locator("#q").input_value() == "中联重科"
    assert page.locator("#found li a").first.get_attribute("href").endswith("/repo/zh/companies/zoomlion/")
    assert page.console_errors == []
    page.goto(base + "zh/search/?q=" + "地区生产总值")  # excerpts of pages whose figures in brackets are left out
    page.wait_for_function("document.querySelectorAll('#found li').length > 2")
    excerpts = page.locator("#found .search-excerpt").all_inner_texts()
    assert excerpts and not [e for e in excerpts if re.search(r"[(（]\s*[)）]|^[.。\s]", e)], excerpts


def test_the_search_page_shows_a_page_of_results_at_a_time_and_the_button_brings_the_next(page, live_site):
    base, _ = live_site

    def three_a_page(route):  # the page's size as the template sets it, made small enough to need the button
        body = route.fetch().text().replace('data-page-size="50"', 'data-page-size="3"')
        route.fulfill(body=body, content_type="text/html")

    page.route(re.compile(r".*/repo/search/\?q=.*"), three_a_page)
    page.goto(base + "search/?q=Jiangyin")
    page.wait_for_function("document.querySelectorAll('#found li').length > 0")
    count = int(page.locator("#found [role=status]").inner_text().split()[0])
    assert count > 6 and page.locator("#found li").count() == 3
    more = page.locator("#found .search-more")
    assert more.inner_text() == "Show 3 more"
    more.click()
    page.wait_for_function("document.querySelectorAll('#found li').length === 6")
    assert page.evaluate("document.activeElement === document.querySelectorAll('#found li a')[3]")
    links = page.eval_on_selector_all("#found li a", "links => links.map(a => a.getAttribute('href'))")
    assert len(set(links)) == 6  # none shown twice
    while more.is_visible():
        shown = page.locator("#found li").count()
        more.click()
        page.wait_for_function(f"document.querySelectorAll('#found li').length > {shown}")
    assert page.locator("#found li").count() == count
    assert page.console_errors == []


def test_a_search_that_cannot_load_says_so_in_the_pages_language(page, live_site):
    base, _ = live_site
    page.route(re.compile(r".*/pagefind/pagefind\.js$"), lambda route: route.fulfill(status=404, body="gone"))
    page.goto(base + "zh/")
    page.locator("#q").click()
    page.keyboard.type("长电")
    page.wait_for_function("document.querySelector('.search-panel [role=status]')?.textContent.length > 0")
    assert page.locator(".search-panel [role=status]").inner_text() == "搜索无法加载。搜索页列出了所有条目。"
    assert page.locator(RESULT).count() == 0


def test_keys_an_input_method_is_still_composing_do_not_search(page, live_site):
    base, _ = live_site
    page.goto(base + "zh/")
    page.locator("#q").focus()
    page.wait_for_function("document.querySelector('.search-panel') !== null")
    page.evaluate("""() => { const box = document.getElementById('q'); box.value = 'changdian';
        box.dispatchEvent(new InputEvent('input', {isComposing: true, bubbles: true})); }""")
    page.wait_for_timeout(600)
    assert page.locator(".search-panel").is_hidden()
    page.evaluate("""() => { const box = document.getElementById('q'); box.value = '长电';
        box.dispatchEvent(new CompositionEvent('compositionend', {data: '长电'})); }""")
    page.wait_for_function("document.querySelectorAll('.search-panel li').length > 0")
    links = page.eval_on_selector_all(RESULT, "links => links.map(a => a.getAttribute('href'))")
    assert any(href.endswith("/repo/zh/companies/jcet/") for href in links), links


# The index itself: what goes in, when it is made, and its bytes.


def test_the_index_leaves_out_figures_and_pages_readers_do_not_search():
    html = (
        '<p>GDP <span class="fig" title="x">475.4 billion yuan</span><sup class="cite"><a href="#s">1</a></sup>'
        ' (as of <time datetime="2023">2023</time>)</p><svg class="c"><text>9</text></svg>'
        '<p class="chart-summary">Grew 5%</p>'
        '<section class="cited" aria-labelledby="c"><ol><li>x</li></ol></section>'
        '<details class="quote" data-pagefind-ignore><summary>Words</summary><q>475.4 billion</q></details>'
    )
    assert (
        search.words(html.encode()) == b'<p>GDP \0\0<a href="#s">1</a> (as of \0)</p>\0\0\0<ol><li>x</li></ol>\0'
    )  # nested: in anchors' text


def test_readers_search_every_page_but_those_models_pages_yaml_and_paging_leave_out(tmp_path):
    """A page says whether search lists it (data-pagefind-body on its <main>): the pages models/pages.yaml marks
    `searchable: false` (the search and changes pages, the 404 page) and the later pages of a list are left out."""
    root = make_site(tmp_path / "site")
    for path in (root / "models").glob("*.yaml"):
        path.write_text(path.read_text().replace("per_page: 100", "per_page: 1"))
    assert run_build(root).returncode == 0
    out = root / "_site"
    searched = {p.relative_to(out).as_posix() for p in out.rglob("*.html") if b"data-pagefind-body" in p.read_bytes()}
    assert {"index.html", "projects/index.html", "projects/chip-line/index.html"} <= searched
    assert not searched & {"404.html", "search/index.html", "changes/index.html"}
    assert not [p for p in searched if "/page/" in p] and (out / "industries/page/2/index.html").is_file()


def bundle(out: Path) -> dict[str, bytes]:
    """The search bundle of a built site."""
    return {k: v for k, v in tree_bytes(out).items() if k.startswith("pagefind/")}


def test_two_builds_of_the_real_site_are_byte_identical_index_included(tmp_path):
    root = make_site(tmp_path / "site", content=REPO / "content")
    first, second = tmp_path / "one", tmp_path / "two"
    assert run_build(root, "--out", str(first), "--fresh").returncode == 0
    assert run_build(root, "--out", str(second), "--fresh").returncode == 0
    assert tree_bytes(first) == tree_bytes(second)
    files = bundle(first)
    assert {
        "pagefind/pagefind.js",
        "pagefind/pagefind-entry.json",
        "pagefind/pagefind-worker.js",
        "pagefind/wasm.en.pagefind",
    } <= set(files)
    assert not [f for f in files if "-ui" in f or "highlight" in f]  # Pagefind's own interfaces are not published
    entry = json.loads(files["pagefind/pagefind-entry.json"])
    pages = [p.relative_to(first).as_posix() for p in first.rglob("*.html")]
    searchable = [p for p in pages if b"data-pagefind-body" in (first / p).read_bytes()]
    searched = {
        "en": [p for p in searchable if not p.startswith("zh/")],
        "zh-hans": [p for p in searchable if p.startswith("zh/")],
    }
    assert {lang: v["page_count"] for lang, v in entry["languages"].items()} == {
        lang: len(found) for lang, found in searched.items()
    }  # Pagefind read the whole site, indexed these alone
    assert len(pages) > len(searched["en"]) + len(searched["zh-hans"]) > 70
    assert (first / "search/strings.json").is_file() and (first / "zh/search/strings.json").is_file()


def test_an_edit_of_figures_keeps_the_index_and_an_edit_of_words_remakes_it(tmp_path, monkeypatch):
    root = make_site(tmp_path / "site")
    out = root / "_site"
    assert run_build(root).returncode == 0
    before = bundle(out)
    mtimes = {p: p.stat().st_mtime_ns for p in (out / "pagefind").rglob("*")}
    edit(root, "content/events.yaml", "value: 217", "value: 219")  # figures only: the index stays, ...
    edit(root, "content/events.yaml", "value: 100", "value: 120")
    edit(root, "content/events.yaml", "over 100 billion", "over 120 billion")  # ... the source's words with them
    result = run_build(root)
    assert result.returncode == 0 and "pages rendered" in result.stdout, result.stdout
    assert bundle(out) == before and {p: p.stat().st_mtime_ns for p in (out / "pagefind").rglob("*")} == mtimes
    fresh = tmp_path / "fresh"
    assert run_build(root, "--out", str(fresh), "--fresh").returncode == 0
    assert tree_bytes(fresh) == tree_bytes(out)  # and it is the index a fresh build makes
    assert run_build(root).returncode == 0  # back to _site/ (the fresh build took the cache elsewhere)
    edit(root, "content/companies.yaml", "summary: ", "summary: Renamed lately. ")  # words: the index is made again
    result = run_build(root)
    assert result.returncode == 0 and "pages rendered" in result.stdout, result.stdout
    assert bundle(out) != before
    fresh2 = tmp_path / "fresh2"
    assert run_build(root, "--out", str(fresh2), "--fresh").returncode == 0
    assert tree_bytes(fresh2) == tree_bytes(out)
    assert not [p.name for p in root.iterdir() if p.name.startswith("._site.")]


def test_the_previews_edit_loop_never_runs_pagefind_and_it_indexes_in_the_background(tmp_path, monkeypatch):
    import time

    from sitegen import serve

    root = make_site(tmp_path / "site")
    out = root / "_site"
    session = serve.Session(root, out, "http://127.0.0.1:8000/", log=lambda text: None)
    assert session.rebuild()  # the first build indexes
    first = bundle(out)
    assert "pagefind/pagefind-entry.json" in first and not session.stale
    real = search._service

    def refuse(*args, **kwargs):
        raise AssertionError("Pagefind ran in the edit loop")

    monkeypatch.setattr(search, "_service", refuse)
    edit(root, "content/companies.yaml", "summary: ", "summary: Renamed lately. ")
    assert session.rebuild(), session.errors
    assert "Renamed lately" in (out / "companies/chipco/index.html").read_text()
    assert session.stale and bundle(out) == first  # the last index, until the preview is idle
    monkeypatch.setattr(search, "_service", real)
    session.index_when_idle()  # starts the background job ...
    assert session.indexing is not None
    edit(root, "content/companies.yaml", "summary: Renamed lately. ", "summary: Renamed again. ")
    assert session.rebuild(), session.errors  # ... which a rebuild stops first
    assert session.indexing is None and session.stale
    deadline = time.monotonic() + 60
    while session.stale and time.monotonic() < deadline:
        session.index_when_idle()
        time.sleep(0.05)
    assert not session.stale and bundle(out) != first
    fresh = tmp_path / "fresh"
    assert run_build(root, "--out", str(fresh), "--fresh", "--base-url", "http://127.0.0.1:8000/").returncode == 0
    assert bundle(out) == bundle(fresh)  # the index of the pages as they are
    assert {d: f.digest for d, f in session.state.bundle.files.items()} == {
        d: digest(b) for d, b in bundle(out).items()
    }  # and the preview's state knows its files
    assert not [p.name for p in root.iterdir() if p.name.startswith("._site.")]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_results_shown_in_the_box_and_on_the_search_page_meet_wcag(browser, live_site, scheme):
    from axe_playwright_python.sync_playwright import Axe
    from test_a11y import WCAG, violations

    base, _ = live_site
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, color_scheme=scheme)
    ctx.add_init_script(Axe().axe_script)
    page = ctx.new_page()
    found = {}
    ask(page, base + "zh/", "长电")
    found["box"] = violations(page, {"runOnly": {"type": "tag", "values": WCAG}})
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")  # the results fit a phone
    page.goto(base + "search/?q=Zoomlion")
    page.wait_for_function("document.querySelectorAll('#found li').length > 0")
    found["page"] = violations(page, {"runOnly": {"type": "tag", "values": WCAG}})
    ctx.close()
    assert found == {"box": [], "page": []}


def test_an_edit_of_one_languages_words_remakes_that_languages_index_only(tmp_path, monkeypatch):
    root = make_site(tmp_path / "site", content=REPO / "content")
    out = root / "_site"
    assert run_build(root).returncode == 0
    before = bundle(out)
    edit(root, "content/companies.yaml", 'summary: "JCET, whose', 'summary: "Edited here. JCET, whose')  # English only
    result = run_build(root)
    assert result.returncode == 0 and "pages rendered" in result.stdout, result.stdout
    after = bundle(out)
    changed = {f for f in before.keys() | after.keys() if before.get(f) != after.get(f)}
    assert changed and all("zh-hans" not in f for f in changed), changed  # the Chinese index was left alone
    assert any(f.startswith("pagefind/fragment/en_") for f in changed)
    fresh = tmp_path / "fresh"
    assert run_build(root, "--out", str(fresh), "--fresh").returncode == 0
    assert bundle(fresh) == after  # the same as a run over both languages


def test_a_build_without_pagefind_fails_with_the_fix_and_leaves_the_old_site(site, monkeypatch):
    from sitegen.errors import BuildFailed
    from sitegen.pipeline import build

    assert run_build(site).returncode == 0
    before = tree_bytes(site / "_site")
    monkeypatch.setitem(sys.modules, "pagefind_bin_extended", None)  # as if requirements.txt were not installed
    with pytest.raises(BuildFailed) as failed:
        build(site, site / "_site")
    (error,) = failed.value.errors
    assert error.format().startswith("requirements.txt: error: Pagefind cannot be found (")
    assert error.hint == "install it: python3 -m pip install -r requirements.txt"
    assert tree_bytes(site / "_site") == before and not [p for p in site.iterdir() if p.name.startswith("._site.")]


def test_a_pagefind_a_stop_ended_is_reaped_once_and_nothing_is_warned(caplog):
    """A Ctrl-C to the process group can end Pagefind's service just before the build closes the index: the close
    then kills nothing that is gone and reaps nothing itself (asyncio's watcher does), so the build's stop is not
    preceded by asyncio's "Unknown child process" warning. (Before, one close in about fifteen raced the watcher.)"""
    import logging
    import os
    import signal

    caplog.set_level(logging.WARNING, logger="asyncio")
    for _ in range(200):
        with search.Index() as index:
            assert index.service is not None
            os.kill(index.service._backend.pid, signal.SIGINT)
    assert [r.getMessage() for r in caplog.records if r.name == "asyncio"] == []


def test_a_stop_while_pages_wait_to_be_indexed_leaves_nothing_for_asyncio_to_report(caplog):
    """A build stopped while pages wait to be sent to Pagefind (a SIGTERM, a Ctrl-C), or after Pagefind itself was
    stopped (the Ctrl-C reaches the process group), closes the index quietly: nothing is written into Pagefind's
    closed pipe, and no request's error is left unread (asyncio would print each at exit, after the build's own
    message)."""
    import logging
    import os
    import signal

    caplog.set_level(logging.WARNING, logger="asyncio")
    html = "<html><body><main>" + "word " * 2000 + "</main></body></html>"
    for n in range(20):
        with pytest.raises((SystemExit, KeyboardInterrupt)), search.Index() as index:
            for k in range(60):
                index.add(f"p{k}/index.html", html)
            if n % 2:  # Pagefind stopped first: the build finds out as it sends more
                assert index.service is not None
                os.kill(index.service._backend.pid, signal.SIGINT)
                for k in range(10 * search.IN_FLIGHT):
                    index.add(f"q{k}/index.html", html)
            raise SystemExit(143)
    assert [r.getMessage()[:80] for r in caplog.records if r.name == "asyncio"] == []
