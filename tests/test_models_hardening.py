"""Issue 26, hardening round three: mistakes in models/*.yaml, the site's languages, the interface strings and the
editions of an article, each an error at its own file:line:col (exit 1, no traceback, no page lost), never a
traceback, an error blamed on content or on a page that was never written, or a build that passes. Items 7, 8, 12,
13, 14, 16, 17 and the issue's list of what was accepted silently; property runs mutate the models and the strings."""

from __future__ import annotations

import re

import pytest
from conftest import REPO, edit, make_site, run_build
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_hardening import errors_of
from test_properties import BUILD_SECONDS, PLACE, cpu_limit, edit_line

A = "content/articles/2023-jiangyin-development-summit"  # the real content's article, in English and Chinese


def real_site(tmp_path):
    """A copy of the real content (in English and Chinese) with the real models, templates and static files."""
    return make_site(tmp_path / "site", content=REPO / "content")


def first_error(result) -> str:
    """The first error line of a failed build (exit 1, no traceback)."""
    errors = errors_of(result)
    assert errors, result.stderr
    return errors[0]


# 7 and 16: a kind's URL section is a folder of its own: not another kind's, not one the site's own pages, languages
# or search index take, a folder name, and the root only for a single record. Its templates exist.


@pytest.mark.parametrize(
    "new, error",
    [
        (
            "section: companies",
            "models/projects.yaml:8:18: error: section 'companies' is taken by the pages of companies "
            "(models/companies.yaml)",
        ),
        ("section: zh", "models/projects.yaml:8:18: error: section 'zh' is taken by the pages in Chinese"),
        (
            "section: changes",
            "models/projects.yaml:8:18: error: section 'changes' is taken by the changes page (models/pages.yaml)",
        ),
        (
            "section: search",
            "models/projects.yaml:8:18: error: section 'search' is taken by the search page (models/pages.yaml)",
        ),
        (
            "section: data/x",
            "models/projects.yaml:8:18: error: section 'data/x' is taken by the data page (models/pages.yaml)",
        ),
        ("section: pagefind", "models/projects.yaml:8:18: error: section 'pagefind' is taken by the search index"),
        ("section: ../x", "models/projects.yaml:8:18: error: section '../x' is not a folder name"),
        ("section: Pro Jects", "models/projects.yaml:8:18: error: section 'Pro Jects' is not a folder name"),
        (
            "section: /",
            "models/projects.yaml:8:18: error: the pages of projects need a folder of their own: the site's "
            "root holds the home page",
        ),
        ("item: nope.html", "models/projects.yaml:8:34: error: no template 'nope.html' in templates/"),
        ("index: nope.html", "models/projects.yaml:8:55: error: no template 'nope.html' in templates/"),
    ],
    ids=[
        "other-kind",
        "language",
        "changes",
        "search",
        "data",
        "pagefind",
        "dotdot",
        "spaces",
        "root",
        "item",
        "index",
    ],
)
@pytest.mark.parametrize("command", ["check", "build"])
def test_a_kinds_pages_are_checked_at_the_models_line(tmp_path, command, new, error):
    root = make_site(tmp_path / "site")
    key = new.split(":")[0]
    edit(
        root,
        "models/projects.yaml",
        key + ": " + {"section": "projects", "item": "project.html", "index": "projects.html"}[key],
        new,
    )
    assert errors_of(run_build(root, command)) == [error]
    assert not (root / "_site").exists()


def test_the_root_section_is_for_one_record_and_only_one(tmp_path):
    root = make_site(tmp_path / "site")
    edit(root, "models/articles.yaml", "section: news", "section: /")
    assert errors_of(run_build(root)) == [
        "models/articles.yaml:8:18: error: the pages of articles need a folder of their own: the site's root holds the "
        "home page"
    ]
    edit(root, "models/articles.yaml", "section: /", "section: news")
    edit(root, "models/profile.yaml", "section: economy", "section: /")
    assert errors_of(run_build(root)) == [
        "models/profile.yaml:8:18: error: section '/' is taken by the pages of site (models/site.yaml)"
    ]


# 12 and 13: mistakes that ended in a traceback (exit 3), a lost page or an error blamed on content.

MODEL_MISTAKES = {
    "sort-unknown": (
        "models/projects.yaml",
        "per_page: 100}",
        "per_page: 100, sort: nope}",
        "models/projects.yaml:8:99: error: projects has no field 'nope' to sort by",
    ),
    "sort-figure": (
        "models/projects.yaml",
        "per_page: 100}",
        "per_page: 100, sort: investment}",
        "models/projects.yaml:8:99: error: projects cannot be sorted by 'investment': it holds no text, date or number",
    ),
    "sort-optional": (
        "models/projects.yaml",
        "per_page: 100}",
        "per_page: 100, sort: -event}",
        "models/projects.yaml:8:99: error: projects cannot be sorted by 'event': an item may leave it out",
    ),
    "download-sort": (
        "models/events.yaml",
        "sort: date, columns",
        "sort: nope, columns",
        "models/events.yaml:10:27: error: events has no field 'nope' to sort by",
    ),
    "download-rows": (
        "models/projects.yaml",
        "{name: projects, columns",
        "{name: projects, rows: nope, columns",
        "models/projects.yaml:10:28: error: 'rows' is for one record's map of values: projects is a "
        "collection, whose items are the rows",
    ),
    "download-rows-unknown": (
        "models/profile.yaml",
        "rows: gdp",
        "rows: nope",
        "models/profile.yaml:10:23: error: profile has no map field 'nope' to make rows of",
    ),
    "download-key": (
        "models/projects.yaml",
        "{name: projects, columns",
        "{name: projects, key: id, columns",
        "models/projects.yaml:10:27: error: 'key' names the column of a map's keys: it needs 'rows'",
    ),
    "ref-single": (
        "models/projects.yaml",
        "to: companies",
        "to: site",
        "models/projects.yaml:14:28: error: 'site' is not a kind of many items",
    ),
    "ref-one": (
        "models/articles.yaml",
        "to: sources",
        "to: source",
        "models/articles.yaml:14:29: error: 'source' is not a kind of many items",
    ),
    "ref-unknown": (
        "models/projects.yaml",
        "to: companies",
        "to: firms",
        "models/projects.yaml:14:28: error: no kind is named 'firms'",
    ),
    "ref-without-to": (
        "models/projects.yaml",
        "{type: ref, to: companies,",
        "{type: ref,",
        "models/projects.yaml:14:19: error: a ref field needs 'to'",
    ),
    "when-empty": (
        "models/sources.yaml",
        "  - when: {kind: [encyclopedia]}",
        "  - when: {}",
        "models/sources.yaml:40:5: error: a rule needs one of 'when' and 'unless'",
    ),
    "field-loc": (
        "models/projects.yaml",
        "  notes: {type: notes}",
        "  notes: {type: notes}\n  loc: {type: text}",
        "models/projects.yaml:28:8: error: 'loc' is a name the generator gives every record",
    ),
    "file-absolute": (
        "models/projects.yaml",
        "file: projects.yaml",
        "file: /etc/passwd",
        "models/projects.yaml:6:7: error: '/etc/passwd' is not a path inside content/",
    ),
    "file-outside": (
        "models/projects.yaml",
        "file: projects.yaml",
        "file: ../projects.yaml",
        "models/projects.yaml:6:7: error: '../projects.yaml' is not a path inside content/",
    ),
    "file-a-folder": (
        "models/projects.yaml",
        "file: projects.yaml",
        "file: x.yaml",
        "models/projects.yaml:6:7: error: content/x.yaml is a folder: a kind of shape list reads a file",
    ),
    "folder-a-file": (
        "models/articles.yaml",
        "file: articles",
        "file: site.yaml",
        "models/articles.yaml:6:7: error: content/site.yaml is a file: a kind of shape markdown reads a folder",
    ),
    "file-twice": (
        "models/projects.yaml",
        "file: projects.yaml",
        "file: companies.yaml",
        "models/projects.yaml:6:7: error: content/companies.yaml is read by the kind companies "
        "(models/companies.yaml) already",
    ),
    "no-site": (
        "models/site.yaml",
        None,
        None,
        "models/site.yaml: error: the generator needs a kind 'site' of shape single",
    ),
    "no-strings": (
        "models/strings.yaml",
        None,
        None,
        "models/strings.yaml: error: the generator needs a kind of shape strings (the interface strings, "
        "content/i18n/)",
    ),
    "no-sources": (
        "models/sources.yaml",
        None,
        None,
        "models/sources.yaml: error: the generator needs a kind 'sources' of shape list",
    ),
    "site-field": (
        "models/site.yaml",
        "  updated: {type: date, help: the date the data was last updated}\n",
        "",
        "models/site.yaml:9:3: error: the kind 'site' needs its field 'updated': the generator reads it",
    ),
    "kind-records": (
        "models/projects.yaml",
        "kind: projects",
        "kind: records",
        "models/projects.yaml:2:7: error: 'records' is a name the generator keeps for itself (content.records)",
    ),
    "kind-collections": (
        "models/projects.yaml",
        "kind: projects",
        "kind: collections",
        "models/projects.yaml:2:7: error: 'collections' is a name the generator keeps for itself (content.collections)",
    ),
    "kind-editions": (
        "models/projects.yaml",
        "kind: projects",
        "kind: editions",
        "models/projects.yaml:2:7: error: 'editions' is a name the generator keeps for itself (content.editions)",
    ),
    "kind-figures": (
        "models/projects.yaml",
        "kind: projects",
        "kind: figures",
        "models/projects.yaml:2:7: error: 'figures' is a name the generator keeps for itself (content.figures)",
    ),
    "one-figures": (
        "models/projects.yaml",
        "one: project",
        "one: figures",
        "models/projects.yaml:4:6: error: 'figures' is a name the generator keeps for itself (content.figures)",
    ),
}


@pytest.mark.parametrize("case", MODEL_MISTAKES, ids=list(MODEL_MISTAKES))
def test_a_model_mistake_is_an_error_at_the_models_line(tmp_path, case):
    rel, old, new, error = MODEL_MISTAKES[case]
    root = make_site(tmp_path / "site", {"content/x.yaml/keep": ""})
    if old is None:
        (root / rel).unlink()
    else:
        edit(root, rel, old, new)
    errors = errors_of(run_build(root, "check"))
    assert error in errors and all(e.startswith("models/") for e in errors), errors


# The list of what was accepted silently, in models/.

SILENT = {
    "localized-number": (
        "models/events.yaml",
        "integer: true, minimum: 1,",
        "integer: true, minimum: 1, localized: true,",
        "models/events.yaml:15:65: error: 'localized' means nothing to a number field",
    ),
    "localized-figure": (
        "models/events.yaml",
        "projects: {type: figure,",
        "projects: {type: figure, localized: true,",
        "models/events.yaml:18:39: error: 'localized' means nothing to a figure field",
    ),
    "minimum-text": (
        "models/events.yaml",
        "short_name: {type: text,",
        "short_name: {type: text, minimum: 2,",
        "models/events.yaml:14:37: error: 'minimum' means nothing to a text field",
    ),
    "two-when": (
        "models/sources.yaml",
        "  - when: {kind: [encyclopedia]}",
        "  - when: {kind: [encyclopedia], copy_kind: [mirror]}",
        "models/sources.yaml:40:11: error: a rule's 'when' tests one field, this one 2",
    ),
    "when-unknown": (
        "models/sources.yaml",
        "  - when: {kind: [encyclopedia]}",
        "  - when: {knd: [encyclopedia]}",
        "models/sources.yaml:40:11: error: the rule names 'knd', which is not a field here",
    ),
    "refuse-unknown": (
        "models/sources.yaml",
        'refuse: {reliability: [high]}\n    hint: "an enc',
        'refuse: {reliabilty: [high]}\n    hint: "an enc',
        "models/sources.yaml:41:13: error: the rule names 'reliabilty', which is not a field here",
    ),
    "require-unknown": (
        "models/sources.yaml",
        "require: [copy_url, copy_site]",
        "require: [copy_url, copysite]",
        "models/sources.yaml:47:14: error: the rule names 'copysite', which is not a field here",
    ),
    "nav-duplicate": (
        "models/projects.yaml",
        "nav: 3",
        "nav: 2",
        "models/projects.yaml:8:75: error: navigation "
        "slot 2 is taken by the pages of industries (models/industries.yaml)",
    ),
    "nav-duplicate-page": (
        "models/projects.yaml",
        "nav: 3",
        "nav: 9",
        "models/projects.yaml:8:75: error: navigation slot 9 is taken by the data page (models/pages.yaml)",
    ),
    "yml": (
        "models/parks.yml",
        None,
        "kind: parks\n",
        "models/parks.yml: error: 'parks.yml' is not read: models are named *.yaml",
    ),
}


@pytest.mark.parametrize("case", SILENT, ids=list(SILENT))
def test_what_a_model_said_in_vain_is_an_error_at_its_line(tmp_path, case):
    rel, old, new, error = SILENT[case]
    root = make_site(tmp_path / "site")
    if old is None:
        (root / rel).write_text(new)
    else:
        edit(root, rel, old, new)
    result = run_build(root, "check")
    assert errors_of(result) == [error]


# 8: a placeholder the template filling a string does not give, in either language, in strings that templates fill
# with |replace (never checked before) and with .format, whether or not a page that shows it is built.


@pytest.mark.parametrize(
    "rel, old, new, error",
    [
        (
            "content/i18n/en.yaml",
            "Page {n} of",
            "Page {nn} of",
            "content/i18n/en.yaml:173:10: error: string 'page_of' has the unknown placeholder {nn}",
        ),
        (
            "content/i18n/en.yaml",
            'and {n} more"',
            'and {m} more"',
            "content/i18n/en.yaml:176:13: error: string 'more_items' has the unknown placeholder {m}",
        ),
        (
            "content/i18n/zh.yaml",
            '另有{n}项"',
            '另有{m}项"',
            "content/i18n/zh.yaml:176:13: error: string 'more_items' has the unknown placeholder {m}",
        ),
        (
            "content/i18n/zh.yaml",
            "（{year}年）",
            "（{yaer}年）",
            "content/i18n/zh.yaml:23:21: error: string 'home_latest_summit' has the unknown placeholder {yaer}",
        ),
        (
            "content/i18n/en.yaml",
            "as of {year}",
            "as of {yaer}",
            "content/i18n/en.yaml:28:15: error: string 'status_as_of' has the unknown placeholder {yaer}",
        ),
        (
            "content/i18n/zh.yaml",
            "共{count}页",
            "共{cuont}页",
            "content/i18n/zh.yaml:173:10: error: string 'page_of' has the unknown placeholder {cuont}",
        ),
    ],
    ids=["replace-en", "replace-more", "replace-zh", "replace-year-zh", "format-en", "replace-second"],
)
def test_a_misspelled_placeholder_is_an_error_at_the_strings_line(tmp_path, rel, old, new, error):
    root = real_site(tmp_path)
    edit(root, rel, old, new)
    result = run_build(root)
    assert errors_of(result) == [error]
    assert "(used at templates/" in result.stderr and not (root / "_site").exists()


def test_the_templates_placeholders_are_read_from_every_template():
    from sitegen.site.placeholders import filled_strings
    from sitegen.site.render import make_env

    uses = {(u.key, u.template): u.given for u in filled_strings(make_env(REPO / "templates"))}
    assert uses[("page_of", "_macros.html")] == {"n", "count"}  # a chain of |replace is one use
    assert uses[("home_latest_summit", "home.html")] == {"year"}
    assert uses[("data_rows", "data.html")] == uses[("data_figures", "data.html")] == {"rows"}  # (a if c else b)
    assert uses[("economy_title", "economy.html")] == {"city"}


# 14: the site's languages: one error for one mistake, whatever their order.


@pytest.mark.parametrize(
    "languages, errors",
    [
        ("[en, zh, fr]", ["content/site.yaml:13:21: error: 'fr' is not one of: en, zh"]),
        (
            "[zh, en]",
            [
                "content/site.yaml:13:12: error: the site's first language is zh, but its texts are written in "
                "another: 'title_zh' stands beside 'title'"
            ],
        ),
        (
            "[zh, en, fr]",
            [
                "content/site.yaml:13:12: error: the site's first language is zh, but its texts are written "
                "in another: 'title_zh' stands beside 'title'",
                "content/site.yaml:13:21: error: 'fr' is not one of: en, zh",
            ],
        ),
    ],
)
def test_a_mistake_in_the_sites_languages_is_one_error(tmp_path, languages, errors):
    root = real_site(tmp_path)
    edit(root, "content/site.yaml", "languages: [en, zh]", f"languages: {languages}")
    assert errors_of(run_build(root, "check")) == errors


# 17 and the articles of the list: the editions of an article share its slug, dates, sources and references.


@pytest.mark.parametrize(
    "rel, old, new, error",
    [
        (
            f"{A}.zh.md",
            "date: 2026-11-25",
            "date: 2026-11-25\nslug: other",
            f"{A}.zh.md:4:7: error: the editions of one article share its slug: the English edition's is "
            "'2023-jiangyin-development-summit'",
        ),
        (
            f"{A}.zh.md",
            "date: 2026-11-25",
            "date: 2026-11-24",
            f"{A}.zh.md:3:7: error: the editions of one article share its date: the English edition's is 2026-11-25",
        ),
        (
            f"{A}.zh.md",
            "updated: 2026-12-06",
            "updated: 2026-12-05",
            f"{A}.zh.md:4:10: error: the editions of one article share its updated: the English edition's is 2026-12-06",
        ),
        (
            f"{A}.zh.md",
            "  - jnwb-2019\n",
            "",
            f"{A}.zh.md:7:3: error: the editions of one article share its sources: it lacks jnwb-2019",
        ),
        (
            f"{A}.zh.md",
            "[[events.summit-2017.investment]]",
            "[[events.summit-2019.investment]]",
            f"{A}.md:42:49: error: [[events.summit-2017.investment]] is not in the Chinese edition ({A}.zh.md)",
        ),
        (
            f"{A}.zh.md",
            "[[events.summit-2017.investment]]",
            "[[events.summit-2017.investment]][[profile.figures.area]]",
            f"{A}.zh.md:33:141: error: [[profile.figures.area]] is not in the English edition ({A}.md)",
        ),
    ],
    ids=["slug", "date", "updated", "sources", "reference-missing", "reference-added"],
)
def test_the_editions_of_an_article_are_one_article(tmp_path, rel, old, new, error):
    root = real_site(tmp_path)
    edit(root, rel, old, new)
    assert errors_of(run_build(root)) == [error]
    assert not (root / "_site").exists()


def test_an_edition_takes_the_first_editions_slug(tmp_path):
    root = real_site(tmp_path)
    edit(root, f"{A}.md", "date: 2026-11-25", "date: 2026-11-25\nslug: summit-2023")
    result = run_build(root)
    assert result.returncode == 0, result.stderr
    for rel in ("news/summit-2023/index.html", "zh/news/summit-2023/index.html"):
        assert (root / "_site" / rel).is_file(), rel
    page = (root / "_site/zh/news/summit-2023/index.html").read_text(encoding="utf-8")
    assert re.search(r'hreflang="en" href="[^"]*/news/summit-2023/"', page)


def test_a_strings_file_holds_only_the_first_languages_keys(tmp_path):
    root = real_site(tmp_path)
    edit(root, "content/i18n/zh.yaml", "nav_home:", "nav_hme: 首页\nnav_home:")
    assert errors_of(run_build(root, "check")) == [
        "content/i18n/zh.yaml:6:10: error: string 'nav_hme' is not in en.yaml"
    ]


# Property runs: any mutation of the models, or of the interface strings, builds or fails with every error at a real
# file:line:col (a file-level error only for a file that is not there, or one that is not read at all), never with
# another exception (build.py's exit 3) or a hang. In-process builds that write nothing, on the mini site (models) and
# on the real content in both languages (strings).

MODEL_FILES = sorted(p.name for p in (REPO / "models").glob("*.yaml"))
KINDS = [p.removesuffix(".yaml") for p in MODEL_FILES]
WORDS = KINDS + [
    "nope",
    "/",
    "",
    "records",
    "figures",
    "editions",
    "collections",
    "strings",
    "zh",
    "data",
    "search",
    "changes",
    "pagefind",
    "loc",
    "texts",
    "translated",
    "id",
    "name",
    "date",
    "-date",
    "investment",
    "figures",
    "notes",
    "source",
    "x.yaml",
    "/etc/passwd",
    "../x",
    "nope.html",
    "home.html",
    "0",
    "-1",
    "99",
    "1.5",
    "true",
    "false",
    "null",
    "{}",
    "[]",
    "[a, b]",
    "{a: b}",
    "text",
    "prose",
    "ref",
    "number",
    "choice",
    "list",
    "map",
    "figure",
    "single",
    "list",
    "markdown",
    "item",
    "year",
    "by",
]
VALUE = re.compile(r"(?<=: )[^,{}\[\]\n#]+|(?<=\[)[^,\]\n]+|(?<=, )[^,:{}\[\]\n]+")


@st.composite
def model_mutation(draw) -> tuple[str, str]:
    """(a models/ file, its text after one to three edits: a value swapped for a word the models use or misuse, or
    one of the line edits of the content's property runs)."""
    rel = "models/" + draw(st.sampled_from(MODEL_FILES))
    lines = (REPO / rel).read_text(encoding="utf-8").split("\n")
    for _ in range(draw(st.integers(1, 3))):
        n = draw(st.integers(0, len(lines) - 1))
        values = list(VALUE.finditer(lines[n]))
        if values and draw(st.booleans()):
            m = draw(st.sampled_from(values))
            lines[n] = lines[n][: m.start()] + draw(st.sampled_from(WORDS)) + lines[n][m.end() :]
        else:
            edit_line(draw, lines, n)
    return rel, "\n".join(lines)


@st.composite
def strings_mutation(draw) -> tuple[str, str]:
    """(an interface strings file, its text with one to three values edited: a placeholder misspelt, dropped or
    added, a brace, a key renamed, or a line edit)."""
    rel = draw(st.sampled_from(["content/i18n/en.yaml", "content/i18n/zh.yaml"]))
    lines = (REPO / rel).read_text(encoding="utf-8").split("\n")
    for _ in range(draw(st.integers(1, 3))):
        n = draw(st.integers(0, len(lines) - 1))
        op = draw(st.sampled_from(["placeholder", "brace", "key", "line"]))
        if op == "placeholder" and "{" in lines[n]:
            lines[n] = re.sub(
                r"\{\w*\}",
                draw(
                    st.sampled_from(
                        ["{yaer}", "", "{n}", "{year}", "{}", "{0}", "{n!r}", "{n:>{m}}", "{count}", "{a.b}"]
                    )
                ),
                lines[n],
                count=1,
            )
        elif op == "brace":
            col = draw(st.integers(0, len(lines[n])))
            lines[n] = lines[n][:col] + draw(st.sampled_from(["{", "}", "{{", "{x}", "{site.title}"])) + lines[n][col:]
        elif op == "key" and ":" in lines[n]:
            lines[n] = (
                draw(st.sampled_from(["x", "nav_hme", "page_of", "chart_", "a" * 3])) + lines[n][lines[n].index(":") :]
            )
        else:
            edit_line(draw, lines, n)
    return rel, "\n".join(lines)


class Edited:
    """A site some of whose files an example edits and the next example restores."""

    def __init__(self, root, files):
        self.root, self.original = root, {rel: (root / rel).read_bytes() for rel in files}

    def __repr__(self) -> str:
        return f"Edited({self.root.name})"

    def build_placed(self, rel: str, text: str) -> None:
        """Build the site with one file edited (the others as they were): it builds, or every error is placed (a
        page's error, such as a broken link, at its line in the page the build made in memory: _site/...)."""
        from sitegen.errors import BuildFailed
        from sitegen.pipeline import build

        for name, data in self.original.items():
            (self.root / name).write_bytes(data)
        (self.root / rel).write_bytes(text.encode("utf-8", "surrogatepass"))
        try:
            with cpu_limit(BUILD_SECONDS):
                build(self.root, self.root / "_site", write=False)
        except BuildFailed as failed:
            for error in failed.errors:
                self.assert_placed(error)

    def assert_placed(self, error) -> None:
        """An error names a line and column of a file, or a file that is not there or is not read."""
        text, path = error.format(), self.root / error.loc.source
        if not error.loc.line:
            assert not path.is_file() or error.loc.source.startswith("models/"), text
        elif not error.loc.source.startswith("_site/"):
            assert PLACE.match(text) and path.is_file(), text
            assert error.loc.line <= path.read_bytes().count(b"\n") + 1, text


@pytest.fixture(scope="module")
def mini_models(tmp_path_factory):
    root = make_site(tmp_path_factory.mktemp("models") / "site")
    return Edited(root, [f"models/{name}" for name in MODEL_FILES])


@pytest.fixture(scope="module")
def real_strings(tmp_path_factory):
    root = make_site(tmp_path_factory.mktemp("strings") / "site", content=REPO / "content")
    return Edited(root, ["content/i18n/en.yaml", "content/i18n/zh.yaml"])


@pytest.mark.slow
@settings(
    max_examples=settings().max_examples * 2 // 5 or 1,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(edit=model_mutation())
def test_any_model_mutation_builds_or_fails_at_a_real_line(mini_models, edit):
    mini_models.build_placed(*edit)


@pytest.mark.slow
@settings(
    max_examples=settings().max_examples * 3 // 10 or 1,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(edit=strings_mutation())
def test_any_strings_mutation_builds_or_fails_at_a_real_line(real_strings, edit):
    real_strings.build_placed(*edit)


# Chinese text written without a Chinese character: English pasted into a Chinese field. A name with no Chinese form
# is written as in English, the same text (the real content names two companies so, as their sources do).


@pytest.mark.parametrize(
    "old, new, error",
    [
        (
            'name_zh: "江苏长电科技股份有限公司"',
            'name_zh: "JCET Group"',
            "content/companies.yaml:9:12: error: 'name_zh' holds no Chinese character: 'JCET Group'",
        ),
        (
            'summary_zh: "江阴的一家制药企业。',
            'summary_zh: "A drug company in Jiangyin." # ',
            "content/companies.yaml:89:15: error: 'summary_zh' holds no Chinese character: 'A drug company in Jiangyin.'",
        ),
    ],
    ids=["name", "prose"],
)
def test_a_chinese_text_holds_a_chinese_character(tmp_path, old, new, error):
    root = real_site(tmp_path)
    edit(root, "content/companies.yaml", old, new)
    assert errors_of(run_build(root, "check")) == [error]
    edit(root, "content/companies.yaml", new, old)
    edit(root, "content/companies.yaml", 'name_zh: "江苏长电科技股份有限公司"', 'name_zh: "JCET"')  # as in English
    assert run_build(root, "check").returncode == 0
