"""Properties every built page has, checked on the fixture site and on the real content."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from conftest import REPO, make_site, run_build, with_history


class PageFacts(HTMLParser):
    """Collects what the page-level checks need from one HTML document."""

    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.title = ""
        self._in_title = False
        self.ids: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        if "id" in attrs:
            self.ids.append(attrs["id"])
        self._in_title = tag == "title"

    def handle_endtag(self, tag):
        self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data

    def count(self, tag: str) -> int:
        return sum(1 for t, _ in self.tags if t == tag)

    def first(self, tag: str, **match) -> dict | None:
        return next((a for t, a in self.tags if t == tag and all(a.get(k) == v for k, v in match.items())), None)


def check_page(path, site_dir):
    """Assert the page-level properties of one built page."""
    facts = PageFacts()
    facts.feed(path.read_text(encoding="utf-8"))
    rel = path.relative_to(site_dir)
    assert facts.first("html")["lang"] == ("zh-Hans" if rel.parts[0] == "zh" else "en"), rel
    langs = {a["hreflang"] for t, a in facts.tags if t == "link" and a.get("rel") == "alternate" and "hreflang" in a}
    assert langs in (set(), {"en", "zh-Hans", "x-default"}) or rel.name == "404.html", rel  # every edition listed
    switch = [a for t, a in facts.tags if t == "a" and a.get("hreflang")]
    assert len(switch) == (1 if langs else 0), rel  # a link to the page's counterpart in the other language
    assert facts.title.strip(), rel
    assert facts.first("meta", name="description")["content"].strip(), rel
    assert facts.count("h1") == 1, rel
    assert facts.first("nav") is not None, rel
    assert len(facts.ids) == len(set(facts.ids)), f"{rel}: duplicate ids"
    cites = {a["href"][1:] for t, a in facts.tags if t == "a" and a.get("href", "").startswith("#src-")}
    assert cites <= set(facts.ids), f"{rel}: footnotes without a source entry: {cites - set(facts.ids)}"
    return facts


def test_fixture_pages(site):
    assert run_build(site).returncode == 0
    pages = sorted((site / "_site").rglob("*.html"))
    assert len(pages) == 23  # the economy page (the profile) beside the home page (the site); a zone and its index;
    # peers, rankings and series, empty in the mini site, have their pages too
    for page in pages:
        check_page(page, site / "_site")


@pytest.fixture(scope="module")
def real_site(tmp_path_factory):
    """The real content built once for this module, in a repository with a history (outside git, a build warns)."""
    root = with_history(make_site(tmp_path_factory.mktemp("real"), content=REPO / "content"))
    result = run_build(root)
    assert result.returncode == 0, result.stderr
    return root, result


def test_real_content_builds_with_no_errors_and_no_warnings(real_site):
    _, result = real_site
    assert result.stderr == ""
    assert result.stdout.startswith("Built ")


def test_real_pages_have_title_description_lang_h1_nav_and_sources(real_site):
    root, _ = real_site
    pages = sorted((root / "_site").rglob("*.html"))
    assert len(pages) > 30
    for page in pages:
        check_page(page, root / "_site")


def test_every_shown_figure_cites_its_source(real_site):
    root, _ = real_site
    for page in (root / "_site").rglob("*.html"):
        html = page.read_text()
        for m in re.finditer(r'<span class="fig"[^>]*>[^<]*</span>(<sup class="cite">)?', html):
            assert m.group(1), f"{page}: figure without a footnote: {m.group(0)}"


def test_changing_one_figure_changes_it_everywhere(tmp_path):
    root = make_site(tmp_path / "s", content=REPO / "content")
    before = (root / "content/events.yaml").read_text()
    assert before.count("value: 217\n") == 1
    # An editor changes the value and the source's words quoted with it (the build checks that they agree).
    after = before.replace("value: 217\n", "value: 218\n").replace('"217 projects involving', '"218 projects involving')
    (root / "content/events.yaml").write_text(after)
    result = run_build(root)
    assert result.returncode == 0, result.stderr
    # Source titles are quoted as published ("... sees 217 projects signed ..."): they are not our figure. JSON-LD
    # holds no figure, only such titles.
    titles = re.compile(
        r'<li id="src-[^"]*">.*?(?=<time|<span class="reliability)|<script type="application/ld\+json">'
        r".*?</script>",
        re.S,
    )
    pages = {
        p.relative_to(root / "_site").as_posix(): titles.sub("", p.read_text())
        for p in (root / "_site").rglob("*.html")
    }
    # (217 as a number of its own: not the decimals of another, 208.217, nor a drawing's coordinate, y="217")
    assert not [name for name, html in pages.items() if re.search(r'(?<![\d.="])217(?![\d.])', html)]
    showing = sorted(name for name, html in pages.items() if "218 projects" in html)
    for expected in (
        "index.html",
        "summits/index.html",
        "summits/summit-2023/index.html",
        "news/2023-jiangyin-development-summit/index.html",
        "sources/index.html",
    ):
        assert expected in showing
