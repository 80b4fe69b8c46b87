"""Every class of content error prints `path:line:col: error: message`, a hint where one is known, and no traceback."""

from __future__ import annotations

import pytest
from conftest import edit, make_site, run_build, tree_bytes


def errors_of(result) -> list[str]:
    """The error lines a failed build printed, after checking the exit code and the absence of a traceback."""
    assert result.returncode == 1, result.stderr + result.stdout
    assert "Traceback" not in result.stderr
    assert result.stderr.rstrip().splitlines()[-1].startswith("Failed:")
    return [line for line in result.stderr.splitlines() if ": error: " in line]


def hint_after(result, error_prefix: str) -> str:
    """The hint line printed right after the error starting with error_prefix."""
    lines = result.stderr.splitlines()
    i = next(n for n, line in enumerate(lines) if line.startswith(error_prefix))
    return lines[i + 1].strip() if i + 1 < len(lines) and lines[i + 1].startswith("  hint:") else ""


def test_yaml_syntax_error(site):
    edit(site, "content/industries.yaml", "  tiers: [pillar]", "  tiers: [pillar")
    result = run_build(site)
    assert errors_of(result) == ["content/industries.yaml:4:10: error: YAML syntax: did not find expected ',' or ']'"]
    assert (
        hint_after(result, "content/industries.yaml:4:10")
        == "hint: the '[' at line 3, column 10 is not closed with ']'"
    )


def test_tab_indentation(site):
    edit(site, "content/site.yaml", "title: Mini Profile", "title: Mini Profile\n\tlanguage: en")
    result = run_build(site)
    assert errors_of(result) == ["content/site.yaml:2:1: error: tab character in indentation"]
    assert "spaces" in hint_after(result, "content/site.yaml:2:1")


def test_duplicate_key(site):
    edit(site, "content/site.yaml", "publisher: Test Publisher", "publisher: Test Publisher\ntitle: Again")
    result = run_build(site)
    assert errors_of(result) == ["content/site.yaml:6:1: error: duplicate key 'title'"]
    assert "already set on line 1" in hint_after(result, "content/site.yaml:6:1")


@pytest.mark.parametrize(
    "value, reading",
    [
        ("no", "`no` is read by YAML as false"),
        ("off", "`off` is read by YAML as false"),
        ("012345", "`012345` is read by YAML as the octal number 5349"),
        ("2023-10-28", "`2023-10-28` is read by YAML as a date"),
        ("1:20", "`1:20` is read by YAML as the base-60 number 80"),
    ],
)
def test_yaml_type_traps(site, value, reading):
    edit(site, "content/companies.yaml", "  name: ChipCo", f"  name: {value}")
    result = run_build(site)
    assert errors_of(result) == [f"content/companies.yaml:2:9: error: expected text, got {reading}"]
    assert hint_after(result, "content/companies.yaml:2:9").startswith("hint: quote it:")


def test_wrong_type_number_as_text(site):
    edit(site, "content/events.yaml", "    value: 217", "    value: '217'")
    result = run_build(site)
    assert errors_of(result) == ["content/events.yaml:8:12: error: expected a number, got the text '217'"]
    assert "without quotes" in hint_after(result, "content/events.yaml:8:12")


def test_missing_required_field(site):
    edit(site, "content/projects.yaml", "  company: chipco\n", "")
    errs = errors_of(run_build(site))
    assert errs == ["content/projects.yaml:1:3: error: missing required key 'company' (id of the company behind it)"]


def test_unknown_key_with_did_you_mean(site):
    edit(site, "content/projects.yaml", "  summary:", "  sumary:")
    result = run_build(site)
    assert errors_of(result)[0] == "content/projects.yaml:16:3: error: unknown key 'sumary'"
    assert hint_after(result, "content/projects.yaml:16:3") == "hint: did you mean 'summary'?"


def test_unknown_reference(site):
    edit(site, "content/projects.yaml", "  company: chipco", "  company: chipcoo")
    result = run_build(site)
    assert errors_of(result) == ["content/projects.yaml:3:12: error: unknown company 'chipcoo'"]
    assert hint_after(result, "content/projects.yaml:3:12") == "hint: did you mean 'chipco'?"


def test_duplicate_id(site):
    path = site / "content/industries.yaml"
    path.write_text(path.read_text() + "- id: textiles\n  name: Again\n  summary: Twice.\n  source: release\n")
    result = run_build(site)
    assert errors_of(result) == ["content/industries.yaml:11:3: error: duplicate id 'textiles' in industries"]
    assert "content/industries.yaml:1:3" in hint_after(result, "content/industries.yaml:11:3")


def test_invalid_slug(site):
    edit(site, "content/companies.yaml", "- id: chipco", "- id: Chip_Co")
    result = run_build(site)
    assert errors_of(result)[0] == (
        "content/companies.yaml:1:7: error: 'Chip_Co' is not a valid id: use only a-z, 0-9 and single hyphens"
    )
    assert hint_after(result, "content/companies.yaml:1:7") == "hint: try 'chip-co'"


def test_negative_amount(site):
    edit(site, "content/projects.yaml", "    value: 10", "    value: -10")
    result = run_build(site)
    assert errors_of(result) == ["content/projects.yaml:9:12: error: negative value -10"]


def test_url_not_http(site):
    edit(site, "content/sources.yaml", "  url: https://example.org/report", "  url: javascript:alert(1)")
    result = run_build(site)
    assert errors_of(result) == ["content/sources.yaml:13:8: error: 'javascript:alert(1)' is not an http(s) URL"]


def test_invalid_utf8(site):
    path = site / "content/sources.yaml"
    path.write_bytes(path.read_bytes().replace(b"A newspaper", b"A news\xffpaper"))
    errs = errors_of(run_build(site))
    assert errs == ["content/sources.yaml:10:16: error: invalid UTF-8 byte 0xff"]


def test_empty_file(site):
    (site / "content/companies.yaml").write_text("\n  \n")
    errs = errors_of(run_build(site))
    assert errs == ["content/companies.yaml:1:1: error: the file is empty"]


def test_unclosed_front_matter(site):
    edit(site, "content/articles/summit.md", "sources: [release]\n---\n", "sources: [release]\n\n")
    result = run_build(site)
    assert errors_of(result) == ["content/articles/summit.md:1:1: error: missing or unclosed front matter"]
    assert "three dashes" in hint_after(result, "content/articles/summit.md:1:1")


def test_front_matter_error_reported_at_file_line(site):
    edit(site, "content/articles/summit.md", "date: 2023-10-31", "date: 31 October 2023")
    errs = errors_of(run_build(site))
    assert errs == ["content/articles/summit.md:3:7: error: expected a date written YYYY-MM-DD, got '31 October 2023'"]


def test_unknown_figure_reference_in_article(site):
    edit(site, "content/articles/summit.md", "[[events.summit-2023.investment]]", "[[events.summit-2023.invesment]]")
    result = run_build(site)
    assert errors_of(result) == [
        "content/articles/summit.md:7:67: error: unknown reference [[events.summit-2023.invesment]]"
    ]
    assert (
        hint_after(result, "content/articles/summit.md:7:67") == "hint: did you mean 'events.summit-2023.investment'?"
    )


def test_template_syntax_error(site):
    edit(site, "templates/project.html", "{% endblock %}", "{% endblok %}")
    errs = errors_of(run_build(site))
    assert len(errs) == 1 and errs[0].startswith("templates/project.html:3:1: error: template syntax:")


def test_template_undefined_variable_names_template_line_and_page(site):
    edit(site, "templates/company.html", "{% block content %}", "{% block content %}\n<p>{{ item.sumary }}</p>")
    lines = (site / "templates/company.html").read_text().splitlines()
    line = lines.index("<p>{{ item.sumary }}</p>") + 1
    errs = errors_of(run_build(site))
    assert errs == [
        f"templates/company.html:{line}:1: error: UndefinedError: 'sitegen.content.model.Company object' has no "
        "attribute 'sumary' (while rendering /companies/chipco/)"
    ]


def test_undefined_ui_string(site):
    edit(site, "templates/404.html", "{% block content %}", "{% block content %}\n<p>{{ t.not_found_txt }}</p>")
    line = (site / "templates/404.html").read_text().splitlines().index("<p>{{ t.not_found_txt }}</p>") + 1
    result = run_build(site)
    assert errors_of(result) == ["content/i18n/en.yaml:1:1: error: missing string 'not_found_txt'"]
    assert hint_after(result, "content/i18n/en.yaml:1:1") == (
        f"hint: templates/404.html:{line} uses it: add a line 'not_found_txt: ...' to content/i18n/en.yaml, or fix the "
        "name there (did you mean 'not_found_text'?)"
    )


def test_all_errors_of_a_run_are_reported(site):
    edit(site, "content/companies.yaml", "  name: ChipCo", "  name: no")
    edit(site, "content/sources.yaml", "  reliability: medium", "  reliability: mediun")
    edit(site, "content/site.yaml", "languages: [en]", "languages: [en]\ncolour: red")
    errs = errors_of(run_build(site))
    assert [e.split(": error:")[0] for e in errs] == [
        "content/companies.yaml:2:9",
        "content/site.yaml:5:1",
        "content/sources.yaml:8:16",
    ]


def test_failed_build_leaves_previous_site_untouched(site):
    assert run_build(site).returncode == 0
    before = tree_bytes(site / "_site")
    edit(site, "content/events.yaml", "    value: 217", "    value: -217")
    result = run_build(site)
    assert result.returncode == 1 and "_site/ was left as it was" in result.stderr
    assert tree_bytes(site / "_site") == before
    # no staging
    assert sorted(p.name for p in site.iterdir()) == [
        ".cache",
        ".git",
        ".gitignore",
        "_site",
        "content",
        "models",
        "static",
        "templates",
    ]


def test_article_link_with_unsafe_scheme(site):
    edit(site, "content/articles/summit.md", "## The flagship", "## The flagship\n\nSee [this](javascript:alert(1)).")
    errs = errors_of(run_build(site))
    assert errs == ["content/articles/summit.md:11:12: error: link scheme 'javascript:' is not allowed"]


def test_missing_file(tmp_path):
    root = make_site(tmp_path / "s", {"content/events.yaml": None})
    result = run_build(root)
    assert result.returncode == 1
    assert "content/events.yaml: error: file is missing" in result.stderr


def test_figure_typed_in_article_prose(site):
    edit(
        site,
        "content/articles/summit.md",
        "## The flagship",
        "## The flagship\n\nIt drew 5.9% more, or 68 billion yuan.",
    )
    result = run_build(site)
    assert errors_of(result) == [
        "content/articles/summit.md:11:9: error: figure typed in the text: '5.9%'",
        "content/articles/summit.md:11:23: error: figure typed in the text: '68 billion'",
    ]
    assert "[[events.summit-2023.projects]]" in hint_after(result, "content/articles/summit.md:11:9")


def test_years_ordinals_and_references_may_stand_in_prose(site):
    edit(
        site,
        "content/articles/summit.md",
        "## The flagship",
        "## The flagship\n\nOn 28 October 2023, the 4th summit, as in 2017 and 2019; see [[profile.gdp.2021]].",
    )
    assert run_build(site).returncode == 0


def test_figure_shown_without_its_source_fails_the_build(site):
    edit(
        site,
        "templates/404.html",
        "{% block content %}",
        "{% block content %}\n<p>{{ content.figures['profile.gdp.2021']|fmt }}</p>",
    )
    result = run_build(site)
    assert errors_of(result) == [
        "templates/404.html: error: figure profile.gdp.2021 is shown on /404.html without its source"
    ]
