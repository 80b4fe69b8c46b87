"""Every claim as strong as its source: the rules the build enforces on content (who ranks, the basis of a growth rate,
promotional sources, time-relative words), every caveat reaching a page and the downloads, and no sentence copied
from the sources the project started from."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
import yaml
from conftest import REPO, edit, make_site, run_build
from test_errors import errors_of, hint_after

from sitegen.content import kinds
from sitegen.content.fields import ListOf, MapOf, Prose, Record, Text
from sitegen.content.validate import REF, load_content
from sitegen.errors import Problems

SHARED = REPO / "research"  # the seed release and the facts file, copied from the project brief


# Rules, each reported at its file, line and column.


def test_a_rank_needs_who_ranks_and_among_whom(site):
    edit(site, "content/profile.yaml", "    by: not named by the release\n    scope: county-level cities, by GDP\n", "")
    result = run_build(site)
    line = _line(site, "content/profile.yaml", "    label: GDP rank")  # the rank's first line
    assert errors_of(result) == [
        f"content/profile.yaml:{line}:5: error: missing keys 'by' and 'scope': required when unit is rank"
    ]
    assert "who ranks and among whom" in hint_after(result, f"content/profile.yaml:{line}:5")


def test_who_ranks_belongs_to_ranks_only(site):
    edit(site, "content/profile.yaml", "    label: Population\n", "    label: Population\n    by: Someone\n")
    line = _line(site, "content/profile.yaml", "    by: Someone")
    assert errors_of(run_build(site)) == [
        f"content/profile.yaml:{line}:5: error: 'by' is only for a record whose unit is rank"
    ]


def test_a_tied_rank_is_shown_with_whom_it_is_shared(site):
    edit(
        site,
        "content/profile.yaml",
        "    scope: county-level cities, by GDP\n",
        "    scope: county-level cities, by GDP\n    shared_with: Kunshan\n",
    )
    assert run_build(site).returncode == 0
    home = (site / "_site/economy/index.html").read_text()  # the profile's page, where its rankings are
    assert "2nd, shared with Kunshan</span>" in home
    assert "Among county-level cities, by GDP. Ranked by: not named by the release." in home


GROWTH = """  growth:
    label: GDP growth
    value: 5.9
    unit: {unit}
    as_of: 2023
    source: paper
    quote: GDP grew 5.9% in 2023
"""


def test_a_growth_rate_needs_its_basis(site):
    edit(site, "content/profile.yaml", "gdp:\n", GROWTH.format(unit="percent-change") + "gdp:\n")
    line = _line(site, "content/profile.yaml", "    label: GDP growth")
    assert errors_of(run_build(site)) == [
        f"content/profile.yaml:{line}:5: error: missing key 'basis': required when unit is percent-change"
    ]


def test_a_growth_rate_written_as_a_plain_percent_is_refused(site):
    edit(site, "content/profile.yaml", "gdp:\n", GROWTH.format(unit="percent") + "gdp:\n")
    result, line = run_build(site), _line(site, "content/profile.yaml", "    unit: percent")
    assert errors_of(result) == [
        f"content/profile.yaml:{line}:11: error: a growth rate needs 'unit: percent-change' and its basis"
    ]
    assert "basis: real" in hint_after(result, f"content/profile.yaml:{line}:11")


def test_a_growth_rate_shows_its_basis_everywhere(site):
    edit(site, "content/profile.yaml", "gdp:\n", GROWTH.format(unit="percent-change") + "    basis: real\ngdp:\n")
    assert run_build(site).returncode == 0, "the growth figure is valid with its basis"
    home = (site / "_site/economy/index.html").read_text()
    assert '<span class="fig">5.9% in real terms</span>' in home
    facts = (site / "_site/data/facts.json").read_text()
    assert '"basis": "real"' in facts and '"text": "5.9% in real terms"' in facts


def test_a_press_release_cannot_be_rated_high(site):
    edit(
        site,
        "content/sources.yaml",
        "  kind: press-release\n  language: en\n  reliability: medium",
        "  kind: press-release\n  language: en\n  reliability: high",
    )
    result = run_build(site)
    line = _line(site, "content/sources.yaml", "  reliability: high")
    assert errors_of(result) == [
        f"content/sources.yaml:{line}:16: error: reliability 'high' is not allowed when "
        "kind is press-release or company"
    ]
    assert "attribute its claims" in hint_after(result, f"content/sources.yaml:{line}:16")


def test_a_source_says_what_kind_it_is(site):
    edit(site, "content/sources.yaml", "  kind: news\n", "")
    assert errors_of(run_build(site))[0].startswith("content/sources.yaml:9:3: error: missing required key 'kind'")


@pytest.mark.parametrize(
    "text, found",
    [
        ("The latest development summit", ["latest"]),
        ("It is the largest so far. It grew.", ["so far"]),
        ("Projects now under way", ["now"]),
        ("Currently it leads; recently it fell", ["Currently", "recently"]),
        ("The latest period it reports is the year 2013.", []),  # the sentence names its year
        ("The most recent summit in the data ({year})", []),  # a computed label
        ("In 2020 it grew. It now leads.", ["now"]),  # a year in another sentence does not count
        ("It is known that snow fell in the nowhere town.", []),
        ("目前江阴领先。", ["目前"]),  # Chinese too
        ("2023年，江阴目前领先。", []),
        ("另一个页面没有注明年份。今年增长。", ["今年"]),  # 注明年份 is not 明年
    ],
)
def test_time_relative_words(text, found):
    words = kinds.load_registry(REPO, Problems()).declared_languages.time_words  # every declared language's
    assert [word for _, word in words.find(text)] == found


def test_time_relative_words_are_errors_at_their_place(site):
    edit(site, "content/companies.yaml", "  summary: ", "  summary: Now the largest. ")
    edit(site, "content/i18n/en.yaml", "home_news: News", "home_news: Latest news")
    path = next((site / "content/articles").glob("*.md"))
    path.write_text(path.read_text() + "\nIt is the biggest so far.\n")
    lines = path.read_text().splitlines()
    errs = errors_of(run_build(site))
    assert errs == [
        f"content/articles/{path.name}:{len(lines)}:19: error: time-relative word 'so far' without a year",
        "content/companies.yaml:5:12: error: time-relative word 'Now' without a year",
        f"content/i18n/en.yaml:{_line(site, 'content/i18n/en.yaml', 'home_news:')}:12: error: "
        "time-relative word 'Latest' without a year",
    ]


def _line(site: Path, rel: str, start: str) -> int:
    """The 1-based line of a file that starts with `start`."""
    return next(n for n, line in enumerate((site / rel).read_text().splitlines(), 1) if line.startswith(start))


# Every caveat reaches a page and the downloads.


def test_every_figure_note_reaches_the_csv_downloads(tmp_path):
    root = make_site(tmp_path / "site", content=REPO / "content")
    assert run_build(root).returncode == 0
    rows = list(csv.DictReader(io.StringIO((root / "_site/data/projects.csv").read_text())))
    chips = {r["id"]: r for r in rows if r["investment_value"]}
    assert set(chips) == {"jcet-wafer-level-microsystem-integration", "sj-3dic-packaging"}
    assert chips["jcet-wafer-level-microsystem-integration"]["investment_qualifier"] == ""
    assert "for this project alone" in chips["jcet-wafer-level-microsystem-integration"]["investment_note"]
    assert chips["sj-3dic-packaging"]["investment_qualifier"] == "over"
    assert "reads it as each project's, not their total" in chips["sj-3dic-packaging"]["investment_note"]
    assert all(row["investment_quote"] for row in chips.values())
    gdp = list(csv.DictReader(io.StringIO((root / "_site/data/gdp.csv").read_text())))
    assert any(row["gdp_note"] for row in gdp)


def _text_fields(record: Record):
    """The fields of a record that hold words a reader should see (names, summaries, notes, labels, caveats), and
    the nested records (figures, notes) with how they are held."""
    for name, spec in record.fields.items():
        if type(spec) in (Text, Prose):
            yield name, spec, None
        elif isinstance(spec, Record):
            yield name, spec, "one"
        elif isinstance(spec, ListOf) and isinstance(spec.item, Record):
            yield name, spec.item, "list"
        elif isinstance(spec, MapOf) and isinstance(spec.value, Record):
            yield name, spec.value, "map"


def _fill(record: Record, data: dict, path: str, tokens: dict) -> None:
    """Set every text field of a record (given or not) to a token naming its path, recursing into nested records;
    fields a rule keeps to ranks are set on ranks only."""
    for name, spec, held in _text_fields(record):
        where = f"{path}.{name}"
        if held is None:
            if name.removesuffix("_zh") in ("by", "scope", "shared_with") and data.get("unit") != "rank":
                continue
            token = tokens.setdefault(where, f"Zentinel{chr(65 + len(tokens) // 26)}{chr(65 + len(tokens) % 26)}")
            data[name] = "哨" + token if name.endswith("_zh") else token  # a Chinese text holds a Chinese character
        elif data.get(name):
            values = [data[name]] if held == "one" else data[name] if held == "list" else data[name].values()
            for value in values:
                _fill(spec, value, where, tokens)


def test_every_text_field_of_the_content_model_reaches_a_page_or_a_download(tmp_path):
    """A field the content model accepts but nothing shows is a caveat lost: give every text field of every kind a
    token, build, and find each token in the published site."""
    root = make_site(tmp_path / "site", content=REPO / "content")
    tokens: dict[str, str] = {}
    registry = kinds.load_registry(REPO, Problems())
    for kind in registry.of_shape("list", "single"):
        path = root / "content" / kind.file
        data = yaml.safe_load(path.read_text())
        items = data if kind.collection else [data]
        for item in items:
            _fill(kind.root.item if kind.collection else kind.root, item, kind.name, tokens)
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    for article in (root / "content/articles").glob("*.md"):
        front, body = article.read_text().split("\n---\n", 1)
        meta = yaml.safe_load(front.removeprefix("---\n"))
        _fill(registry["articles"].record, meta, "articles", tokens)
        article.write_text("---\n" + yaml.safe_dump(meta, allow_unicode=True, sort_keys=False) + "---\n" + body)
    result = run_build(root)
    assert result.returncode == 0, result.stderr
    published = "\n".join(
        p.read_text(errors="replace")
        for p in (root / "_site").rglob("*")
        if p.is_file() and p.suffix in (".html", ".csv", ".json", ".xml")
    )
    assert len(tokens) > 40
    assert sorted(path for path, token in tokens.items() if token not in published) == []


# No sentence copied from the sources the project started from.

WORD = re.compile(r"[a-z0-9]+(?:['’-][a-z0-9]+)*")
OVERLAP = 8  # consecutive words shared with a source that make a copied sentence


def _words(text: str) -> list[str]:
    return WORD.findall(text.lower())


def _source_ngrams() -> set[tuple[str, ...]]:
    """Every run of OVERLAP words in the seed press release and the facts' verbatim quotes."""
    texts = [p.read_text() for p in (SHARED / "seed").glob("*.txt")]
    facts = yaml.safe_load((SHARED / "facts" / "jiangyin-facts.yaml").read_text())["facts"]
    texts += [str(f.get("quote", "")) for f in facts]
    grams = set()
    for text in texts:
        words = _words(text)
        grams |= {tuple(words[i : i + OVERLAP]) for i in range(len(words) - OVERLAP + 1)}
    return grams


def _our_sentences(content) -> list[tuple[str, str]]:
    """(where, text) for every text we wrote: summaries, notes, labels, caveats, article titles, summaries and
    bodies, interface strings; with the names of items and sources (which come from the sources) cut out."""
    names = sorted(
        {
            n
            for kind in ("industries", "companies", "projects", "events")
            for item in getattr(content, kind).values()
            for n in (item.name, getattr(item, "short_name", None))
            if n
        }
        | {s.title for s in content.sources.values()},
        key=len,
        reverse=True,
    )
    cut = re.compile("|".join(re.escape(n) for n in names), re.IGNORECASE)
    texts = [("profile.summary", content.profile.summary)]
    for kind in ("industries", "companies", "projects", "events", "sources"):
        for item in getattr(content, kind).values():
            texts += [
                (f"{kind}.{item.id}.summary", getattr(item, "summary", None) or ""),
                (f"{kind}.{item.id}.note", getattr(item, "note", None) or ""),
            ]
            texts += [(f"{kind}.{item.id}.notes", n.text) for n in getattr(item, "notes", ())]
    texts += [("profile.notes", n.text) for n in content.profile.notes]
    for key, fig in content.figures.items():
        texts += [(key, " | ".join(x for x in (fig.label, fig.note, fig.scope, fig.by) if x))]
    for article in content.articles.values():
        texts += [(article.slug, f"{article.title} | {article.summary} | {REF.sub(' | ', article.body)}")]
    texts += [(f"strings.{key}", value) for key, value in content.strings["en"].items()]
    return [(where, cut.sub(" | ", text)) for where, text in texts]


def test_no_sentence_is_copied_from_the_seed_or_the_quoted_facts():
    problems = Problems()
    content = load_content(REPO, problems)
    assert content is not None, problems.errors
    grams = _source_ngrams()
    assert len(grams) > 500
    copied = []
    for where, text in _our_sentences(content):
        for piece in text.split("|"):
            words = _words(piece)
            copied += [
                f"{where}: {' '.join(words[i : i + OVERLAP])}"
                for i in range(len(words) - OVERLAP + 1)
                if tuple(words[i : i + OVERLAP]) in grams
            ]
    assert copied == []


def test_the_overlap_check_finds_a_copied_sentence():
    seed = next((SHARED / "seed").glob("*.txt")).read_text()
    sentence = re.search(r"The projects, covering new energy[^.]*\.", seed).group(0)
    words = _words(sentence)
    assert any(tuple(words[i : i + OVERLAP]) in _source_ngrams() for i in range(len(words) - OVERLAP + 1))


@pytest.mark.parametrize(
    "text, found",
    [
        ("2023年10月28日，共签约217个项目，增长5.9%。", ["217", "5.9"]),  # figures typed beside Chinese text
        ("第2名", ["2"]),
        ("SJ半导体3DIC封装项目和PL-5喷雾剂于2009年5月投产。", []),  # digits in names, dates in Chinese
        ("[[events.summit-2023.projects]]，[[profile.gdp.2023]]。", []),
    ],
)
def test_figures_typed_in_chinese_prose(text, found):
    from sitegen.content.prose import typed_figures

    assert [snippet for _, snippet in typed_figures(text)] == found
