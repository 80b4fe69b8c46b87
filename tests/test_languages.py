"""A second language is switched on in site.yaml: every page gets a twin under /zh/ with its own lang attribute,
links between the two, and every text its Chinese twin, checked at file:line:col (never a silent fallback)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import yaml
from conftest import REPO, docstring_ids, edit, make_site, run_build, tree_bytes
from test_errors import errors_of

from sitegen.content import kinds
from sitegen.content.fields import ListOf, MapOf, Record
from sitegen.errors import Problems


def _twin_all(field, data, code: str = "zh", mark: str = "中") -> None:
    """Give every localized text of a record its twin in a language (the English text, marked), recursively."""
    if isinstance(field, ListOf) and isinstance(data, list):
        for item in data:
            _twin_all(field.item, item, code, mark)
    elif isinstance(field, MapOf) and isinstance(data, dict):
        for value in data.values():
            _twin_all(field.value, value, code, mark)
    elif isinstance(field, Record) and isinstance(data, dict):
        for name, f in field.fields.items():
            if getattr(f, "localized", False) and data.get(name) is not None and f"{name}_{code}" not in data:
                data[f"{name}_{code}"] = f"{mark}{data[name]}"
            elif name in data:
                _twin_all(f, data[name], code, mark)


def add_language(root: Path, languages: tuple[str, ...], mark: str) -> None:
    """Switch on the last of `languages` in a copy of the mini site: a twin for every text, a strings file and an
    article edition, each the English marked."""
    code = languages[-1]
    registry = kinds.load_registry(root, Problems(), languages)
    for kind in registry.of_shape("list", "single"):
        path = root / "content" / kind.file
        data = yaml.safe_load(path.read_text())
        _twin_all(kind.root, data, code, mark)
        text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
        if kind.name == "site":  # written as an editor would: languages: [en, zh]
            text = re.sub(r"(?m)^languages:\n(?:- .*\n)+", f"languages: [{', '.join(languages)}]\n", text)
        path.write_text(text)
    strings = yaml.safe_load((root / "content/i18n/en.yaml").read_text())
    table = {
        key: value if "{" in value or key.startswith(("date_", "month_")) else f"{mark}{value}"
        for key, value in strings.items()
    }
    (root / f"content/i18n/{code}.yaml").write_text(yaml.safe_dump(table, allow_unicode=True, sort_keys=False))
    article = next(p for p in (root / "content/articles").glob("*.md") if p.stem.count(".") == 0)
    edition = article.read_text().replace('title: "', f'title: "{mark}')
    article.with_name(f"{article.stem}.{code}.md").write_text(edition)


def bilingual_site(tmp_path: Path) -> Path:
    """The mini site with Chinese switched on: twins for every text, a Chinese strings file, a Chinese article."""
    root = make_site(tmp_path / "site")
    add_language(root, ("en", "zh"), "中")
    return root


def test_a_second_language_gets_a_second_tree_of_pages(tmp_path):
    root = bilingual_site(tmp_path)
    result = run_build(root, "--base-url", "https://example.org/mini/")
    assert result.returncode == 0, result.stderr  # the link check covers both trees
    out = root / "_site"
    en = {p for p in tree_bytes(out) if p.endswith(".html") and not p.startswith("zh/")}
    zh = {p.removeprefix("zh/") for p in tree_bytes(out) if p.startswith("zh/") and p.endswith(".html")}
    assert en == zh and len(en) > 10
    for rel in sorted(en):
        page_en, page_zh = (out / rel).read_text(), (out / "zh" / rel).read_text()
        assert page_en.startswith('<!doctype html>\n<html lang="en">'), rel
        assert page_zh.startswith('<!doctype html>\n<html lang="zh-Hans">'), rel
        url = "/mini/" + rel.removesuffix("index.html")
        zh_url = "/mini/zh/" + rel.removesuffix("index.html")
        if rel != "404.html":
            for page in (page_en, page_zh):  # both list both, and x-default
                assert f'<link rel="alternate" hreflang="en" href="https://example.org{url}">' in page, rel
                assert f'<link rel="alternate" hreflang="zh-Hans" href="https://example.org{zh_url}">' in page, rel
                assert f'<link rel="alternate" hreflang="x-default" href="https://example.org{url}">' in page, rel
        assert f'<a href="{zh_url}" hreflang="zh-Hans" lang="zh-Hans">中文</a>' in page_en, rel  # its counterpart
        assert f'<a href="{url}" hreflang="en" lang="en">English</a>' in page_zh, rel
    home = (out / "zh/index.html").read_text()
    assert "中A made-up city used to test the generator." in home  # the Chinese twin, not the English
    assert '<meta property="og:locale" content="zh_CN">' in home and "og:locale:alternate" in home
    assert "217个项目" in home and "4754.2亿元" in home  # figures written the Chinese way
    sitemap = (out / "sitemap.xml").read_text()
    assert '<xhtml:link rel="alternate" hreflang="zh-Hans" href="https://example.org/mini/zh/projects/"/>' in sitemap
    assert (out / "zh/feed.xml").read_text().count("<entry>") == 1 and 'xml:lang="zh-Hans"' in (
        out / "zh/feed.xml"
    ).read_text()
    assert not list(out.glob("zh/data/*.csv"))  # one set of downloads, shared


def test_a_missing_chinese_text_is_an_error_at_its_line(tmp_path):
    root = bilingual_site(tmp_path)
    text = (root / "content/companies.yaml").read_text()
    (root / "content/companies.yaml").write_text(re.sub(r"(?m)^  summary_zh: .*\n", "", text, count=1))
    line = next(
        n
        for n, row in enumerate((root / "content/companies.yaml").read_text().splitlines(), 1)
        if row.startswith("  summary:")
    )
    result = run_build(root)
    assert errors_of(result) == [f"content/companies.yaml:{line}:3: error: 'summary' has no Chinese text 'summary_zh'"]
    assert "languages in content/site.yaml include zh" in result.stderr


def test_a_missing_chinese_string_or_article_is_an_error(tmp_path):
    root = bilingual_site(tmp_path)
    path = root / "content/i18n/zh.yaml"
    path.write_text(re.sub(r"(?m)^nav_data: .*\n", "", path.read_text()))
    next((root / "content/articles").glob("*.zh.md")).unlink()
    errs = errors_of(run_build(root))
    assert errs == [
        "content/articles/summit.md:1:1: error: no Chinese edition of this article",
        "content/i18n/zh.yaml:1:1: error: missing string 'nav_data'",
    ]


def test_one_language_adds_nothing_of_the_language_axis(tmp_path):
    """A site in English only (the mini site; the golden test holds its every byte): no second tree, no
    alternates, no switch."""
    root = make_site(tmp_path / "site")
    assert run_build(root).returncode == 0
    assert not (root / "_site/zh").exists()
    html = (root / "_site/index.html").read_text()
    assert "hreflang" not in html and "og:locale" not in html and 'class="lang-switch"' not in html


def test_one_figure_edited_once_changes_both_editions(tmp_path):
    root = bilingual_site(tmp_path)
    assert run_build(root).returncode == 0
    edit(root, "content/events.yaml", "value: 217", "value: 218")
    assert run_build(root).returncode == 0  # incremental, from the cache
    home_en, home_zh = ((root / path).read_text() for path in ("_site/index.html", "_site/zh/index.html"))
    # the figures as shown, not the source's words quoted beside them (which the edit leaves as they were)
    home_en, home_zh = (
        re.sub(r'<details class="quote.*?</details>', "", html, flags=re.S) for html in (home_en, home_zh)
    )
    assert "218 projects" in home_en and "217 projects" not in home_en
    assert "218个项目" in home_zh and "217个项目" not in home_zh


# A third language: declared in models/languages.yaml, written beside the others, with no change to the engine.

GERMAN = """
  de:
    name: Deutsch
    tag: de
    locale: de_DE
    og_locale: de_DE
    scales_from: 1000000
    punctuation: {stop: ". ", end: ".", colon: ": ", comma: ", ", list: ", ", semi: "; ", open: " (", close: ")",
                  quote: "„{}.“", space: " "}
    whole_words: true
    time_words: [aktuell, derzeit, jetzt, heute, bisher]
    units:
      CNY: "{n} Yuan"
      USD: "{n} US-Dollar"
      EUR: "{n} Euro"
      people: {one: "{n} Person", other: "{n} Personen"}
      projects: {one: "{n} Projekt", other: "{n} Projekte"}
      companies: "{n} Unternehmen"
      enterprises: {one: "{n} Betrieb", other: "{n} Betriebe"}
      employees: "{n} Beschäftigte"
      funds: "{n} Fonds"
      guests: {one: "{n} Gast", other: "{n} Gäste"}
      industries: {one: "{n} Branche", other: "{n} Branchen"}
    ordinals: {other: "{n}."}
    qualifiers: {over: "über {f}", about: "etwa {f}", nearly: "fast {f}", under: "unter {f}"}
    bases: {real: "{f} (real)", nominal: "{f} (nominal)", unstated: "{f} (basis?)"}
    tie: "{f}, gemeinsam mit {with}"
"""


def trilingual_site(tmp_path: Path) -> Path:
    """The mini site in English, Chinese and German: German declared beside the others, its strings and texts."""
    root = bilingual_site(tmp_path)
    with (root / "models/languages.yaml").open("a", encoding="utf-8") as models:
        models.write(GERMAN)
    add_language(root, ("en", "zh", "de"), "DE ")
    return root


def test_a_third_language_needs_no_engine_change(tmp_path):
    root = trilingual_site(tmp_path)
    result = run_build(root, "--base-url", "https://example.org/mini/")
    assert result.returncode == 0, result.stderr  # the link check covers all three trees
    out = root / "_site"
    pages = {p for p in tree_bytes(out) if p.endswith(".html") and not p.startswith(("zh/", "de/", "pagefind/"))}
    assert len(pages) > 10
    tags = {"en": "en", "zh": "zh-Hans", "de": "de"}
    names = {"en": "English", "zh": "中文", "de": "Deutsch"}
    sitemap = (out / "sitemap.xml").read_text()
    for rel in sorted(pages):
        for code, prefix in (("en", ""), ("zh", "zh/"), ("de", "de/")):
            html = (out / prefix / rel).read_text()
            assert html.startswith(f'<!doctype html>\n<html lang="{tags[code]}">'), (code, rel)
            for other, other_prefix in (("en", ""), ("zh", "zh/"), ("de", "de/")):
                href = f"/mini/{other_prefix}{rel.removesuffix('index.html')}"
                if rel != "404.html":  # every page names all three, and x-default
                    assert (
                        f'<link rel="alternate" hreflang="{tags[other]}" href="https://example.org{href}">' in html
                    ), (code, rel, other)
                switch = f'<a href="{href}" hreflang="{tags[other]}" lang="{tags[other]}">{names[other]}</a>'
                assert (switch in html) == (other != code), (code, rel, other)  # the switch lists the others
            assert re.search(r'<p class="lang-switch"><a [^>]+>[^<]+</a> <a [^>]+>[^<]+</a></p>', html), rel
            if rel != "404.html":
                url = f"https://example.org/mini/{prefix}{rel.removesuffix('index.html')}"
                row = re.search(rf"<url><loc>{re.escape(url)}</loc>.*?</url>", sitemap).group(0)
                assert row.count('<xhtml:link rel="alternate"') == 3 and 'hreflang="de"' in row, row
    home = (out / "de/index.html").read_text()
    assert "DE A made-up city used to test the generator." in home  # the German twin
    assert "217 Projekte" in home and "475,4 Milliarden Yuan" in home  # German figures: CLDR's and the declared
    assert '<meta property="og:locale" content="de_DE">' in home
    assert '<meta property="og:locale:alternate" content="zh_CN">' in home
    assert 'xml:lang="de"' in (out / "de/feed.xml").read_text()
    assert (out / "de/search/strings.json").is_file()
    facts = (out / "data/facts.json").read_text()
    assert '"label_de": "DE ' in facts and '"text_de": "' in facts  # the downloads hold every language's texts


def test_a_third_language_is_checked_for_parity_at_its_lines(tmp_path):
    root = trilingual_site(tmp_path)
    companies = root / "content/companies.yaml"
    companies.write_text(re.sub(r"(?m)^  summary_de: .*\n", "", companies.read_text(), count=1))
    line = next(n for n, row in enumerate(companies.read_text().splitlines(), 1) if row.startswith("  summary:"))
    strings = root / "content/i18n/de.yaml"
    strings.write_text(re.sub(r"(?m)^nav_data: .*\n", "", strings.read_text()))
    next((root / "content/articles").glob("*.de.md")).unlink()
    result = run_build(root)
    assert errors_of(result) == [
        "content/articles/summit.md:1:1: error: no German edition of this article",
        f"content/companies.yaml:{line}:3: error: 'summary' has no German text 'summary_de'",
        "content/i18n/de.yaml:1:1: error: missing string 'nav_data'",
    ]
    assert "languages in content/site.yaml include de" in result.stderr


def test_a_language_not_declared_is_an_error_at_its_line(tmp_path):
    root = bilingual_site(tmp_path)
    edit(root, "content/site.yaml", "languages: [en, zh]", "languages: [en, zh, fr]")
    line, row = next(
        (n, row)
        for n, row in enumerate((root / "content/site.yaml").read_text().splitlines(), 1)
        if row.startswith("languages:")
    )
    assert errors_of(run_build(root)) == [
        f"content/site.yaml:{line}:{row.index('fr') + 1}: error: 'fr' is not one of: en, zh"
    ]  # and only that: the twins in zh still count


def test_a_mistaken_language_declaration_is_an_error_at_its_line(tmp_path):
    root = make_site(tmp_path / "site")
    edit(root, "models/languages.yaml", '      funds: "{n}支基金"\n', "")  # a unit without its pattern
    edit(root, "models/languages.yaml", 'over: "over {f}"', 'over: "over {x}"')
    edit(root, "models/languages.yaml", "locale: en_GB", "locale: en_UK")
    lines = (root / "models/languages.yaml").read_text().splitlines()

    def at(text: str, nth: int = 1) -> str:
        n = [n for n, row in enumerate(lines, 1) if text in row][nth - 1]
        return f"models/languages.yaml:{n}:{lines[n - 1].index(text.strip()) + 1}"

    assert errors_of(run_build(root)) == [
        f"{at('en_UK')}: error: 'en_UK' is not a CLDR locale",
        at('"over {x}"') + ": error: unknown placeholder {x} in 'over {x}'",  # at its value's quote
        f"{at('    units:', 2)}: error: no pattern for the unit 'funds'",  # the second language's
    ]


def _named_languages(path: Path, codes: set[str]) -> list[str]:
    """Where a module names a language as data: a string that is a language's code, tag or locale, or a name (an
    attribute, a key, a piece of an f-string) ending in _CODE. Docstrings and comments may give examples."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docs = docstring_ids(tree)
    suffix = re.compile(rf"_(?:{'|'.join(sorted(codes))})$")
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs:
            text = node.value
            if (
                text in codes
                or suffix.search(text)
                or re.fullmatch(r"[a-z]{2}(?:[-_][A-Za-z]+)+", text)
                and text.split("-")[0].split("_")[0] in codes
            ):
                found.append(f"{path}:{node.lineno}: {text!r}")
        name = (
            node.attr
            if isinstance(node, ast.Attribute)
            else node.id
            if isinstance(node, ast.Name)
            else node.arg
            if isinstance(node, (ast.arg, ast.keyword)) and node.arg
            else ""
        )
        if suffix.search(name):
            found.append(f"{path}:{node.lineno}: {name}")
    return found


def test_the_engine_names_no_language():
    """Languages are data (models/languages.yaml): no module of sitegen/ names one of them."""
    registry = kinds.load_registry(REPO, Problems())
    codes = set(registry.declared_languages.declared) | {"de", "fr", "ja", "ko", "es", "ru", "ar"}
    found = [hit for path in sorted((REPO / "sitegen").rglob("*.py")) for hit in _named_languages(path, codes)]
    assert found == []


def test_a_unit_not_declared_is_an_error_at_its_line(tmp_path):
    """The units are declared once, in models/languages.yaml: a chart's (and a figure's) unit is one of them."""
    root = make_site(tmp_path / "site")
    edit(root, "models/profile.yaml", "{field: gdp, label: gdp}", "{field: gdp, label: gdp, unit: CYN}")
    lines = (root / "models/profile.yaml").read_text().splitlines()
    line = next(n for n, row in enumerate(lines, 1) if "unit: CYN" in row)
    result = run_build(root)
    assert errors_of(result) == [
        f"models/profile.yaml:{line}:{lines[line - 1].index('CYN') + 1}: error: 'CYN' is not "
        "one of: CNY, USD, EUR, people, km2, percent, percent-change, rank, years, projects, "
        "companies, enterprises, employees, funds, guests"
    ]
    assert "did you mean 'CNY'?" in result.stderr
