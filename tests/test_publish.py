"""Publishing files and checks on the fixture site: sitemap, robots.txt, Atom feed, .nojekyll, CNAME, canonical and
OpenGraph meta, fingerprinted CSS, the in-memory link check, and the committed images."""

from __future__ import annotations

import hashlib
import importlib.util
import re
import struct
import xml.etree.ElementTree as ET

import pytest
from conftest import REPO, build, edit, make_site, run_build, tree_bytes

from sitegen.errors import Problems
from sitegen.output.links import check_links, inspector
from sitegen.output.publish import minify_css

BASE = "https://user.github.io/repo/"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The fixture site built once for a project subpath: its output folder (tests only read it)."""
    site = make_site(tmp_path_factory.mktemp("published") / "site")
    result = run_build(site, "--base-url", BASE)
    assert result.returncode == 0, result.stderr
    return site / "_site"


def page_urls(out) -> set[str]:
    """The public URL of every HTML page of a built site except the 404 page."""
    rels = [p.relative_to(out).as_posix() for p in out.rglob("*.html") if p.name != "404.html"]
    return {BASE + r.removesuffix("index.html") for r in rels}


# sitemap.xml, robots.txt, feed.xml, .nojekyll, CNAME


def test_sitemap_lists_every_page_once_with_absolute_urls(built):
    urls = ET.parse(built / "sitemap.xml").getroot().findall(f"{SITEMAP}url")
    locs = [u.findtext(f"{SITEMAP}loc") for u in urls]
    assert len(locs) == len(set(locs)) and set(locs) == page_urls(built)
    assert {u.findtext(f"{SITEMAP}lastmod") for u in urls} == {"2024-01-02"}  # site.updated, later than the article


def test_robots_txt_points_to_the_sitemap(built):
    assert (built / "robots.txt").read_text() == f"User-agent: *\nAllow: /\n\nSitemap: {BASE}sitemap.xml\n"


def test_atom_feed_of_the_articles(built):
    feed = ET.parse(built / "feed.xml").getroot()
    assert feed.tag == f"{ATOM}feed"
    assert feed.findtext(f"{ATOM}id") == BASE + "feed.xml"
    assert feed.find(f"{ATOM}link[@rel='self']").get("href") == BASE + "feed.xml"
    assert feed.find(f"{ATOM}link[@rel='alternate']").get("href") == BASE + "news/"
    assert feed.findtext(f"{ATOM}updated") == "2023-10-31T00:00:00Z"
    [entry] = feed.findall(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}title") == "The summit in brief"
    assert entry.find(f"{ATOM}link").get("href") == entry.findtext(f"{ATOM}id") == BASE + "news/summit/"
    assert entry.findtext(f"{ATOM}published") == "2023-10-31T00:00:00Z"
    assert entry.findtext(f"{ATOM}summary") == "What was signed at the summit."


def test_feed_is_linked_from_every_head_and_the_news_page(built):
    link = '<link rel="alternate" type="application/atom+xml" title="Mini Profile: News" href="/repo/feed.xml">'
    assert all(link in p.read_text() for p in built.rglob("*.html"))
    assert '<a href="/repo/feed.xml" type="application/atom+xml">' in (built / "news/index.html").read_text()


def test_nojekyll_and_no_cname_without_a_domain(built):
    assert (built / ".nojekyll").read_bytes() == b""
    assert not (built / "CNAME").exists()


def test_cname_for_a_custom_domain(site):
    edit(site, "content/site.yaml", "languages: [en]", "languages: [en]\ndomain: jiangyin.example.org")
    assert run_build(site, "--base-url", "https://jiangyin.example.org/").returncode == 0
    assert (site / "_site/CNAME").read_text() == "jiangyin.example.org\n"
    assert 'href="/projects/"' in (site / "_site/index.html").read_text()


def test_domain_must_be_a_bare_host_name(site):
    edit(site, "content/site.yaml", "languages: [en]", "languages: [en]\ndomain: https://jiangyin.example.org/")
    result = run_build(site)
    assert result.returncode == 1
    assert (
        "content/site.yaml:5:9: error: 'https://jiangyin.example.org/' is not a host name\n"
        "  hint: write only the host name, e.g. 'jiangyin.example.org'"
    ) in result.stderr


# canonical, OpenGraph, Twitter card, icons


def head_of(path) -> str:
    return path.read_text().split("</head>")[0]


def test_every_page_has_an_absolute_canonical_url_and_social_meta(built):
    for url in page_urls(built):
        rel = url.removeprefix(BASE)
        head = head_of(built / (rel + "index.html" if rel.endswith("/") or not rel else rel))
        assert re.findall(r'<link rel="canonical" href="([^"]+)">', head) == [url]
        assert f'<meta property="og:url" content="{url}">' in head
        assert f'<meta property="og:image" content="{BASE}social.png">' in head
        assert '<meta name="twitter:card" content="summary_large_image">' in head
        assert re.search(r'<meta property="og:title" content="[^"]+">', head)
        for icon in ("favicon.ico", "favicon.svg", "apple-touch-icon.png"):
            assert f'href="/repo/{icon}"' in head and (built / icon).is_file()
    article = head_of(built / "news/summit/index.html")
    assert '<meta property="og:type" content="article">' in article
    assert '<meta property="og:description" content="What was signed at the summit.">' in article


def test_404_page_is_not_indexed_and_has_no_canonical(built):
    head = head_of(built / "404.html")
    assert '<meta name="robots" content="noindex">' in head and "canonical" not in head


def test_social_image_and_icons_have_the_sizes_browsers_expect():
    def png_size(data: bytes) -> tuple[int, int]:
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        return struct.unpack(">II", data[16:24])

    assert png_size((REPO / "static/social.png").read_bytes()) == (1200, 630)
    assert png_size((REPO / "static/apple-touch-icon.png").read_bytes()) == (180, 180)
    ico = (REPO / "static/favicon.ico").read_bytes()
    assert ico[:6] == b"\0\0\1\0\1\0" and png_size(ico[22:]) == (32, 32)


def test_social_card_shows_names_and_no_figure():
    spec = importlib.util.spec_from_file_location("make_images", REPO / "tools/make_images.py")
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    html = tool.card_html("Jiangyin Economic Profile", "A tagline", "江阴市", "<svg></svg>")
    text = re.sub(r"<style>.*?</style>|<[^>]+>", " ", html, flags=re.S)
    assert "Jiangyin Economic Profile" in text and "江阴市" in text and not re.search(r"\d", text)


# fingerprinted CSS


def test_stylesheet_is_published_minified_under_a_hash_of_its_bytes(built):
    published = minify_css((REPO / "static/style.css").read_bytes())
    digest = hashlib.sha256(published).hexdigest()[:8]
    assert [p.name for p in built.glob("*.css")] == [f"style.{digest}.css"]
    assert (built / f"style.{digest}.css").read_bytes() == published
    assert b"/*" not in published and b"\n" not in published[:-1]
    assert len(published) < 0.9 * (REPO / "static/style.css").stat().st_size
    for page in built.rglob("*.html"):
        assert f'<link rel="stylesheet" href="/repo/style.{digest}.css">' in page.read_text(), page


def test_minifying_keeps_strings_selectors_and_media_queries_as_they_mean():
    css = (
        b'a :hover, b > i { content: "* ";  color:  red ; } /* note */\n'
        b'@media (min-width: 40em) { .x { margin: 0 auto; } }\n.q::before { content: ": ;} /* x */"; }\n'
    )
    assert minify_css(css) == (
        b'a :hover,b>i{content:"* ";color:red}@media (min-width:40em){.x{margin:0 auto}}'
        b'.q::before{content:": ;} /* x */"}\n'
    )


def test_css_edit_renames_the_file_everywhere_also_incrementally(tmp_path):
    root = make_site(tmp_path / "site")
    state = build(root, root / "_inc").state
    old = {p.name for p in (root / "_inc").glob("*.css")}
    (root / "static/style.css").write_text((root / "static/style.css").read_text() + "\n.x { color: red; }\n")
    result = build(root, root / "_inc", last=state)
    new = {p.name for p in (root / "_inc").glob("*.css")}
    assert len(new) == 1 and new != old  # the old name is gone: no stale stylesheet left behind
    assert result.rendered == result.pages  # every page links the stylesheet
    build(root, tmp_path / "full")
    assert tree_bytes(root / "_inc") == tree_bytes(tmp_path / "full")


# the link check


def links_of(pages: dict[str, str], base_url: str, problems: Problems) -> int:
    """Check the links of some pages (path -> HTML) among their paths, as a build does; return how many."""
    inspect = inspector(base_url)
    infos = {dest: inspect(dest, html.encode()) for dest, html in pages.items() if dest.endswith(".html")}
    return check_links(infos, set(pages), base_url, "_site", problems, read=lambda dest: pages[dest].encode())


def test_link_check_resolves_relative_root_relative_and_absolute_links():
    outputs = {
        "index.html": '<p id="top"><a href="a/">a</a> <a href="/repo/a#x">a</a> <a href="#top">top</a>\n'
        '<a href="https://h.example/repo/a/">abs</a> <a href="https://h.example/other-repo/">other</a>\n'
        '<a href="mailto:x@example.org">m</a> <a href="https://elsewhere.example/">e</a></p>',
        "a/index.html": '<h1 id="x">x</h1><a href="../">up</a> <link href="../style.css"> <a href="/repo">root</a>',
        "style.css": "",
    }
    problems = Problems()
    # the other project, mailto and elsewhere are not ours
    assert links_of(outputs, "https://h.example/repo/", problems) == 7
    assert problems.errors == []


def test_links_within_a_page_are_judged_at_once_and_only_broken_ones_kept():
    """A page's links to itself (its contents list, its skip link) are checked against its own ids as it is read:
    the link check keeps only the broken ones for later, so 10,000 pages' anchors are not all held in memory."""
    html = (
        '<main id="main"><a href="#main">skip</a> <a href="#sec-1">1</a> <a href="/repo/p/#sec-1">1 again</a>\n'
        '<h2 id="sec-1">One</h2> <a href="#">top</a> <a href="#sec-2">2</a> <a href="../">up</a></main>'
    )
    info = inspector("https://h.example/repo/")("p/index.html", html.encode())
    assert info.links == 6
    assert info.targets == (("/repo/p/", "sec-2", ""), ("/repo/", "", ""))
    problems = Problems()
    assert links_of({"p/index.html": html, "index.html": "<p>home</p>"}, "https://h.example/repo/", problems) == 6
    assert [e.format().splitlines()[0] for e in problems.errors] == [
        "_site/p/index.html:2:45: error: broken link '#sec-2' on /repo/p/: /repo/p/ has no element with id 'sec-2'"
    ]


def test_link_check_names_page_line_column_and_why():
    outputs = {
        "index.html": '<p>\n  <a href="missing/">m</a> <a href="/style.css">s</a>\n<a href="a/#nope">n</a></p>',
        "a/index.html": '<p><a href="../missing/">m</a></p>',
        "style.css": "",
    }
    problems = Problems()
    links_of(outputs, "https://h.example/repo/", problems)
    assert [e.format().splitlines()[0] for e in problems.errors] == [
        "_site/a/index.html:1:4: error: broken link '../missing/' on /repo/a/ (and on 1 more page): "
        "no page or file at /repo/missing/",
        "_site/index.html:2:28: error: broken link '/style.css' on /repo/: it leaves the base path /repo/, "
        "so it breaks when the site is served there",
        "_site/index.html:3:1: error: broken link 'a/#nope' on /repo/: /repo/a/ has no element with id 'nope'",
    ]


def test_link_check_reads_a_name_anchors_meta_urls_and_single_quotes_but_not_comments():
    outputs = {
        "index.html": '<meta name="viewport" content="width=device-width">\n'
        '<meta property="og:url" content="https://h.example/repo/gone/">\n'
        '<!-- <a href="commented-out/">x</a> <a id="hidden"></a> -->\n'
        "<a href='a/#old'>old anchor</a> <a href=\"#hidden\">h</a>",
        "a/index.html": '<p><a class="x" name="old"></a></p>',
    }
    problems = Problems()
    links_of(outputs, "https://h.example/repo/", problems)
    assert [e.format().splitlines()[0] for e in problems.errors] == [
        "_site/index.html:2:1: error: broken link 'https://h.example/repo/gone/' on /repo/: no page or file at "
        "/repo/gone/",
        "_site/index.html:4:33: error: broken link '#hidden' on /repo/: /repo/ has no element with id 'hidden'",
    ]


def test_check_and_build_fail_on_planted_broken_links_and_leave_the_site(site):
    mini = ("--base-url", "https://example.org/mini/")
    assert run_build(site, *mini).returncode == 0
    before = tree_bytes(site / "_site")
    edit(
        site,
        "templates/news.html",
        "{% block content %}",
        "{% block content %}\n<a href=\"{{ url('no-such/') }}\">x</a>",
    )
    edit(site, "templates/404.html", "{% block content %}", '{% block content %}\n<img src="/logo.png" alt="">')
    edit(
        site,
        "content/articles/summit.md",
        "## The flagship",
        "See the [sources](../../sources/#src-nope).\n\n## The flagship",
    )
    for command in ("check", "build"):
        result = run_build(site, command, *mini)
        assert result.returncode == 1 and result.stderr.rstrip().splitlines()[-1].startswith("Failed: 3 errors")
        errors = [line for line in result.stderr.splitlines() if ": error: " in line]
        assert re.fullmatch(
            r"_site/404\.html:\d+:1: error: broken link '/logo\.png' on /mini/404\.html: it leaves "
            r"the base path /mini/, so it breaks when the site is served there",
            errors[0],
        )
        assert re.fullmatch(
            r"_site/news/index\.html:\d+:1: error: broken link '/mini/no-such/' on /mini/news/: "
            r"no page or file at /mini/no-such/",
            errors[1],
        )
        assert errors[2] == (
            "content/articles/summit.md:9:19: error: broken link '../../sources/#src-nope' on "
            "/mini/news/summit/: /mini/sources/ has no element with id 'src-nope'"
        )  # its Markdown line
        assert tree_bytes(site / "_site") == before


def test_link_check_reads_links_as_a_browser_does_unquoted_and_in_capitals():
    """Issue 24 item 4: the link check parses HTML (Lexbor, through selectolax): an unquoted or upper-case attribute
    is a link like any other, and an entity in it is decoded."""
    outputs = {
        "index.html": '<p>\n<A HREF=/repo/no-such-page/>x</A> <a href="a/?x=1&amp;y=2#top">a</a>\n'
        "<img SRC='/repo/gone.png' alt=''></p>",
        "a/index.html": "<h1 ID=top>t</h1>",
    }
    problems = Problems()
    assert links_of(outputs, "https://h.example/repo/", problems) == 3
    assert [e.format().splitlines()[0] for e in problems.errors] == [
        "_site/index.html:2:1: error: broken link '/repo/no-such-page/' on /repo/: no page or file at "
        "/repo/no-such-page/",
        "_site/index.html:3:1: error: broken link '/repo/gone.png' on /repo/: no page or file at /repo/gone.png",
    ]


def test_link_check_catches_an_anchor_that_vanished_from_another_page():
    pages = {"index.html": '<a href="a/#x">a</a>', "a/index.html": '<h1 id="x">x</h1><a href="../">up</a>'}
    problems = Problems()
    assert (links_of(pages, "https://h.example/repo/", problems), problems.errors) == (2, [])
    pages["a/index.html"] = '<h1 id="y">renamed</h1>'
    links_of(pages, "https://h.example/repo/", problems)
    assert [e.message.split(":")[0] for e in problems.errors] == ["broken link 'a/#x' on /repo/"]
