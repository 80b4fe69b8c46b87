"""A second language is switched on in site.yaml: every page gets a twin under /zh/ with its own lang attribute,
links between the two, and every text its Chinese twin, checked at file:line:col (never a silent fallback)."""
from __future__ import annotations

import re
from pathlib import Path

import yaml
from conftest import edit, make_site, run_build, tree_bytes
from test_errors import errors_of

from sitegen.content import kinds
from sitegen.content.fields import ListOf, MapOf, Record
from sitegen.errors import Problems


def _twin_all(field, data) -> None:
    """Give every localized text of a record its Chinese twin (the English text, marked), recursively."""
    if isinstance(field, ListOf) and isinstance(data, list):
        for item in data:
            _twin_all(field.item, item)
    elif isinstance(field, MapOf) and isinstance(data, dict):
        for value in data.values():
            _twin_all(field.value, value)
    elif isinstance(field, Record) and isinstance(data, dict):
        for name, f in field.fields.items():
            if getattr(f, "localized", False) and data.get(name) is not None and f"{name}_zh" not in data:
                data[f"{name}_zh"] = f"中{data[name]}"
            elif name in data:
                _twin_all(f, data[name])


def bilingual_site(tmp_path: Path) -> Path:
    """The mini site with Chinese switched on: twins for every text, a Chinese strings file, a Chinese article."""
    root = make_site(tmp_path / "site")
    edit(root, "content/site.yaml", "languages: [en]", "languages: [en, zh]")
    registry = kinds.load_registry(root, Problems(), ("en", "zh"))
    for kind in registry.of_shape("list", "single"):
        path = root / "content" / kind.file
        data = yaml.safe_load(path.read_text())
        _twin_all(kind.root, data)
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    strings = yaml.safe_load((root / "content/i18n/en.yaml").read_text())
    zh = {key: value if "{" in value or key.startswith(("date_", "month_")) else f"中{value}"
          for key, value in strings.items()}
    (root / "content/i18n/zh.yaml").write_text(yaml.safe_dump(zh, allow_unicode=True, sort_keys=False))
    article = next((root / "content/articles").glob("*.md"))
    article.with_name(article.stem + ".zh.md").write_text(article.read_text().replace('title: "', 'title: "中'))
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
        out / "zh/feed.xml").read_text()
    assert not list(out.glob("zh/data/*.csv"))  # one set of downloads, shared


def test_a_missing_chinese_text_is_an_error_at_its_line(tmp_path):
    root = bilingual_site(tmp_path)
    text = (root / "content/companies.yaml").read_text()
    (root / "content/companies.yaml").write_text(re.sub(r"(?m)^  summary_zh: .*\n", "", text, count=1))
    line = next(n for n, row in enumerate((root / "content/companies.yaml").read_text().splitlines(), 1)
                if row.startswith("  summary:"))
    result = run_build(root)
    assert errors_of(result) == [f"content/companies.yaml:{line}:3: error: 'summary' has no Chinese text 'summary_zh'"]
    assert "languages in content/site.yaml include zh" in result.stderr


def test_a_missing_chinese_string_or_article_is_an_error(tmp_path):
    root = bilingual_site(tmp_path)
    path = root / "content/i18n/zh.yaml"
    path.write_text(re.sub(r"(?m)^nav_data: .*\n", "", path.read_text()))
    next((root / "content/articles").glob("*.zh.md")).unlink()
    errs = errors_of(run_build(root))
    assert errs == ["content/articles/summit.md:1:1: error: no Chinese edition of this article",
                    "content/i18n/zh.yaml:1:1: error: missing string 'nav_data'"]


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
    home_en, home_zh = (root / "_site/index.html").read_text(), (root / "_site/zh/index.html").read_text()
    assert "218 projects" in home_en and "217 projects" not in home_en
    assert "218个项目" in home_zh and "217个项目" not in home_zh
