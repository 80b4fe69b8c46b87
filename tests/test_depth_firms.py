"""The profile in depth (issue 25, items 3-5), on real builds of the real content published under a subpath: the
companies behind the industries, the development zones linked both ways with the companies in them, and the home
page's panel of each headline indicator's last known year with its change on the year before, within the home
page's byte budget."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from conftest import REPO, make_site, run_build, with_history

from sitegen.content.model import Figure
from sitegen.site.numbers import base_value, percent_change

BASE = "/repo/"
HOME_BUDGET = 60 * 1024  # tests/test_reader.py: the home page with everything a browser fetches for it
LANGS = ("", "zh/")


def content(name: str):
    return yaml.safe_load((REPO / "content" / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    """The real content built as a GitHub project site, under /repo/."""
    root = with_history(make_site(tmp_path_factory.mktemp("depth"), content=REPO / "content"))
    dest = tmp_path_factory.mktemp("www") / "repo"
    result = run_build(root, "--out", str(dest), "--base-url", f"https://example.org{BASE}")
    assert result.returncode == 0 and result.stderr == "", result.stderr  # no error and no warning
    return dest


def page(out: Path, lang: str, path: str) -> str:
    return (out / lang / path / "index.html").read_text(encoding="utf-8")


def section(html: str, ident: str) -> str:
    start = html.index(f'<section aria-labelledby="{ident}"')
    return html[start : html.index("</section>", start)]


# Firms (item 4).


@pytest.mark.parametrize("lang", LANGS)
def test_at_least_fourteen_companies_have_a_page_in_each_language(out, lang):
    ids = [c["id"] for c in content("companies.yaml")]
    pages = sorted(p.parent.name for p in (out / lang / "companies").glob("*/index.html"))
    assert len(ids) >= 14 and pages == sorted(ids)
    index = page(out, lang, "companies")
    assert all(f'href="{BASE}{lang}companies/{i}/"' in index for i in ids)
    assert f'<html lang="{"zh-Hans" if lang else "en"}"' in page(out, lang, "companies/hla-group")


@pytest.mark.parametrize("lang", LANGS)
def test_every_pillar_and_emerging_industry_page_links_a_company_of_its_own(out, lang):
    """A summit field alone (tiers: []) names no company: no source on the site gives one for it."""
    companies = content("companies.yaml")
    for industry in content("industries.yaml"):
        html = page(out, lang, f"industries/{industry['id']}")
        linked = set(re.findall(rf'href="{BASE}{lang}companies/([a-z0-9-]+)/"', html))
        declared = {c["id"] for c in companies if c.get("industry") == industry["id"]}
        assert linked == declared, industry["id"]
        if industry["tiers"]:
            assert linked, f"{industry['id']} names no company"


def test_new_companies_cite_sources_whose_reliability_their_kind_allows():
    sources = {s["id"]: s for s in content("sources.yaml")}
    for company in content("companies.yaml")[8:]:
        cited = [company["source"]] + [n["source"] for n in company.get("notes", [])]
        cited += [f["source"] for f in company.get("figures", {}).values()]
        for sid in cited:
            s = sources[sid]
            if s["kind"] in ("self-media", "user-post", "aggregator") or s.get("copy_kind") in ("mirror", "aggregator"):
                assert s["reliability"] == "low", sid
            assert s.get("url") or s.get("copy_url"), f"{sid}: no address a reader can open"


# Zones (item 3).


@pytest.mark.parametrize("lang", LANGS)
def test_zone_pages_and_the_companies_in_them_link_each_other(out, lang):
    zones = content("zones.yaml")
    assert {z["name_zh"] for z in zones} >= {"江阴高新区", "江阴临港经济开发区"}
    placed = [c for c in content("companies.yaml") if c.get("zone")]
    assert {c["zone"] for c in placed} == {z["id"] for z in zones}  # every zone has a company a source places there
    index = page(out, lang, "zones")
    for zone in zones:
        assert f'href="{BASE}{lang}zones/{zone["id"]}/"' in index
        html = page(out, lang, f"zones/{zone['id']}")
        assert zone["name_zh"] in html
        assert f'href="{BASE}{lang}sources/#src-{zone["source"]}"' in html or f'#src-{zone["source"]}"' in html
    for company in placed:
        assert f'href="{BASE}{lang}zones/{company["zone"]}/"' in page(out, lang, f"companies/{company['id']}")
        assert f'href="{BASE}{lang}companies/{company["id"]}/"' in page(out, lang, f"zones/{company['zone']}")
    assert f'href="{BASE}{lang}zones/"' in page(out, lang, "companies")  # the way in


def test_zones_have_a_download_and_companies_name_their_zone_in_theirs(out):
    zones = list(csv.DictReader(io.StringIO((out / "data/zones.csv").read_text(encoding="utf-8"))))
    assert [(r["id"], r["name_zh"]) for r in zones] == [(z["id"], z["name_zh"]) for z in content("zones.yaml")]
    assert all(r["source_title"] for r in zones)
    companies = {r["id"]: r for r in csv.DictReader(io.StringIO((out / "data/companies.csv").read_text("utf-8")))}
    assert companies["shuangliang-eco-energy"]["zone"] == "jiangyin-lingang-zone"
    assert companies["protelight"]["zone"] == "jiangyin-high-tech-zone"
    assert "zones.csv" in page(out, "", "data")


# The panel of each indicator's last known year (item 5).


def figure(key: str) -> dict:
    kind, rest = key.split(".", 1)
    data = content(f"{kind}.yaml")
    for part in rest.split("."):
        data = data[int(part) if part.isdigit() and int(part) in data else part]
    return data


def as_figure(d: dict) -> Figure:
    return Figure(
        value=Decimal(str(d["value"])),
        unit=d["unit"],
        as_of=str(d["as_of"]),
        source=d["source"],
        scale=d.get("scale"),
        qualifier=d.get("qualifier"),
    )


@pytest.mark.parametrize("lang", LANGS)
def test_the_panel_shows_each_indicators_last_year_and_its_change(out, lang):
    panel = section(page(out, lang, ""), "latest")
    rows = re.findall(r"<tr><th scope=\"row\">(.*?)</tr>", panel, re.S)
    indicators = content("indicators.yaml")
    assert len(rows) == len(indicators) >= 5
    nominal, derived = ("按现价计算", "本站计算") if lang else ("in nominal terms", "by this site")
    worked_out = 0
    for ind, row in zip(indicators, rows):
        last = figure(ind["series"][-1])
        year = str(last["as_of"])[:4]
        assert f'<time datetime="{last["as_of"]}">{year}</time>' in row, ind["id"]
        before = [k for k in ind["series"][:-1] if str(figure(k)["as_of"])[:4] == str(int(year) - 1)]
        change = before and percent_change(as_figure(last), as_figure(figure(before[0])))
        if change:  # worked out from two exact figures a year apart: the number, its basis and how it was made
            worked_out += 1
            expected = (base_value(as_figure(last)) / base_value(as_figure(figure(before[0]))) - 1) * 100
            assert f"{expected:.1f}%" in row and derived in row, ind["id"]
            assert (nominal in row) == (ind.get("change_basis") == "nominal"), ind["id"]
            assert f"{int(year) - 1}" in row
        elif not any(str(figure(k)["as_of"])[:4] == year for k in ind.get("growth", [])):
            assert 'class="muted"' in row, ind["id"]  # no change is stated rather than one made up
    assert worked_out >= 2


def test_a_change_is_worked_out_only_from_exact_figures_a_year_apart():
    def fig(value, as_of, **kw):
        return Figure(value=Decimal(value), unit=kw.pop("unit", "CNY"), as_of=as_of, source="s", **kw)

    change = percent_change(fig("750", "2024", scale="billion"), fig("7014.1", "2023", scale="yi"), "nominal", "how")
    assert (change.value, change.unit, change.basis, change.derived, change.as_of) == (
        Decimal("6.9"),
        "percent-change",
        "nominal",
        "how",
        "2024",
    )
    assert percent_change(
        fig("178.2", "2022-12-31", scale="wan", unit="people"), fig("178.4", "2021-12-31", scale="wan", unit="people")
    ).value == Decimal("-0.1")
    assert percent_change(fig("5000", "2024", scale="yi", qualifier="over"), fig("4960", "2023", scale="yi")) is None
    assert percent_change(fig("496", "2023"), fig("411.38", "2020")) is None  # not the year before
    assert percent_change(fig("1.1", "2023", unit="USD"), fig("7", "2022")) is None  # not the same unit
    assert (
        percent_change(
            fig("5.9", "2023", unit="percent-change", basis="real"),
            fig("3", "2022", unit="percent-change", basis="real"),
        )
        is None
    )  # a rate of a rate
    assert percent_change(fig("5", "2023", estimate=True), fig("4", "2022")).estimate is True


@pytest.mark.parametrize("lang", LANGS)
def test_the_home_page_stays_within_its_budget_as_published(out, lang):
    """What tests/test_reader.py counts in a browser: the page, its stylesheet and its icons (a browser fetches no
    .png for a page: that test would fail on one)."""
    html = (out / lang / "index.html").read_text(encoding="utf-8")
    fetched = re.findall(r'<link[^>]*rel="(?:stylesheet|icon)"[^>]*href="([^"]*)"', html)
    assert any(u.endswith(".css") for u in fetched)
    total = len(html.encode()) + sum((out / u.removeprefix(BASE)).stat().st_size for u in fetched)
    assert total <= HOME_BUDGET, f"{lang or 'en'} home page: {total} bytes"
