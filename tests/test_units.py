"""Unit tests per stage, fed in-memory inputs: load, schema, numbers, write."""

from __future__ import annotations

from decimal import Decimal

import pytest
from conftest import REPO

from sitegen.content import kinds
from sitegen.content.fields import INVALID, Cx, Number, Period, Slug, Text, Url
from sitegen.content.load import location, parse_yaml, split_items
from sitegen.content.model import Figure, replace
from sitegen.errors import Location, Problems, SiteError
from sitegen.output.write import check_outputs, safe_dest
from sitegen.site.numbers import format_figure, number, plural

LANGUAGES = kinds.load_registry(REPO, Problems()).declared_languages
EN, ZH = LANGUAGES["en"], LANGUAGES["zh"]


def parse(field, text: str):
    """Parse a one-value YAML document with a field; return (value, error lines)."""
    problems = Problems()
    node = parse_yaml(f"v: {text}\n", "t.yaml", problems).value[0][1]
    value = field.parse(node, Cx("t.yaml", problems))
    return value, [e.format().splitlines()[0] for e in problems.errors]


# load


def test_parse_yaml_reports_duplicate_keys_in_nested_mappings():
    problems = Problems()
    parse_yaml("a:\n  b: 1\n  b: 2\n", "x.yaml", problems)
    assert [e.format().splitlines()[0] for e in problems.errors] == ["x.yaml:3:3: error: duplicate key 'b'"]


def test_split_items_cuts_a_plain_list_and_refuses_what_ties_items_together():
    assert split_items("# c\n- id: a\n  x: 1\n- id: b\n") == [(1, "- id: a\n  x: 1\n"), (3, "- id: b\n")]
    assert split_items("- id: a\n  note: R&D, 5*3 and wow!\n- id: b\n") is not None  # not value starts
    for tied in (
        "- &x id: a\n- id: b\n",
        "- id: a\n  y: *x\n",
        "- id: !foo a\n",
        "- {id: a}\n---\n- id: b\n",
        "%YAML 1.1\n---\n- id: a\n",
        "- id: a\n  k: [*x]\n",
    ):
        assert split_items(tied) is None, tied


def test_front_matter_offset_shifts_lines():
    problems = Problems()
    root = parse_yaml("title: x\ndate: y\n", "a.md", problems, line_offset=1)
    assert location("a.md", root.value[1][0], 1).line == 3
    parse_yaml("a: 1\na: 2\n", "b.yaml", problems, line_offset=10)
    assert [e.format().splitlines()[0] for e in problems.errors] == ["b.yaml:12:1: error: duplicate key 'a'"]
    assert "already set on line 11" in problems.errors[0].hint


# schema


@pytest.mark.parametrize(
    "text, value, error",
    [
        ("hello", "hello", None),
        ("'no'", "no", None),
        ("no", INVALID, "t.yaml:1:4: error: expected text, got `no` is read by YAML as false"),
        ("", INVALID, "t.yaml:1:3: error: expected text, got an empty value"),
        ("[a]", INVALID, "t.yaml:1:4: error: expected text, got a list"),
    ],
)
def test_text(text, value, error):
    got, errors = parse(Text(), text)
    assert got == value and errors == ([error] if error else [])


@pytest.mark.parametrize(
    "text, ok",
    [
        ("475.418", True),
        ("1_000", True),
        ("-1", False),
        ("012", False),
        (".inf", False),
        ("true", False),
        ("'5'", False),
    ],
)
def test_number(text, ok):
    value, errors = parse(Number(), text)
    assert (value is not INVALID) == ok and bool(errors) != ok
    if ok:
        assert isinstance(value, Decimal)


def test_number_keeps_exact_decimal():
    assert parse(Number(), "4580.33")[0] == Decimal("4580.33")


@pytest.mark.parametrize(
    "text, ok",
    [
        ("2022", True),
        ("'2023-03'", True),
        ("2023-10-28", True),
        ("'2023-13'", False),
        ("'2023-02-30'", False),
        ("last year", False),
    ],
)
def test_period(text, ok):
    assert (parse(Period(), text)[0] is not INVALID) == ok


@pytest.mark.parametrize(
    "text, ok",
    [("jcet", True), ("summit-2023", True), ("Jcet", False), ("a--b", False), ("../x", False), ("a_b", False)],
)
def test_slug(text, ok):
    assert (parse(Slug(), text)[0] is not INVALID) == ok


@pytest.mark.parametrize(
    "text, ok",
    [
        ("https://a.org/x", True),
        ("http://a.org", True),
        ("javascript:alert(1)", False),
        ("//a.org", False),
        ("ftp://a.org", False),
        ("https://", False),
    ],
)
def test_url(text, ok):
    assert (parse(Url(), text)[0] is not INVALID) == ok


def test_figure_record_builds_a_figure_and_registers_its_source_reference():
    problems = Problems()
    node = parse_yaml(
        "value: 100\nscale: billion\nunit: CNY\nqualifier: over\nas_of: 2023\nsource: s1\n"
        "quote: over 100 billion yuan\n",
        "f.yaml",
        problems,
    )
    cx = Cx("f.yaml", problems)
    fig = kinds.figure(LANGUAGES.figure_units).parse(node, cx)
    assert fig == Figure(Decimal(100), "CNY", "2023", "s1", "billion", "over", quote="over 100 billion yuan")
    assert cx.refs == [("sources", "s1", "f.yaml", 6, 9)]


# numbers


def fig(value, unit, scale=None, qualifier=None):
    return Figure(Decimal(value), unit, "2023", "s", scale, qualifier)


@pytest.mark.parametrize(
    "figure, full, short",
    [
        (fig("475.418", "CNY", "billion"), "475.418 billion yuan", "475.4 billion yuan"),
        (fig("100", "CNY", "billion", "over"), "over 100 billion yuan", "over 100 billion yuan"),
        (fig("1", "EUR", "billion", "over"), "over €1 billion", "over €1 billion"),
        (fig("680", "CNY", "yi"), "68 billion yuan", "68 billion yuan"),
        (fig("1595138", "people"), "1,595,138 people", "1.6 million people"),
        (fig("178.4", "people", "wan"), "1.784 million people", "1.8 million people"),
        (fig("2", "rank"), "2nd", "2nd"),
        (fig("21", "rank"), "21st", "21st"),
        (fig("12", "rank"), "12th", "12th"),
        (fig("5.9", "percent"), "5.9%", "5.9%"),
        (fig("1", "projects"), "1 project", "1 project"),
        (fig("30", "years", qualifier="over"), "over 30 years", "over 30 years"),
        (fig("1.1", "USD", "billion"), "US$1.1 billion", "US$1.1 billion"),
    ],
)
def test_format_figure(figure, full, short):
    assert format_figure(figure, EN) == full
    assert format_figure(figure, EN, short=True) == short


def fig_with(figure: Figure, **changes) -> Figure:
    return replace(figure, **changes)


@pytest.mark.parametrize(
    "figure, full, short",
    [
        (fig("496.051", "CNY", "billion"), "4960.51亿元", "4960.5亿元"),  # 亿, the unit after the number, no grouping
        (fig("100", "CNY", "billion", "over"), "超过1000亿元", "超过1000亿元"),
        (fig("1", "CNY", "trillion", "over"), "超过1万亿元", "超过1万亿元"),
        (fig("680", "CNY", "yi"), "680亿元", "680亿元"),
        (fig("178.4", "people", "wan"), "178.4万人", "178.4万人"),  # 万
        (fig("1595138", "people"), "1595138人", "159.5万人"),  # unscaled: no digit grouping in Chinese
        (fig("1.1", "USD", "billion"), "11亿美元", "11亿美元"),
        (fig("1", "EUR", "billion", "over"), "超过10亿欧元", "超过10亿欧元"),
        (fig("217", "projects"), "217个项目", "217个项目"),  # measure words
        (fig("59", "companies"), "59家", "59家"),
        (fig("3300", "enterprises", qualifier="over"), "超过3300家企业", "超过3300家企业"),
        (fig("550", "guests"), "550位嘉宾", "550位嘉宾"),
        (fig("16", "funds"), "16支基金", "16支基金"),
        (fig("987.53", "km2"), "987.53平方公里", "987.5平方公里"),
        (fig("5.9", "percent"), "5.9%", "5.9%"),
        (fig_with(fig("5.9", "percent-change"), basis="real"), "5.9%（按可比价格计算）", "5.9%（按可比价格计算）"),
        (fig("2", "rank"), "第2", "第2"),
        (fig_with(fig("1", "rank"), shared_with="昆山市"), "第1（与昆山市并列）", "第1（与昆山市并列）"),
        (fig("30", "years", qualifier="over"), "超过30年", "超过30年"),
        (fig("150", "enterprises", qualifier="nearly"), "近150家企业", "近150家企业"),
        (fig("150", "enterprises", qualifier="about"), "约150家企业", "约150家企业"),
    ],
)
def test_format_figure_in_chinese(figure, full, short):
    assert format_figure(figure, ZH) == full
    assert format_figure(figure, ZH, short=True) == short


def test_format_bare_drops_unit():
    assert format_figure(fig("217", "projects"), EN, bare=True) == "217"


# write


@pytest.mark.parametrize(
    "dest, ok",
    [
        ("a/index.html", True),
        ("../x", False),
        ("/etc/passwd", False),
        ("a/../../x", False),
        ("", False),
        ("a\\b", False),
    ],
)
def test_safe_dest(dest, ok):
    assert safe_dest(dest) == ok


def test_two_outputs_for_one_path_are_refused_naming_both():
    problems = Problems()
    check_outputs([("style.css", "static/style.css"), ("style.css", "page style.css")], problems)
    assert [e.message for e in problems.errors] == [
        "'style.css' is written twice: by static/style.css and by page style.css"
    ]


def test_paths_that_clash_in_any_case_or_leave_the_folder_are_refused():
    def errors(*dests):
        problems = Problems()
        check_outputs([(d, f"page {n}") for n, d in enumerate(dests)], problems)
        return [e.message for e in problems.errors]

    assert errors("a/index.html", "b/index.html") == []
    assert errors("a/index.html", "A/index.html") == ["'A/index.html' is written twice: by page 0 and by page 1"]
    assert errors("a/index.html", "a/index.html") == ["'a/index.html' is written twice: by page 0 and by page 1"]
    assert errors("a/index.html", "../x") == ["output path '../x' would leave the output folder"]


def test_error_format():
    e = SiteError(Location("content/a.yaml", 3, 5), "bad", "fix it")
    assert e.format() == "content/a.yaml:3:5: error: bad\n  hint: fix it"


def test_committed_json_schemas_match_the_field_definitions():
    from conftest import REPO

    from sitegen.content.kinds import load_registry

    for name, data in load_registry(REPO, Problems()).schema_files.items():
        assert (REPO / "schema" / name).read_bytes() == data, f"schema/{name} is stale: run python build.py schema"


# cache


def test_cache_version_follows_the_generator_code_and_the_installed_libraries(tmp_path, monkeypatch):
    import importlib
    import os

    from sitegen.incremental import cache

    lib = tmp_path / "fakelib"
    lib.mkdir()
    (lib / "__init__.py").write_text("")
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.invalidate_caches()
    monkeypatch.setattr(cache, "LIBRARIES", cache.LIBRARIES + ("fakelib",))
    package = tmp_path / "generator"
    package.mkdir()
    (package / "a.py").write_text("x = 1\n")
    monkeypatch.setattr(cache, "PACKAGE", package)

    def version():
        return cache.stamp(tmp_path, tmp_path / "_site", "https://example.org/", {})

    first = version()
    assert version() == first
    (package / "a.py").write_text("x = 2\n")  # the generator changed
    second = version()
    assert second != first
    os.utime(lib, ns=(1, 1))  # the library was reinstalled: its folder changed
    third = version()
    assert third != second
    (package / "site").mkdir()
    (package / "site/b.py").write_text("y = 1\n")  # a module in a sub-package
    fourth = version()
    assert fourth != third
    (package / "site/b.py").write_text("y = 2\n")
    assert version() != fourth
    assert cache.stamp(tmp_path, tmp_path / "_site", "https://example.org/repo/", {}) != version()


def test_plural_forms_tell_one_from_one_point_zero():
    """CLDR's answers are kept per question, a Decimal by its text: 1 is 'one', 1.0 is 'other' in English."""
    assert [plural(n, EN.locale) for n in (1, Decimal("1.0"), 1, 777)] == ["one", "other", "one", "other"]
    assert number(fig("23", "rank"), EN) == "23rd" and plural(1, ZH.locale) == "other"
    assert [number(fig(n, "rank"), EN) for n in ("1", "2", "11", "12", "21", "102")] == [
        "1st",
        "2nd",
        "11th",
        "12th",
        "21st",
        "102nd",
    ]  # CLDR's ordinal categories, the language's patterns
