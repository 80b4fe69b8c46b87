"""Sources a reader can check (issue 23): every figure carries the source's own words that state it, and the build
checks that they do; a source names its original and where it was read; reliability follows a written rule; the
home page's headline figures come from official, government or news sources; an item page with no source a reader
can open is reported. Real builds in tmp_path, errors asserted at their exact file:line:col."""

from __future__ import annotations

import csv
import io
import json
import re
from decimal import Decimal

import pytest
import yaml
from conftest import REPO, commit, edit, make_site, run_build
from markupsafe import escape
from test_errors import errors_of, hint_after

from sitegen.content.quotes import check, chinese_number
from sitegen.site.article import Converted


def line_of(root, rel: str, text: str) -> int:
    """The 1-based line of a file that starts with text."""
    return next(n for n, line in enumerate((root / rel).read_text().splitlines(), 1) if line.startswith(text))


# The numbers a source writes, as the check reads them.


@pytest.mark.parametrize(
    "quote, figure",
    [
        ("2023年江阴GDP为4960.51亿元", {"value": "496.051", "scale": "billion"}),  # 亿 read as 10^8
        ("实际使用外资11亿美元", {"value": "1.1", "scale": "billion"}),
        ("It had 1,595,138 inhabitants in the 2010 census.", {"value": "1595138"}),  # thousands separators
        ("到去年底达到九百八十亿元", {"value": "98", "scale": "billion"}),  # Chinese numerals
        ("第二十二届百强县名单揭晓,江阴蝉联第一", {"value": "1"}),  # an ordinal in Chinese
        ("ranking second among county-level cities in China", {"value": "2"}),  # an ordinal in words
        ("the five-billion Jiangyin Xiake Fund", {"value": "5", "scale": "billion"}),  # a number in words, scaled
        ("截至2022年末,江阴市常住人口178.40万人。", {"value": "178.4", "scale": "wan"}),
        ("规上工业产值站上7000亿元新台阶", {"value": "700", "scale": "billion", "qualifier": "over"}),  # 站上: over
        ("孕育出60多家上市企业", {"value": "60", "qualifier": "over"}),  # 多 after the number
        ("金融机构存贷款余额突破万亿大关", {"value": "1", "scale": "trillion", "qualifier": "over"}),
        ("trade ties with nearly 200 countries", {"value": "200", "qualifier": "nearly"}),
        ("大会现场签约的31个重点重大项目", {"value": "31"}),  # 签约 is no 约 (about)
        (
            "2024年江阴市地区生产总值预计突破5000亿元",
            {"value": "5000", "scale": "yi", "qualifier": "over", "estimate": True},
        ),
    ],
)
def test_a_quote_states_its_figure_however_the_source_writes_the_number(quote, figure):
    assert check({**figure, "value": Decimal(figure["value"]), "quote": quote}) == []


@pytest.mark.parametrize(
    "quote, figure, found",
    [
        (
            "217 projects involving a total investment over 100 billion yuan were signed",
            {"value": "218"},
            ("value", "the quote does not state 218; it says 217, 100 billion"),
        ),
        (
            "over 100 billion yuan",
            {"value": "100", "scale": "billion"},
            ("value", "the quote gives 100 billion with the qualifier 'over'"),
        ),
        (
            "about 200 firms",
            {"value": "200", "qualifier": "over"},
            ("qualifier", "the quote does not say 'over' of 200; it says 'about'"),
        ),
        (
            "2024年GDP预计突破5000亿元",
            {"value": "5000", "scale": "yi", "qualifier": "over"},
            ("quote", "the quote gives an estimate ('预计')"),
        ),
        (
            "2024年GDP突破5000亿元",
            {"value": "5000", "scale": "yi", "qualifier": "over", "estimate": True},
            ("estimate", "the figure is marked as an estimate, but its quote does not say so"),
        ),
        (
            "In 2023 the city grew.",
            {"value": "5.9"},
            ("value", "the quote does not state 5.9; it states no other number"),
        ),
        (None, {"value": "5.9"}, ("", "missing key 'quote': the source's own words that state the figure")),
    ],
)
def test_a_quote_that_does_not_state_its_figure_is_found(quote, figure, found):
    values = {**figure, "value": Decimal(figure["value"]), "quote": quote}
    assert [(field, message) for field, message, _ in check(values)] == [found]


def test_a_derived_figure_says_how_instead_of_quoting():
    assert check({"value": Decimal(2), "derived": "Read from the order of the list."}) == []
    assert check({"value": Decimal(2), "quote": "Kunshan, Jiangyin and Zhangjiagang", "derived": "the order"}) == []


def test_chinese_numerals():
    assert [chinese_number(r) for r in ("二十二", "九百八十亿", "十九亿", "万亿", "一万", "千亿")] == [
        22,
        98_000_000_000,
        1_900_000_000,
        10**12,
        10_000,
        10**11,
    ]


# The same, in a build: the error at the figure's line.


def test_a_value_its_quote_does_not_state_is_an_error_at_the_value(tmp_path):
    root = make_site(tmp_path / "site", content=REPO / "content")
    edit(root, "content/events.yaml", "    value: 217\n", "    value: 218\n")
    result = run_build(root)
    line = line_of(root, "content/events.yaml", "    value: 218")
    assert errors_of(result) == [
        f"content/events.yaml:{line}:12: error: the quote does not state 218; it says 217, 100 billion"
    ]
    assert "derived:" in hint_after(result, f"content/events.yaml:{line}:12")


def test_a_figure_without_the_words_of_its_source_is_an_error(site):
    edit(site, "content/profile.yaml", "    quote: It had 1,595,138 inhabitants in the 2010 census.\n", "")
    line = line_of(site, "content/profile.yaml", "    label: Population")
    assert errors_of(run_build(site)) == [
        f"content/profile.yaml:{line}:5: error: missing key 'quote': the source's own words that state the figure"
    ]


def test_an_estimate_must_be_marked(site):
    edit(site, "content/profile.yaml", "quote: It had 1,595,138", "quote: It was expected to have 1,595,138")
    line = line_of(site, "content/profile.yaml", "    quote: It was expected")
    assert errors_of(run_build(site)) == [
        f"content/profile.yaml:{line}:12: error: the quote gives an estimate ('expected')"
    ]


# Provenance and the reliability rule.

COPY = "  url: https://example.org/report\n"


@pytest.mark.parametrize(
    "old, new, field, message",
    [
        (
            "  kind: news\n  language: en\n  reliability: medium",
            "  kind: news\n  language: en\n  copy_url: https://mirror.example/report\n  copy_site: mirror.example\n"
            "  copy_kind: mirror\n  reliability: medium",
            "  reliability: medium",
            "reliability 'medium' is not allowed when copy_kind is mirror or aggregator",
        ),
        (
            "  kind: news\n  language: en\n  reliability: medium",
            "  kind: self-media\n  language: en\n  reliability: medium",
            "  reliability: medium",
            "reliability 'medium' is not allowed when kind is self-media or user-post or aggregator",
        ),
        (
            "  kind: news\n  language: en\n  reliability: medium",
            "  kind: encyclopedia\n  language: en\n  reliability: high",
            "  reliability: high",
            "reliability 'high' is not allowed when kind is encyclopedia",
        ),
    ],
)
def test_reliability_follows_the_written_rule(site, old, new, field, message):
    text = (site / "content/sources.yaml").read_text()
    at = text.index("- id: paper")
    (site / "content/sources.yaml").write_text(text[:at] + text[at:].replace(old, new))
    line = (
        line_of(site, "content/sources.yaml", field)
        if field != "  reliability: medium"
        else [n for n, t in enumerate((site / "content/sources.yaml").read_text().splitlines(), 1) if t == field][-1]
    )
    assert errors_of(run_build(site)) == [f"content/sources.yaml:{line}:16: error: {message}"]


def test_a_copy_says_what_kind_of_copy_it_is(site):
    edit(site, "content/sources.yaml", COPY, COPY + "  copy_url: https://mirror.example/report\n")
    line = line_of(site, "content/sources.yaml", "  copy_url:")
    result = run_build(site)
    assert errors_of(result) == [
        f"content/sources.yaml:{line}:3: error: 'copy_url' is only for a record whose "
        "copy_kind is mirror or repost or aggregator"
    ]
    assert "copy_kind: mirror" in hint_after(result, f"content/sources.yaml:{line}:3")


def test_a_headline_figure_needs_an_official_government_or_news_source(site):
    edit(
        site,
        "content/profile.yaml",
        "headline:\n  - profile.gdp.2021\n",
        "headline:\n  - profile.gdp.2021\n  - profile.gdp.2022\n",
    )
    line = line_of(site, "content/profile.yaml", "  - profile.gdp.2022")
    assert errors_of(run_build(site)) == [
        f"content/profile.yaml:{line}:5: error: profile.gdp.2022 cites 'release', a source of kind press-release; "
        "'headline' takes only figures from official-statistics, government, news"
    ]


def test_a_page_whose_sources_all_lack_an_address_is_reported(site):
    edit(site, "content/sources.yaml", "  url: https://example.org/release\n", "")
    result = run_build(site)
    assert result.returncode == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if ": warning: " in line]
    assert (
        "content/projects.yaml:1:3: warning: the page of project 'chip-line' cites only sources without an "
        "address a reader can open: release" in warnings
    )
    assert (
        "content/articles/summit.md:2:1: warning: the page of article 'summit' cites only sources without an "
        "address a reader can open: release" in warnings
    )
    assert not [w for w in warnings if "profile" in w]  # its page cites the paper, which has one


# The real site: every figure quoted, and the quotes on the pages and in the downloads.


@pytest.fixture(scope="module")
def real(tmp_path_factory):
    """The real content, built: (project root, output folder)."""
    root = commit(make_site(tmp_path_factory.mktemp("real"), content=REPO / "content"), "2026-12-06", "The content")
    result = run_build(root)
    assert result.returncode == 0 and result.stderr == "", result.stderr
    return root, root / "_site"


def test_every_real_figure_is_quoted_or_derived_and_in_the_downloads(real):
    _, out = real
    facts = json.loads((out / "data/facts.json").read_text(encoding="utf-8"))["figures"]
    assert facts and all(f["quote"] or f["derived"] for f in facts)
    assert any(f["estimate"] for f in facts) and any(f["derived"] for f in facts)
    rows = list(csv.DictReader(io.StringIO((out / "data/summits.csv").read_text(encoding="utf-8"))))
    assert all(r["projects_quote"] and r["investment_quote"] for r in rows)
    assert all(r["source_url"] or r["source_copy_url"] for r in rows)  # an address a reader can open
    sources = {r["id"]: r for r in csv.DictReader(io.StringIO((out / "data/sources.csv").read_text()))}
    assert sources["jiangyin-bulletin-2021"]["copy_kind"] == "repost"
    assert sources["jiangyin-bulletin-2021"]["kind"] == "official-statistics"


def test_every_real_headline_figure_comes_from_an_official_government_or_news_source(real):
    content = REPO / "content"
    profile = yaml.safe_load((content / "profile.yaml").read_text(encoding="utf-8"))
    kinds = {s["id"]: s["kind"] for s in yaml.safe_load((content / "sources.yaml").read_text(encoding="utf-8"))}
    for key in profile["headline"]:
        _, table, name = key.split(".")
        fig = profile[table][int(name) if table == "gdp" else name]
        assert kinds[fig["source"]] in ("official-statistics", "government", "news"), key


@pytest.mark.parametrize(
    "prefix, summary, lang", [("", "Source&#39;s words", "zh-Hans"), ("zh/", "来源原文", "zh-Hans")]
)
def test_each_figure_shows_its_quote_in_a_disclosure_on_its_page_in_both_languages(real, prefix, summary, lang):
    _, out = real
    page = (out / prefix / "economy/index.html").read_text(encoding="utf-8")
    row = re.search(r'<tr id="fact-profile-figures-population-2021">.*?</tr>', page, re.S).group(0)
    assert (
        f'<details class="quote" data-pagefind-ignore><summary>{summary}</summary><q lang="{lang}">'
        "年末全市户籍人口126.96万人,常住人口178.20万人</q></details>"
    ) in row  # words for readers, not the index
    home = (out / prefix / "index.html").read_text(encoding="utf-8")
    cards = re.findall(r'<div class="card" id="fact-[^"]+">.*?</div>', home, re.S)
    assert len(cards) == 7 and all('<details class="quote" data-pagefind-ignore>' in card for card in cards)


@pytest.mark.parametrize(
    "prefix, words",
    [
        (
            "",
            [
                "How reliability is rated",
                "Read in a copy at",
                "a repost",
                "Official statistics",
                "A copy on a mirror or an aggregator is rated low at most",
            ],
        ),
        ("zh/", ["可靠性评级规则", "本站读到的是副本", "转载", "官方统计", "可靠性最高评为“低”"]),
    ],
)
def test_the_sources_page_says_what_each_source_is_where_it_was_read_and_the_rule(real, prefix, words):
    _, out = real
    page = (out / prefix / "sources/index.html").read_text(encoding="utf-8")
    assert all(w in page for w in words), [w for w in words if w not in page]
    entry = re.search(r'<li id="src-jiangyin-bulletin-2021">.*?</li>', page, re.S).group(0)
    assert 'href="http://bx2200.com/tjgongbao/huadong/2022-05-13/387_4.html"' in entry


def test_a_quote_opens_from_the_keyboard(browser, live_site):
    base, _ = live_site
    ctx = browser.new_context(viewport={"width": 390, "height": 844})
    page = ctx.new_page()
    page.goto(base + "zh/economy/")
    details = page.locator("details.quote").first
    assert not details.evaluate("d => d.open") and not details.locator("q").is_visible()
    details.locator("summary").focus()
    page.keyboard.press("Enter")
    assert details.evaluate("d => d.open") and details.locator("q").is_visible()
    page.keyboard.press("Space")
    assert not details.evaluate("d => d.open")
    ctx.close()


@pytest.mark.parametrize("prefix", ["", "zh/"])
def test_every_figure_of_the_article_has_its_quote_after_its_paragraph(real, prefix):
    """Section 2: a reader reaches the source's words for each figure of the article without leaving it: one
    disclosure after each paragraph lists the paragraph's figures with their quotes (a <details> cannot stand in a
    <p>)."""
    root, out = real
    facts = {f["key"]: f for f in json.loads((out / "data/facts.json").read_text(encoding="utf-8"))["figures"]}
    page = (out / prefix / "news/2023-jiangyin-development-summit/index.html").read_text(encoding="utf-8")
    body = page[page.index('<article class="prose">') : page.index("</article>")]
    blocks = re.split(r'<details class="quote quotes" data-pagefind-ignore>(.*?)</details>', body, flags=re.S)
    shown = 0
    for text, quotes in zip(blocks[::2], blocks[1::2] + [""]):
        for key in re.findall(r'<span class="fig" data-fact="([^"]+)">', text):
            quote = facts[key]["quote"]
            assert quote and str(escape(quote)) in quotes, key  # in the disclosure right after its paragraph
            shown += 1
    assert shown == len(re.findall(r'<span class="fig" data-fact=', body)) > 20


@pytest.mark.parametrize("prefix", ["", "zh/"])
def test_the_summits_table_and_the_home_sentence_show_their_figures_quotes(real, prefix):
    _, out = real
    summits = (out / prefix / "summits/index.html").read_text(encoding="utf-8")
    start = summits.index("<tbody>", summits.index("</figure>"))  # the table after the chart's
    table = summits[start : summits.index("</tbody>", start)]
    cells = re.findall(r"<td[^>]*>.*?</td>", table, re.S)
    assert len(cells) == 10 and all('<details class="quote" data-pagefind-ignore>' in c for c in cells)
    assert "经洽会期间" in table  # the 2019 whole-fair note, beside its count
    home = (out / prefix / "index.html").read_text(encoding="utf-8")
    latest = home[home.index(f'<p><a href="/{prefix}summits/summit-2023/"><bdi>') :]
    sentence, after = latest.split("</p>", 1)
    assert after.lstrip().startswith('<details class="quote quotes" data-pagefind-ignore>')
    assert "217 projects involving a total investment over 100 billion yuan were signed</q>" in after


@pytest.mark.parametrize(
    "prefix, stages, brackets",
    [
        (
            "",
            'Under construction (as of July 2022)</li><li class="badge badge-provincial-major">Jiangsu major project '
            '(as of 2023)</li><li class="badge badge-line-opened">Line-opening ceremony held (as of September 2024)',
            ["Project (company)", "Figures citing this source ("],
        ),
        (
            "zh/",
            '在建（截至2022年7月）</li><li class="badge badge-provincial-major">江苏省重大项目（截至2023年）'
            '</li><li class="badge badge-line-opened">举行通线仪式（截至2024年9月）',
            ["项目（企业）", "引用此来源的数据（"],
        ),
    ],
)
def test_each_stage_of_a_project_has_its_own_date_and_brackets_follow_the_language(real, prefix, stages, brackets):
    """Finding 7: JCET's stages each with their date (no one 'as of' for all three); finding 25: the brackets of
    interface text are the language's own (full-width in Chinese)."""
    _, out = real
    page = (out / prefix / "projects/jcet-wafer-level-microsystem-integration/index.html").read_text(encoding="utf-8")
    badges = re.search(r'<ul class="badges".*?</ul>(.{0,40})', page, re.S)
    assert stages in badges.group(0) and 'class="as-of"' not in badges.group(1)
    listing = (out / prefix / "projects/index.html").read_text(encoding="utf-8")
    sources = (out / prefix / "sources/index.html").read_text(encoding="utf-8")
    assert brackets[0] in listing and brackets[1] in sources


def test_the_quotes_follow_the_block_that_holds_the_figures():
    """After a paragraph or heading (which hold no block); inside a list item (before a list nested in it) or a
    table cell; one disclosure for the figures of one block."""
    m = "\ue000"
    html = (
        f"<h2>A {m}0{m}</h2>\n<p>B {m}1{m} and {m}2{m}</p>\n<ul>\n<li>C {m}3{m}\n<ul><li>D {m}4{m}</li></ul></li>\n"
        f"</ul>\n<table><tr><td>E {m}5{m}</td></tr></table>"
    )
    out = Converted(html, m).fill([f"[{n}]" for n in range(6)], after=lambda slots: f"<Q{slots}>")
    assert out == (
        "<h2>A [0]</h2><Q[0]>\n<p>B [1] and [2]</p><Q[1, 2]>\n<ul>\n<li>C [3]\n<Q[3]><ul><li>D [4]<Q[4]>"
        "</li></ul></li>\n</ul>\n<table><tr><td>E [5]<Q[5]></td></tr></table>"
    )


def test_a_stage_dated_but_not_reached_is_an_error_at_its_key(tmp_path):
    """Finding 7: stage_dates (keys_in: status) gives dates only to the stages the project lists."""
    root = make_site(tmp_path / "site", content=REPO / "content")
    edit(
        root,
        "content/projects.yaml",
        "stage_dates: {under-construction: 2022-07,",
        "stage_dates: {signed: 2022-01, under-construction: 2022-07,",
    )
    line = line_of(root, "content/projects.yaml", "  stage_dates: {signed")
    assert errors_of(run_build(root)) == [
        f"content/projects.yaml:{line}:17: error: 'signed' is not in status: stage_dates gives dates only to what "
        "status lists"
    ]


def element(page: str, ident: str) -> str:
    """The HTML of the element with an id, from its start tag to its end tag (nested ones of its name counted)."""
    start = re.search(rf'<([a-z0-9]+)\b[^>]* id="{re.escape(ident)}"', page)
    assert start, f"no element has the id {ident}"
    tag, depth = start.group(1), 0
    for mark in re.finditer(rf"<(/?){tag}\b", page[start.start() :]):
        depth += -1 if mark.group(1) else 1
        if depth == 0:
            return page[start.start() : start.start() + mark.start()]
    raise AssertionError(f"the element {ident} is not closed")


QUOTE_LINK = re.compile(r'<a class="quote" href="([^"#]*)#([^"]+)" aria-label="([^"]+)">([^<]+)</a>')


@pytest.mark.parametrize("prefix", ["", "zh/"])
def test_every_figure_in_a_table_has_its_quote_in_its_cell_or_a_link_to_where_it_is_shown(real, prefix):
    """Issue 23, section 2: the source's words beside every figure, chart data tables included; a derived figure
    says how instead. The home page's tables, within its byte budget (17 quotes in its charts' tables would take it
    past), link each figure to where its quote is shown: its charts' figures to their own pages (the economy page,
    each conference's), its panel's headline figures to their cards above. The link's target exists and shows the
    same figure (its text and source) with that figure's own quote; each link's name says which figure."""
    _, out = real
    facts = {f["anchor"]: f for f in json.loads((out / "data/facts.json").read_text(encoding="utf-8"))["figures"]}
    text = "text_zh" if prefix else "text"
    checked, linked = 0, {}
    for path in sorted((out / prefix).rglob("index.html")):
        rel = path.relative_to(out).as_posix()
        if prefix == "" and rel.startswith("zh/"):
            continue
        page = path.read_text(encoding="utf-8")
        for table in re.findall(r"<table.*?</table>", page, re.S):
            for cell in re.findall(r"<td[^>]*>(?:(?!</td>).)*?</td>", table, re.S):
                if 'class="fig"' not in cell:
                    continue
                checked += 1
                if '<details class="quote" data-pagefind-ignore>' in cell:
                    continue
                link = QUOTE_LINK.search(cell)
                if not link:
                    assert 'class="fig-note"' in cell and cell.count('class="fig"') == 1, f"{rel}: {cell[:300]}"
                    continue
                href, anchor, name, shown = link.groups()
                fact = facts[anchor]
                source = fact["source"]["id"]
                figure = f'<span class="fig">{escape(fact[text])}</span><sup class="cite"><a href="#src-{source}"'
                assert cell.count('class="fig"') == 1 and figure in cell, f"{rel}: {cell[:300]}"  # the cell's figure
                there = page if href == "" else (out / href.lstrip("/") / "index.html").read_text(encoding="utf-8")
                target = element(there, anchor)
                assert figure in target, f"{rel} -> {href}#{anchor}"  # the same figure, from the same source
                assert f">{escape(fact['quote'])}</q></details>" in target, f"{rel} -> {href}#{anchor}"  # its quote
                assert shown in name and name != shown  # it names the figure, out of context too
                linked.setdefault(rel, []).append(name)
    assert checked > 150
    assert list(linked) == [f"{prefix}index.html"] and len(linked[f"{prefix}index.html"]) >= 17 + 3
    assert all(len(set(names)) == len(names) for names in linked.values())  # no two links named alike
