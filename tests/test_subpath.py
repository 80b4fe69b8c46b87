"""The real site served like GitHub Pages serves it, crawled over HTTP: under a project subpath (/repo/) and at a
domain root. Every link and asset answers 200 and none leaves the base path; the sitemap, feed and robots.txt agree
with what the crawl found; the 404 page works at any depth in real Chromium."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.error import HTTPError
from urllib.parse import unquote, urldefrag, urljoin, urlsplit
from urllib.request import urlopen

import pytest
from conftest import ARTIFACTS, REPO, make_site, run_build, site_pages, start_server

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
ATOM = "{http://www.w3.org/2005/Atom}"


class Collector(HTMLParser):
    """The ids of a page and every URL it references (href, src, a form's action, absolute URLs in <meta content>)."""

    def __init__(self):
        super().__init__()
        self.ids, self.urls = set(), []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name == "id" and value:
                self.ids.add(value)
            elif value and (
                name in ("href", "src")
                or (tag == "meta" and name == "content" and "://" in value)
                or (tag == "form" and name == "action")
            ):  # the search box submits to the search page
                self.urls.append(value)


@dataclass
class Crawl:
    """What a crawl saw: the status of every same-host URL, the ids of every page, every link with its page."""

    status: dict[str, int] = field(default_factory=dict)
    ids: dict[str, set] = field(default_factory=dict)
    links: list[tuple[str, str]] = field(default_factory=list)  # (page, absolute URL with fragment)

    def summary(self, start: str) -> dict:
        """Counts for the report: pages, links (internal, external), assets."""
        host = urlsplit(start).netloc
        internal = [u for _, u in self.links if urlsplit(u).netloc == host]
        return {
            "base": start,
            "pages": len(self.ids),
            "links": len(self.links),
            "internal_links": len(internal),
            "external_links": len(self.links) - len(internal),
            "anchored_links": sum(1 for u in internal if urlsplit(u).fragment),
            "assets": sorted(u.removeprefix(start) for u in self.status if u not in self.ids),
            "urls_fetched": len(self.status),
        }


def fetch(url: str) -> tuple[int, str, bytes]:
    """(status, content type, body) of a GET, following redirects."""
    try:
        with urlopen(url, timeout=10) as r:
            return r.status, r.headers.get_content_type(), r.read()
    except HTTPError as e:
        return e.code, "", b""


def crawl(start: str) -> Crawl:
    """Fetch every same-host URL reachable from start; parse the HTML pages under start."""
    host, seen, queue = urlsplit(start).netloc, Crawl(), [start]
    while queue:
        url = queue.pop()
        if url in seen.status:
            continue
        status, ctype, body = fetch(url)
        seen.status[url] = status
        if status != 200 or ctype != "text/html" or not url.startswith(start):
            continue
        page = Collector()
        page.feed(body.decode("utf-8"))
        seen.ids[url] = page.ids
        for ref in page.urls:
            target = urljoin(url, ref)
            if urlsplit(target).scheme in ("http", "https"):
                seen.links.append((url, target))
                if urlsplit(target).netloc == host:
                    queue.append(urldefrag(target)[0])
    return seen


def check_crawl(result: Crawl, start: str) -> None:
    """Every same-host URL answered 200 and lies under start; every #fragment names an id on its page."""
    host = urlsplit(start).netloc
    assert {u: s for u, s in result.status.items() if s != 200} == {}
    outside = [(p, u) for p, u in result.links if urlsplit(u).netloc == host and not u.startswith(start)]
    assert outside == []
    for page, url in result.links:
        target, fragment = urldefrag(url)
        if fragment and target in result.ids:
            assert unquote(fragment) in result.ids[target], f"{page} links to {url}"


def report(name: str, result: Crawl, start: str) -> dict:
    """Write what the crawl covered to artifacts/ and return it."""
    summary = result.summary(start)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"crawl-{name}.json").write_text(json.dumps(summary, indent=2) + "\n")
    return summary


@pytest.fixture(scope="module")
def subpath_crawl(live_site):
    """The crawl of the real site under /repo/."""
    base, _ = live_site
    return crawl(base)


def test_crawl_under_a_subpath_reaches_every_page_and_nothing_is_broken(live_site, subpath_crawl):
    base, out = live_site
    check_crawl(subpath_crawl, base)
    assert set(subpath_crawl.ids) == {base + rel for rel in site_pages(out) if not rel.endswith("404.html")}
    summary = report("subpath", subpath_crawl, base)
    assert summary["internal_links"] > 500 and summary["anchored_links"] > 50
    assert {"feed.xml", "social.png", "favicon.ico", "favicon.svg", "apple-touch-icon.png"} <= set(summary["assets"])
    assert [a for a in summary["assets"] if a.endswith(".css")] == [p.name for p in out.glob("style.*.css")]


def test_every_sitemap_url_answers_and_matches_the_crawl(live_site, subpath_crawl):
    base, _ = live_site
    status, ctype, body = fetch(base + "sitemap.xml")
    assert status == 200
    locs = [u.findtext(f"{SITEMAP}loc") for u in ET.fromstring(body).findall(f"{SITEMAP}url")]
    assert set(locs) == set(subpath_crawl.ids) and len(locs) == len(set(locs))
    assert all(fetch(url)[0] == 200 for url in locs)


def test_feed_and_robots_point_at_live_urls(live_site, subpath_crawl):
    base, _ = live_site
    status, _, body = fetch(base + "feed.xml")
    feed = ET.fromstring(body)
    assert status == 200 and feed.find(f"{ATOM}link[@rel='self']").get("href") == base + "feed.xml"
    entries = [e.find(f"{ATOM}link").get("href") for e in feed.findall(f"{ATOM}entry")]
    assert entries and set(entries) <= set(subpath_crawl.ids)
    status, _, robots = fetch(base + "robots.txt")
    assert status == 200 and f"Sitemap: {base}sitemap.xml" in robots.decode().splitlines()


def test_site_works_at_a_domain_root(tmp_path_factory):
    out = tmp_path_factory.mktemp("root-www")
    server, origin = start_server(out, not_found=out / "404.html")
    try:
        root = make_site(tmp_path_factory.mktemp("root-project"), content=REPO / "content")
        result = run_build(root, "--out", str(out), "--base-url", origin + "/")
        assert result.returncode == 0, result.stderr
        found = crawl(origin + "/")
        check_crawl(found, origin + "/")
        assert set(found.ids) == {origin + "/" + rel for rel in site_pages(out) if not rel.endswith("404.html")}
        report("root", found, origin + "/")
    finally:
        server.shutdown()
        server.server_close()


def test_404_page_loads_its_assets_at_any_depth(page, live_site):
    base, _ = live_site
    for missing in ("nope", "a/b/c/d/e/", "projects/no-such-project/index.html"):
        responses = []
        record = lambda r: responses.append(r)  # noqa: E731 - Playwright needs a Python function
        page.on("response", record)
        assert page.goto(base + missing).status == 404
        page.wait_for_load_state("load")
        page.remove_listener("response", record)
        assets = [(r.url, r.status) for r in responses if r.request.resource_type != "document"]
        assert any(u.endswith(".css") for u, _ in assets) and all(s in (200, 304) for _, s in assets), assets
        assert page.evaluate("[...document.styleSheets].every(s => s.cssRules.length > 0)")
        hrefs = page.eval_on_selector_all("a[href], link[href]", "els => els.map(e => e.getAttribute('href'))")
        assert all(h.startswith(("/repo/", "#", "http")) for h in hrefs), hrefs
        icons = page.eval_on_selector_all("link[rel~=icon], link[rel=apple-touch-icon]", "els => els.map(e => e.href)")
        assert len(icons) == 3 and all(page.request.get(u).status == 200 for u in icons)
        assert [e for e in page.console_errors if not e.startswith("(document)")] == []
        with page.expect_navigation():
            page.locator("main a").last.click()  # "Go to the home page"
        assert page.url == base


def test_the_crawler_catches_what_breaks_under_a_subpath(tmp_path):
    (tmp_path / "repo").mkdir()
    (tmp_path / "style.css").write_text("")  # exists at the domain root, as on a local server, not under /repo/
    (tmp_path / "repo/index.html").write_text(
        '<link rel="stylesheet" href="/style.css"><a href="gone/">x</a><a href="#nowhere">y</a>'
    )
    server, origin = start_server(tmp_path)
    try:
        found = crawl(origin + "/repo/")
    finally:
        server.shutdown()
        server.server_close()
    assert found.status[origin + "/repo/gone/"] == 404
    with pytest.raises(AssertionError, match="gone"):
        check_crawl(found, origin + "/repo/")
    del found.status[origin + "/repo/gone/"]
    with pytest.raises(AssertionError, match="style.css"):
        check_crawl(found, origin + "/repo/")
    found.links = [(p, u) for p, u in found.links if not u.endswith("/style.css")]
    with pytest.raises(AssertionError, match="nowhere"):
        check_crawl(found, origin + "/repo/")
