"""Issue 14: hostile or clumsy input ends in exit 0 or in exit 1 with every error at `path:line:col`, in bounded
time; never a traceback (exit 3), never a hang, never unsafe output. One test (or a few) per numbered item."""
from __future__ import annotations

import re
import time

import pytest

from conftest import edit, run_build


def errors_of(result) -> list[str]:
    """The error lines of a failed build, after checking it failed as a user error (exit 1, no traceback)."""
    assert result.returncode == 1, result.stderr + result.stdout
    assert "Traceback" not in result.stderr
    return [line for line in result.stderr.splitlines() if ": error: " in line]


def add_to_article(site, text: str) -> int:
    """Append Markdown to the fixture article; return the line number its first line lands on."""
    path = site / "content/articles/summit.md"
    before = path.read_text(encoding="utf-8")
    path.write_text(before + "\n" + text, encoding="utf-8")
    return before.count("\n") + 2


# 1. Script injection from articles: the addresses Markdown writes are checked, entities decoded.

@pytest.mark.parametrize("text, col", [
    ("See [x][r].\n\n[r]: javascript:alert(document.domain)\n", None),
    ("See [x](&#x6A;avascript:alert(document.domain)).\n", 9),
    ("See [x](javascript&colon;alert(document.domain)).\n", 9),
    ("See ![x](JaVaScRiPt:alert(document.domain)).\n", 10),
    ("See [x](java&#x09;script:alert(document.domain)).\n", 9),
    ("See [x](&#32;vbscript:msgbox).\n", 9),
], ids=["reference", "entity", "named-entity", "image", "tab", "space"])
def test_article_links_are_checked_as_markdown_writes_them(site, text, col):
    line = add_to_article(site, text)
    errs = errors_of(run_build(site))
    scheme = "vbscript" if "vbscript" in text else "javascript"
    where = f"{line}:{col}" if col else f"{line + 2}:6"  # a reference-style link: at its definition
    assert errs == [f"content/articles/summit.md:{where}: error: link scheme '{scheme}:' is not allowed"]


# 5. Every scan of article text is linear.

@pytest.mark.parametrize("text, expect", [
    ("[[" * 20000, "unclosed reference '[['"),
    ("a [[b c\n" * 5000, "unclosed reference '[['"),
    ("<!--" * 20000, None),
    ("[a " * 20000, "too many unclosed or nested '['"),
], ids=["refs", "unclosed-lines", "comments", "brackets"])
def test_pathological_article_text_is_read_in_linear_time(site, text, expect):
    add_to_article(site, text)
    start = time.monotonic()
    result = run_build(site)
    assert time.monotonic() - start < 15
    if expect is None:
        assert result.returncode == 0, result.stderr
    else:
        assert all(expect in e for e in errors_of(result))


def test_article_scans_scale_linearly():
    from sitegen.prose import typed_figures
    from sitegen.validate import unclosed_refs
    for text in ("<!--" * 50000, "](" * 50000, "```" * 50000, "[[" * 50000, "[[a|" * 50000, "[[ " + " " * 200000):
        start = time.monotonic()
        typed_figures(text), unclosed_refs(text)
        assert time.monotonic() - start < 2, text[:10]


# 17. Article problems are reported at the article's own lines.

@pytest.mark.parametrize("command", ["build", "check"])
def test_broken_link_in_article_is_reported_at_its_markdown_line(site, command):
    line = add_to_article(site, "See [x](/mini/nowhere/) and [y](../other/).\n")
    errs = errors_of(run_build(site, command))
    assert errs == [
        f"content/articles/summit.md:{line}:9: error: broken link '/mini/nowhere/' on /mini/news/summit/: "
        "no page or file at /mini/nowhere/",
        f"content/articles/summit.md:{line}:33: error: broken link '../other/' on /mini/news/summit/: "
        "no page or file at /mini/news/other/"]


def test_deeply_nested_list_is_an_article_error(site):
    add_to_article(site, "".join("  " * i + "- x\n" for i in range(500)))
    errs = errors_of(run_build(site))
    assert errs == ["content/articles/summit.md:7:1: error: the Markdown nests too deeply (lists or quotes inside "
                    "each other)"]


def test_private_use_characters_in_article_stay_text(site):
    add_to_article(site, "Marks \ue0001999\ue001 and \ue000\ue001 stay.\n")
    assert run_build(site).returncode == 0
    html = (site / "_site/news/summit/index.html").read_text(encoding="utf-8")
    assert "Marks \ue0001999\ue001 and \ue000\ue001 stay." in html
    assert re.search(r'<span class="fig" data-fact="events.summit-2023.projects">', html)


def test_reference_inside_a_link_title_becomes_plain_text(site):
    add_to_article(site, 'See [x](https://example.org/ "about [[companies.chipco]]").\n')
    assert run_build(site).returncode == 0
    html = (site / "_site/news/summit/index.html").read_text(encoding="utf-8")
    assert 'title="about ChipCo"' in html
