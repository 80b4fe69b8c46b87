"""Synthetic content in the project's own format: N projects with companies, industries, sources and summits."""

from __future__ import annotations

import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
STATUSES = ("signed", "under-construction", "progressing", "provincial-major", "in-production")


def _figure(indent: str, value, unit: str, source: str, as_of: int, scale: str = "", qualifier: str = "") -> str:
    """One figure mapping at an indentation."""
    lines = (
        [f"value: {value}", f"unit: {unit}"]
        + ([f"scale: {scale}"] if scale else [])
        + ([f"qualifier: {qualifier}"] if qualifier else [])
        + [f"as_of: {as_of}", f"source: {source}"]
        + ["quote: '" + " ".join(str(w) for w in (qualifier, value, scale) if w) + "'"]
    )  # the words that state it
    return "".join(f"{indent}{line}\n" for line in lines)


def write_site(root: Path, projects: int) -> Path:
    """Write a complete site (content, the real templates and static files) with `projects` projects."""
    content = root / "content"
    (content / "articles").mkdir(parents=True)
    (content / "i18n").mkdir()
    shutil.copy(REPO / "content/i18n/en.yaml", content / "i18n/en.yaml")
    shutil.copytree(REPO / "models", root / "models")
    shutil.copytree(REPO / "templates", root / "templates")
    shutil.copytree(REPO / "static", root / "static")
    n_sources, n_companies, n_industries = max(5, projects // 50), max(5, projects // 10), 12
    src = [f"source-{i}" for i in range(n_sources)]
    (content / "site.yaml").write_text(
        "title: Synthetic profile\ndescription: Synthetic content for the benchmark.\n"
        "base_url: https://example.org/bench/\nlanguages: [en]\npublisher: Bench\nupdated: 2024-01-01\n"
    )
    (content / "sources.yaml").write_text(
        "".join(
            f"- id: {s}\n  title: Source number {i}\n  publisher: Publisher {i % 7}\n  date: 2023-10-{1 + i % 28:02d}\n"
            f"  url: https://example.org/source/{i}\n  kind: news\n  language: en\n  reliability: high\n"
            for i, s in enumerate(src)
        )
    )
    (content / "industries.yaml").write_text(
        "".join(
            f"- id: industry-{i}\n  name: Industry {i}\n  tiers: [{'pillar' if i < 4 else 'emerging'}]\n"
            f"  summary: An industry of the synthetic city.\n  source: {src[i % n_sources]}\n"
            for i in range(n_industries)
        )
    )
    (content / "companies.yaml").write_text(
        "".join(
            f"- id: company-{i}\n  name: Company {i}\n  industry: industry-{i % n_industries}\n"
            f"  summary: A company of the synthetic city.\n  source: {src[i % n_sources]}\n  figures:\n    employees:\n"
            + _figure("      ", 100 + i, "employees", src[i % n_sources], 2023)
            for i in range(n_companies)
        )
    )
    (content / "events.yaml").write_text(
        "".join(
            f"- id: summit-{y}\n  name: Summit {y}\n  short_name: {y} summit\n  date: {y}-10-28\n  measure: signed\n"
            f"  projects:\n"
            + _figure("    ", 100 + y % 100, "projects", src[0], y)
            + "  investment:\n"
            + _figure("    ", 50 + y % 100, "CNY", src[0], y, "billion", "over")
            + f"  summary: A synthetic summit.\n  source: {src[0]}\n"
            for y in (2017, 2019, 2020, 2021, 2023)
        )
    )
    (content / "projects.yaml").write_text(
        "".join(
            f"- id: project-{i}\n  name: Project {i}\n  company: company-{i % n_companies}\n"
            f"  industry: industry-{i % n_industries}\n  status: [{STATUSES[i % len(STATUSES)]}]\n"
            f"  year: {2017 + i % 7}\n"
            f"  event: summit-2023\n  investment:\n"
            + _figure("    ", 1 + i % 500, "CNY", src[i % n_sources], 2023, "billion")
            + f"  summary: Project number {i} of the synthetic city.\n  source: {src[i % n_sources]}\n"
            for i in range(projects)
        )
    )
    (content / "profile.yaml").write_text(
        "name: Synthetic\nname_zh: 合成\nstatus: county-level city\nparent: Parent\nprovince: Province\n"
        f"summary: A synthetic city.\nsource: {src[0]}\nheadline:\n  - profile.gdp.2022\n"
        "  - events.summit-2023.projects\n"
        "gdp:\n"
        + "".join(
            f"  {y}:\n" + _figure("    ", 100 + y % 100 * 10, "CNY", src[0], y, "billion") for y in range(2015, 2024)
        )
    )
    (content / "zones.yaml").write_text("[]\n")  # kinds the synthetic city has no items of
    (content / "indicators.yaml").write_text("- id: gdp\n  name: GDP\n  series: [profile.gdp.2022, profile.gdp.2023]\n")
    # The kinds in depth: no peer cities or rankings, and the synthetic city's GDP as its series, named by key.
    (content / "peers.yaml").write_text("[]\n")
    (content / "rankings.yaml").write_text("[]\n")
    (content / "series.yaml").write_text(
        "name: Synthetic year by year\ngdp:\n" + "".join(f"  {y}: profile.gdp.{y}\n" for y in range(2015, 2024))
    )
    (content / "articles/summit.md").write_text(
        "---\ntitle: The summit\ndate: 2023-10-31\nsummary: What was signed.\nsources: [source-0]\n---\n\n"
        "Investors signed [[events.summit-2023.projects]] worth [[events.summit-2023.investment]].\n"
    )
    return root


def _replace_field(root: Path, project: int, field: str, value: str) -> None:
    """Set one line of one project in content/projects.yaml ('    value: ', '  summary: ') to a new value."""
    path = root / "content/projects.yaml"
    text = path.read_text()
    start = text.index(f"- id: project-{project}\n")
    at = text.index(field, start) + len(field)
    end = text.index("\n", at)
    path.write_text(text[:at] + value + text[end:])


def edit_one_figure(root: Path, project: int = 0, value: int = 777) -> None:
    """Change the investment of one project, and the quote that states it (the build checks that they agree)."""
    _replace_field(root, project, "    value: ", str(value))
    _replace_field(root, project, "    quote: ", f"'{value} billion'")


def edit_one_summary(root: Path, project: int = 0, word: str = "edited") -> None:
    """Change the words of one project's summary (its page's words, so the search index is made again)."""
    _replace_field(root, project, "  summary: ", f"Project number {project}, {word}, of the synthetic city.")
