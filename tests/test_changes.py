"""What changed (issue 17): the /changes/ page and changes.xml in each language, made from the git history of
content/ in a test repository with fixed commit dates; the "changed on" note beside a figure's anchor; no history
(outside git, a shallow clone): a warning, a page that says so, exit 0; two builds of one commit byte-identical."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import REPO, commit, edit, git, make_site, run_build, tree_bytes
from test_languages import bilingual_site

from sitegen.content import history
from sitegen.content.kinds import load_registry
from sitegen.errors import Problems

BASE = "https://example.org/mini/"
NO_HISTORY = "content/: warning: no history of the content is available ({}): the changes page says so"


NEW_PROJECT = """- id: test-line
  name: Test assembly line
  name_zh: 测试装配线
  company: chipco
  industry: chips
  status: [signed]
  year: 2023
  summary: An assembly line signed for the tests.
  summary_zh: 为测试签约的装配线。
  source: release
"""
NEW_SOURCE = """- id: bureau
  title: A statistics bureau bulletin
  publisher: Mini Statistics Bureau
  publisher_zh: 小城统计局
  date: 2023-09-01
  url: https://example.org/bulletin
  kind: official-statistics
  language: en
  reliability: high
"""


def history_site(tmp_path: Path) -> Path:
    """The bilingual mini site in a git repository: first published on 2022-05-01, then four publish dates (site
    updated 2024-01-02): a GDP value more than a year before (no note), figure changes, items and a source (two
    commits on one date), and a text-only edit."""
    root = bilingual_site(tmp_path)
    commit(root, "2022-05-01", "The mini site")
    edit(root, "content/profile.yaml", "value: 458.033", "value: 460")
    commit(root, "2022-11-30", "GDP 2021 revised")
    edit(root, "content/events.yaml", "value: 217", "value: 218")
    edit(root, "content/events.yaml", "qualifier: over", "qualifier: about")
    edit(root, "content/events.yaml", "total investment over 100", "total investment about 100")  # as its quote
    edit(root, "content/profile.yaml", "as_of: 2010\n    source: paper", "as_of: 2020\n    source: release")
    commit(root, "2023-06-15", "Summit projects, investment qualifier; population as of 2020")
    projects = (root / "content/projects.yaml").read_text()
    (root / "content/projects.yaml").write_text(NEW_PROJECT)  # chip-line goes, test-line comes
    assert projects.startswith("- id: chip-line")
    commit(root, "2023-09-20", "Projects: test-line for chip-line")
    with (root / "content/sources.yaml").open("a") as f:
        f.write(NEW_SOURCE)
    edit(root, "content/projects.yaml", "source: release", "source: bureau")
    commit(root, "2023-09-20", "Source: the bureau's bulletin")
    edit(root, "content/companies.yaml", "summary: A chip packaging firm.", "summary: A firm that packages chips.")
    commit(root, "2023-12-05", "ChipCo's summary reworded")
    return root


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """The history site built once for its public address."""
    root = history_site(tmp_path_factory.mktemp("history"))
    result = run_build(root, "--base-url", BASE)
    assert result.returncode == 0, result.stderr
    assert result.stderr == "", result.stderr  # a full history: no warning
    return root


def main_of(html: str) -> str:
    """The <main> of a page, its lines stripped."""
    main = html[html.index('<main id="main"') : html.index("</main>")]
    return "\n".join(line.strip() for line in main.splitlines() if line.strip())


def section(html: str, anchor: str) -> str:
    """One date's entry on the changes page."""
    return re.search(rf'<section class="change" id="{anchor}".*?</section>', main_of(html), re.S).group(0)


def test_history_reads_the_change_entries(built):
    found = history.read(built, load_registry(built, Problems()), *history.head(built))
    assert [e.anchor for e in found.entries] == [
        "change-2023-12-05",
        "change-2023-09-20",
        "change-2023-06-15",
        "change-2022-11-30",
        "change-2022-05-01",
    ]
    text, items, figures, older, first = found.entries
    assert (text.figures, text.added, text.removed, text.sources, text.edits) == ((), (), (), (), (("companies", 1),))
    assert [(i.kind, i.id) for i in items.added] == [("projects", "test-line")]
    assert [(i.kind, i.id, i.name("zh")) for i in items.removed] == [
        ("projects", "chip-line", "中Wafer-level packaging line")
    ]
    assert [i.id for i in items.sources] == ["bureau"] and len(items.commits) == 2  # two commits, one date
    assert [(c.key, c.fields) for c in figures.figures] == [
        ("events.summit-2023.investment", ("value",)),
        ("events.summit-2023.projects", ("value",)),
        ("profile.figures.population", ("as_of", "source")),
    ]
    assert [(c.key, str(c.old.value), str(c.new.value)) for c in older.figures] == [
        ("profile.gdp.2021", "458.033", "460")
    ]
    assert first.first == (
        ("industries", 2),
        ("companies", 1),
        ("projects", 1),
        ("events", 1),
        ("articles", 1),
        ("sources", 2),
        ("zones", 1),
        ("indicators", 1),
    )
    assert set(found.marks) == {
        "events.summit-2023.investment",
        "events.summit-2023.projects",
        "profile.figures.population",
        "profile.gdp.2021",
    }


def test_the_changes_page_lists_each_date_in_english(built):
    html = (built / "_site/changes/index.html").read_text()
    assert section(html, "change-2023-06-15") == (
        '<section class="change" id="change-2023-06-15" aria-labelledby="change-2023-06-15-heading">\n'
        '<h2 id="change-2023-06-15-heading"><time datetime="2023-06-15">15 June 2023</time></h2>\n'
        "<h3>Figures changed</h3>\n<ul>\n"
        '<li><bdi><a href="/mini/summits/summit-2023/#fact-events-summit-2023-investment">Fourth Mini Development '
        "Summit: 2023 summit: planned investment</a></bdi>: <del>over 100 billion yuan</del> → "
        "<ins>about 100 billion yuan</ins></li>\n"
        '<li><bdi><a href="/mini/summits/summit-2023/#fact-events-summit-2023-projects">Fourth Mini Development '
        "Summit: 2023 summit: projects</a></bdi>: <del>217 projects</del> → <ins>218 projects</ins></li>\n"
        '<li><bdi><a href="/mini/economy/#fact-profile-figures-population">Mini City: Population</a></bdi>: as-of '
        'date: <del><time datetime="2010">2010</time></del> → <ins><time datetime="2020">2020</time></ins>; Source: '
        '<del><bdi><a href="/mini/sources/#src-paper">A newspaper report</a></bdi></del> → '
        '<ins><bdi><a href="/mini/sources/#src-release">A press release</a></bdi></ins></li>\n'
        "</ul>\n<p>Other edits (text and details, counted, not listed): summits (1).</p>\n</section>"
    )  # the quote
    assert section(html, "change-2023-09-20") == (
        '<section class="change" id="change-2023-09-20" aria-labelledby="change-2023-09-20-heading">\n'
        '<h2 id="change-2023-09-20-heading"><time datetime="2023-09-20">20 September 2023</time></h2>\n'
        '<h3>Added</h3>\n<ul>\n<li>projects: <bdi><a href="/mini/projects/test-line/">Test assembly line</a></bdi>'
        "</li>\n</ul>\n<h3>Removed</h3>\n<ul>\n<li>projects: <bdi>Wafer-level packaging line</bdi></li>\n</ul>\n"
        '<h3>Sources added</h3>\n<ul>\n<li><bdi><a href="/mini/sources/#src-bureau">A statistics bureau bulletin</a>'
        "</bdi></li>\n</ul>\n</section>"
    )
    assert section(html, "change-2023-12-05") == (
        '<section class="change" id="change-2023-12-05" aria-labelledby="change-2023-12-05-heading">\n'
        '<h2 id="change-2023-12-05-heading"><time datetime="2023-12-05">5 December 2023</time></h2>\n'
        "<p>Other edits (text and details, counted, not listed): companies (1).</p>\n</section>"
    )
    assert (
        '<bdi><a href="/mini/economy/#fact-profile-gdp-2021">Mini City: GDP 2021</a></bdi>: '
        "<del>458.033 billion yuan</del> → <ins>460 billion yuan</ins>"
    ) in section(html, "change-2022-11-30")
    assert (
        "<p>First publication of the data: industries (2), companies (1), projects (1), summits (1), "
        "articles (1), sources (2), development zones (1), indicators of the home page panel (1).</p>"
        in section(html, "change-2022-05-01")
    )
    assert (
        '<link rel="alternate" type="application/atom+xml" title="Mini Profile: What changed" '
        'href="/mini/changes.xml">' in html
    )


def test_the_changes_page_lists_each_date_in_chinese(built):
    html = (built / "_site/zh/changes/index.html").read_text()
    assert (
        '<li><bdi><a href="/mini/zh/summits/summit-2023/#fact-events-summit-2023-projects">中Fourth Mini '
        "Development Summit：中2023 summit: 中projects</a></bdi>：<del>217个项目</del> → "
        "<ins>218个项目</ins></li>"
    ) in html
    assert "<del>超过1000亿元</del> → <ins>约1000亿元</ins>" in html
    assert '<li>中projects：<bdi><a href="/mini/zh/projects/test-line/">测试装配线</a></bdi></li>' in html
    assert "<li>中projects：<bdi>中Wafer-level packaging line</bdi></li>" in html
    assert '<h2 id="change-2023-12-05-heading"><time datetime="2023-12-05">2023年12月5日</time></h2>' in html


def test_every_link_of_the_changes_page_reaches_an_anchor_that_exists(built):
    out = built / "_site"
    for rel in ("changes/index.html", "zh/changes/index.html"):
        for href in re.findall(r'href="(/mini/[^"]*#[^"]+)"', (out / rel).read_text()):
            path, anchor = href.removeprefix("/mini/").split("#")
            assert f'id="{anchor}"' in (out / path / "index.html").read_text(), href


def test_a_figure_changed_within_the_year_says_so_beside_its_anchor(built):
    out = built / "_site"
    summit = (out / "summits/summit-2023/index.html").read_text()
    note = '<span class="changed"> (<a href="/mini/changes/#change-2023-06-15">changed on 15 June 2023</a>)</span>'
    assert summit.count(note) == 2  # projects and investment, once each
    assert re.search(r'<dd id="fact-events-summit-2023-projects">.*?' + re.escape(note) + "</dd>", summit)
    home = (out / "economy/index.html").read_text()  # the profile's figures
    assert re.search(r'<tr id="fact-profile-figures-population">.*?' + re.escape(note) + "</td></tr>", home)
    assert "change-2022-11-30" not in home  # GDP 2021 changed more than a year before the site's update date
    zh = (out / "zh/summits/summit-2023/index.html").read_text()  # mini's zh strings with {placeholders}: English
    note = '<span class="changed">（<a href="/mini/zh/changes/#change-2023-06-15">changed on 2023年6月15日</a>）</span>'
    assert zh.count(note) == 2


def test_the_changes_feed_has_an_entry_per_date_in_each_language(built):
    for prefix, lang, title in (
        ("", "en", "Data changes of 15 June 2023"),
        ("zh/", "zh-Hans", "Data changes of 2023年6月15日"),
    ):
        feed = ET.parse(built / "_site" / f"{prefix}changes.xml").getroot()
        ns = {"a": "http://www.w3.org/2005/Atom"}
        assert feed.get("{http://www.w3.org/XML/1998/namespace}lang") == lang
        entries = feed.findall("a:entry", ns)
        assert [e.find("a:updated", ns).text for e in entries] == [
            "2023-12-05T00:00:00Z",
            "2023-09-20T00:00:00Z",
            "2023-06-15T00:00:00Z",
            "2022-11-30T00:00:00Z",
            "2022-05-01T00:00:00Z",
        ]
        assert entries[2].find("a:title", ns).text == title
        assert entries[2].find("a:id", ns).text == f"{BASE}{prefix}changes/#change-2023-06-15"
        assert (
            f'href="{BASE}{prefix}summits/summit-2023/#fact-events-summit-2023-projects"'
            in entries[2].find("a:content", ns).text
        )
    assert '<a href="/mini/changes/">' in (built / "_site/data/index.html").read_text()


def test_two_builds_of_one_commit_are_byte_identical_and_an_edit_after_a_commit_equals_a_fresh_build(built, tmp_path):
    first = tree_bytes(built / "_site")
    again = run_build(built, "--base-url", BASE, "--fresh", "--out", str(tmp_path / "again"))
    assert again.returncode == 0 and again.stderr == ""
    assert tree_bytes(tmp_path / "again") == first
    clone = tmp_path / "clone"
    shutil.copytree(built, clone)
    assert run_build(clone, "--base-url", BASE).returncode == 0  # the cache, at the same commit
    edit(clone, "content/events.yaml", "value: 218", "value: 219")
    commit(clone, "2023-12-20", "Summit projects again")
    assert run_build(clone, "--base-url", BASE).returncode == 0  # incremental: the history moved with HEAD
    assert run_build(clone, "--base-url", BASE, "--fresh", "--out", str(tmp_path / "fresh")).returncode == 0
    assert tree_bytes(clone / "_site") == tree_bytes(tmp_path / "fresh")
    html = (clone / "_site/changes/index.html").read_text()
    assert "<del>218 projects</del> → <ins>219 projects</ins>" in html
    assert (
        'href="/mini/changes/#change-2023-12-20">changed on 20 December 2023'
        in (clone / "_site/summits/summit-2023/index.html").read_text()
    )


def test_uncommitted_edits_are_not_history(built, tmp_path):
    clone = tmp_path / "clone"
    shutil.copytree(built, clone)
    edit(clone, "content/events.yaml", "value: 218", "value: 300")
    assert run_build(clone, "--base-url", BASE).returncode == 0
    html = (clone / "_site/changes/index.html").read_text()
    assert "300 projects" not in html and "<del>217 projects</del> → <ins>218 projects</ins>" in html


def no_history(root: Path, reason: str, env: dict | None = None) -> None:
    """Build: exit 0, one warning naming the reason, and a changes page and feed that say so."""
    result = subprocess.run(
        [sys.executable, str(REPO / "build.py"), "--root", str(root)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines()[0] == NO_HISTORY.format(reason), result.stderr
    assert result.stderr.count("warning:") == 1 and result.stdout.rstrip().endswith(", 1 warning.")
    html = (root / "_site/changes/index.html").read_text()
    assert "No history of the data is available for this build" in html and '<section class="change"' not in html
    assert "<entry>" not in (root / "_site/changes.xml").read_text()
    assert 'class="changed"' not in "".join(p.read_text() for p in (root / "_site").rglob("*.html"))


def test_outside_git_the_build_warns_and_the_page_says_no_history(tmp_path):
    no_history(make_site(tmp_path / "site"), "the project is not in a git repository")


def test_a_shallow_clone_warns_and_the_page_says_no_history(built, tmp_path):
    shallow = tmp_path / "shallow"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", f"file://{built}", str(shallow)], check=True, capture_output=True
    )
    no_history(shallow, "the repository is a shallow clone")


def test_without_git_installed_the_build_warns_and_the_page_says_no_history(built, tmp_path):
    clone = tmp_path / "clone"
    shutil.copytree(built, clone)
    no_history(clone, "git is not installed", dict(os.environ, PATH=str(tmp_path / "nowhere")))


def test_old_versions_that_do_not_validate_are_read_leniently(tmp_path):
    root = make_site(tmp_path / "site")
    (root / "content/events.yaml").write_text(
        "- id: summit-2023\n  projects: {value: 1_000, unit: widgets}\n  investment: [not, a, figure]\n"
    )
    (root / "content/profile.yaml").write_text("gdp: {2021: {value: [1, 2], unit: CNY}}\nfigures: &a [*a]\n")
    (root / "content/sources.yaml").write_text("- id: release\n  title: [broken\n")
    commit(root, "2022-05-01", "An older schema")
    make_site(tmp_path / "fresh")
    for name in ("events.yaml", "profile.yaml", "sources.yaml"):
        shutil.copy(tmp_path / "fresh/content" / name, root / "content" / name)
    commit(root, "2022-06-01", "Today's schema")
    found = history.read(root, load_registry(root, Problems()), *history.head(root))
    change = found.entries[0]
    assert [(c.key, str(c.old.value), c.old.unit, str(c.new.value)) for c in change.figures] == [
        ("events.summit-2023.projects", "1000", "widgets", "217")
    ]
    result = run_build(root)
    assert result.returncode == 0 and result.stderr == "", result.stderr
    assert "<del>1000 widgets</del> → <ins>217 projects</ins>" in (root / "_site/changes/index.html").read_text()


def test_a_project_in_a_folder_of_its_repository(tmp_path):
    repo = tmp_path / "repo"
    root = make_site(repo / "site")
    git(repo, "init", "-q", "-b", "main")
    (repo / ".gitignore").write_text("_site/\n.cache/\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "The site, in a folder", date="2023-01-01")
    edit(root, "content/events.yaml", "value: 217", "value: 218")
    git(repo, "commit", "-q", "-am", "Summit projects", date="2023-06-15")
    result = run_build(root)
    assert result.returncode == 0 and result.stderr == "", result.stderr
    assert "<del>217 projects</del> → <ins>218 projects</ins>" in (root / "_site/changes/index.html").read_text()


def test_head_read_from_the_repositorys_files_is_what_git_says(built, tmp_path):
    clone = tmp_path / "clone"
    shutil.copytree(built, clone)
    repo = tmp_path / "repo"
    make_site(repo / "site")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "The site, in a folder", date="2023-01-01")
    seen = []
    for root, step in [
        (clone, None),
        (clone, ("pack-refs", "--all")),
        (clone, ("checkout", "-q", "--detach")),
        (repo / "site", None),
    ]:
        if step:
            git(clone, *step)
        seen.append(history._head_from_files(root))
        assert seen[-1] is not None and seen[-1] == history._head_from_git(root), step
    assert seen[-1][0].endswith(":site/") and seen[0] == seen[1] == seen[2]
    (clone / ".git/HEAD").write_text("ref: refs/heads/.invalid\n")  # as a ref table leaves it: git is asked
    assert history._head_from_files(clone) is None


def test_the_history_is_the_same_whatever_the_editors_git_settings(built):
    first = history.read(built, load_registry(built, Problems()), *history.head(built))
    env = dict(
        os.environ,
        GIT_CONFIG_COUNT="2",
        GIT_CONFIG_KEY_0="log.showRoot",
        GIT_CONFIG_VALUE_0="false",
        GIT_CONFIG_KEY_1="diff.noprefix",
        GIT_CONFIG_VALUE_1="true",
    )
    saved = dict(os.environ)
    try:
        os.environ.update(env)
        again = history.read(built, load_registry(built, Problems()), *history.head(built))
    finally:
        os.environ.clear()
        os.environ.update(saved)
    assert again.entries == first.entries and len(first.entries) == 5


def test_a_feed_string_with_a_placeholder_the_code_does_not_give_is_an_error_at_its_line(built, tmp_path):
    clone = tmp_path / "clone"
    shutil.copytree(built, clone)
    edit(clone, "content/i18n/en.yaml", 'changes_entry: "Data changes of {date}"', 'changes_entry: "Changes of {day}"')
    result = run_build(clone)
    line = next(
        i
        for i, text in enumerate((clone / "content/i18n/en.yaml").read_text().splitlines(), 1)
        if text.startswith("changes_entry:")
    )
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith(
        f"content/i18n/en.yaml:{line}:16: error: string 'changes_entry' has the unknown "
        "placeholder {day}\n  hint: placeholders it can use: {date}"
    ), result.stderr


def test_a_file_the_build_does_not_read_is_no_item_of_the_history(tmp_path):
    root = make_site(tmp_path / "site")
    commit(root, "2022-05-01", "First")
    article = next((root / "content/articles").glob("*.md")).read_text()
    (root / "content/articles/drafts").mkdir()
    (root / "content/articles/drafts/next.md").write_text(article)  # a draft the build never reads
    (root / "content/articles/notes.txt").write_text("to do\n")
    commit(root, "2022-06-01", "Drafts")
    entry = history.read(root, load_registry(root, Problems()), *history.head(root)).entries[0]
    assert not entry.added and not entry.removed and entry.date == "2022-06-01"
