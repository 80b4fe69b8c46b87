"""Charts drawn at build time: model series into accessible inline SVG. Pure functions; no JavaScript, no library.

The viewBox is about as wide as a phone, so SVG text shows near its nominal size on a 390 px screen and
grows modestly on wider ones. Colours come from CSS (classes and currentColor), so light and dark modes
and print restyle every chart; marked bars are hatched and starred, so no meaning rests on colour alone.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from markupsafe import Markup, escape

from ..content import model
from .numbers import base_value, count, display_exp, format_figure, scaled, unit_words

WIDTH = 360
FONT = 15
_GLYPH = {**dict.fromkeys(" ijlt.,:;'!|()[]*", 0.34), **dict.fromkeys("mwMW", 0.92)}  # em widths; others by class
ROW, BAR, GAP = 28, 18, 8


@dataclass(frozen=True)
class Bar:
    """One bar: its row label, the figure it draws, and whether it is marked (hatched and starred)."""

    label: str
    figure: model.Figure
    marked: bool = False
    gap_before: bool = False


@dataclass(frozen=True)
class Row:
    """One row of a chart's data table: a label (linked to an item's page when `link` is (kind, id)) and cells.

    A cell is a Figure (shown formatted and cited) or text."""

    label: str
    cells: tuple
    link: tuple[str, str] | None = None


@dataclass(frozen=True)
class Chart:
    """A chart ready for a page: title, one-sentence summary (the SVG's accessible name), SVG, data and sources."""

    id: str
    title: str
    summary: str
    svg: Markup
    columns: tuple[str, ...]
    rows: tuple[Row, ...]
    sources: tuple[str, ...]
    note: str = ""
    csv: str = ""  # the download under data/ that holds the chart's data, e.g. data/gdp.csv


def _n(x: float) -> str:
    """A coordinate with at most one decimal."""
    return f"{x:.1f}".rstrip("0").rstrip(".")


def text_width(text: str, bold: bool = False) -> float:
    """An estimate of a label's width in SVG units, generous enough for wide fonts such as DejaVu Sans."""
    width = sum(FONT * _GLYPH.get(c, 0.7 if c.isupper() else 0.64 if c.isdigit() else 0.58) for c in text)
    return width * 1.1 if bold else width


def _text(x: float, y: float, text: str, cls: str, anchor: str = "start") -> str:
    """An SVG text element; the text is escaped."""
    a = f' text-anchor="{anchor}"' if anchor != "start" else ""
    return f'<text x="{_n(x)}" y="{_n(y)}" class="{cls}"{a}>{escape(text)}</text>'


def svg(chart_id: str, height: float, summary: str, body: list[str], defs: str = "") -> Markup:
    """Wrap chart elements in an <svg> whose accessible name is the summary."""
    name = f"{chart_id}-name"
    return Markup(
        f'<svg class="chart-svg" viewBox="0 0 {WIDTH} {_n(height)}" font-size="{FONT}" role="img" '
        f'aria-labelledby="{name}">'
        f'<title id="{name}">{escape(summary)}</title>{defs}{"".join(body)}</svg>'
    )


def hatch(chart_id: str) -> str:
    """A diagonal hatch pattern for marked bars."""
    return (
        f'<defs><pattern id="{chart_id}-hatch" width="5" height="5" patternUnits="userSpaceOnUse" '
        f'patternTransform="rotate(45)"><rect width="5" height="5" class="hatch-bg"/>'
        f'<line x1="0" y1="0" x2="0" y2="5" class="hatch-line"/></pattern></defs>'
    )


def bar_panel(
    chart_id: str, bars: list[Bar], top: float, heading: str, lang: str, mark: str
) -> tuple[list[str], float]:
    """Horizontal bars from zero with value labels, below an optional heading; returns elements and the new top.

    Short labels sit left of their bars; long ones go above them, so bars keep the full width on a phone."""
    out = [_text(0, top + FONT, heading, "chart-head")] if heading else []
    top += FONT + 8 if heading else 0
    start, exp = top, display_exp([base_value(b.figure) for b in bars], lang)
    values = [scaled(b.figure, exp, lang) for b in bars]
    labels = [b.label + (f" {mark}" if b.marked else "") for b in bars]
    side = max(map(text_width, labels), default=0) + 8
    x0 = 0 if side > WIDTH * 0.3 else side
    room = WIDTH - x0 - max((text_width(v, bold=True) for v in values), default=0) - 6
    peak = max((base_value(b.figure) for b in bars), default=Decimal(0)) or Decimal(1)
    for bar, label, value in zip(bars, labels, values):
        if bar.gap_before:
            out.append(f'<line x1="0" x2="{WIDTH}" y1="{_n(top + 3)}" y2="{_n(top + 3)}" class="chart-break"/>')
            top += GAP
        if x0 == 0:
            out.append(_text(0, top + FONT + 2, label, "chart-label"))
            top += FONT + 4
        else:
            out.append(_text(x0 - 8, top + ROW / 2 + FONT * 0.35, label, "chart-label", "end"))
        out += bar_row(chart_id, bar, x0, top, float(base_value(bar.figure) / peak) * room, value)
        top += ROW
    if bars:
        out.append(f'<line x1="{_n(x0)}" x2="{_n(x0)}" y1="{_n(start)}" y2="{_n(top)}" class="chart-axis"/>')
    return out, top


def bar_row(chart_id: str, bar: Bar, x0: float, top: float, length: float, value: str) -> list[str]:
    """One bar of a row (hatched when marked) and its value label."""
    mid = top + ROW / 2
    fill = f' fill="url(#{chart_id}-hatch)"' if bar.marked else ""
    return [
        f'<rect x="{_n(x0)}" y="{_n(mid - BAR / 2)}" width="{_n(length)}" height="{BAR}" '
        f'class="chart-bar{" marked" if bar.marked else ""}"{fill}/>',
        _text(x0 + length + 5, mid + FONT * 0.35, value, "chart-value"),
    ]


def legend(chart_id: str, top: float, text: str) -> tuple[list[str], float]:
    """A hatched swatch with the text that explains marked bars, wrapped to the chart's width."""
    lines = wrap(text, WIDTH - BAR - 8)
    out = [
        f'<rect x="0" y="{_n(top + 4)}" width="{BAR}" height="{FONT}" class="chart-bar marked" '
        f'fill="url(#{chart_id}-hatch)"/>'
    ]
    out += [_text(BAR + 8, top + 4 + FONT * (0.85 + 1.2 * j), line, "chart-label") for j, line in enumerate(lines)]
    return out, top + 12 + FONT * 1.2 * len(lines)


def sources(figures: list) -> tuple[str, ...]:
    """The source ids of some figures or items, each once, in order."""
    return tuple(dict.fromkeys(f.source for f in figures))


def gdp_chart(content: model.Content, lang: str) -> Chart:
    """GDP by year as horizontal bars, with a break where years are missing."""
    t, gdp = content.strings[lang], content.profile.gdp
    years = sorted(gdp, key=int)
    bars = [Bar(str(y), gdp[y], gap_before=i > 0 and int(y) - int(years[i - 1]) > 1) for i, y in enumerate(years)]
    exp = display_exp([base_value(b.figure) for b in bars], lang)
    summary = ""
    if len(years) > 1:
        first, last = gdp[years[0]], gdp[years[-1]]
        trend = t["chart_up"] if base_value(last) >= base_value(first) else t["chart_down"]
        summary = t["chart_gdp_summary"].format(
            city=content.profile.name,
            trend=trend,
            first=format_figure(first, lang, short=True),
            last=format_figure(last, lang, short=True),
            first_year=years[0],
            last_year=years[-1],
        )
    body, height = bar_panel("chart-gdp", bars, 0, "", lang, "")
    return Chart(
        "chart-gdp",
        t["chart_gdp_title"].format(unit=unit_words("CNY", exp, lang)),
        summary,
        svg("chart-gdp", height + 2, summary, body),
        (t["year"], t["gdp"]),
        tuple(Row(y, (gdp[y],)) for y in years),
        sources([gdp[y] for y in years]),
        csv="data/gdp.csv",
    )


def summits_summary(events: list, t: dict, lang: str) -> str:
    """One sentence on how signings changed from the first to the last summit that counted signings."""
    signed = [e for e in events if e.measure == "signed"]
    if not signed:
        return ""
    first, last = signed[0], signed[-1]
    if first is last:
        return t["chart_summits_summary_one"].format(
            projects=format_figure(last.projects, lang),
            investment=format_figure(last.investment, lang, short=True),
            name=last.short_name,
        )
    trend = t["chart_up"] if base_value(last.projects) >= base_value(first.projects) else t["chart_down"]
    return t["chart_summits_summary"].format(
        trend=trend,
        first=format_figure(first.projects, lang),
        first_name=first.short_name,
        last=format_figure(last.projects, lang),
        last_name=last.short_name,
        investment=format_figure(last.investment, lang, short=True),
    )


def summits_chart(content: model.Content, lang: str) -> Chart:
    """Projects and planned investment at each summit, in two panels; summits that counted starts are hatched."""
    t = content.strings[lang]
    events = sorted(content.events.values(), key=lambda e: e.date)
    mark, cid = t["chart_mark"], "chart-summits"
    exp = display_exp([base_value(e.investment) for e in events], lang)
    money_head = (
        t["chart_investment_head"].format(unit=unit_words(events[0].investment.unit, exp, lang)) if events else ""
    )
    body, top = bar_panel(
        cid, [Bar(e.short_name, e.projects, e.measure != "signed") for e in events], 0, t["projects_count"], lang, mark
    )
    more, top = bar_panel(
        cid, [Bar(e.short_name, e.investment, e.measure != "signed") for e in events], top + 14, money_head, lang, mark
    )
    body += more
    started = [e for e in events if e.measure != "signed"]
    if started:
        more, top = legend(cid, top + 6, f"{mark} {t['chart_started_legend']}")
        body += more
    summary = summits_summary(events, t, lang)
    rows = tuple(
        Row(e.short_name, (e.projects, e.investment, t["measure_" + e.measure]), ("events", e.id)) for e in events
    )
    note = " ".join(t["chart_started_note"].format(name=e.short_name) for e in started)
    return Chart(
        cid,
        t["chart_summits_title"],
        summary,
        svg(cid, top + 2, summary, body, hatch(cid) if started else ""),
        (t["event_name"], t["projects_count"], t["investment"], t["chart_counts"]),
        rows,
        sources([f for e in events for f in (e.projects, e.investment)]),
        note,
        "data/summits.csv",
    )


def wrap(text: str, width: float) -> list[str]:
    """Split a label into lines that fit a width, at spaces."""
    lines: list[str] = []
    for word in text.split():
        if lines and text_width(lines[-1] + " " + word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def tiers_columns(content: model.Content, t: dict) -> list[tuple[str, object]]:
    """The matrix columns: (heading, test on an industry) for each tier and for the latest summit's fields."""
    cols = [(t["chart_tier_" + tier], lambda i, tier=tier: tier in i.tiers) for tier in ("pillar", "emerging")]
    latest = max(content.events.values(), key=lambda e: e.date, default=None)
    if latest is not None and latest.fields:
        cols.append((t["chart_tier_field"].format(name=latest.short_name), lambda i: i.id in latest.fields))
    return cols


def tiers_summary(content: model.Content, t: dict, lang: str) -> str:
    """One sentence: how many industries are pillars, how many emerging, and which are both."""
    items = list(content.industries.values())
    both = [i.name for i in items if {"pillar", "emerging"} <= set(i.tiers)]
    pillars = sum("pillar" in i.tiers for i in items)
    emerging = sum("emerging" in i.tiers for i in items)
    overlap = t["chart_tiers_overlap"].format(names=t["and_list"].join(both)) if both else ""
    return t["chart_tiers_summary"].format(
        city=content.profile.name, pillar=count(pillars, "industries", lang), emerging=emerging, overlap=overlap
    )


def matrix_row(name: str, marks: list[bool], x0: float, col_w: float, top: float) -> tuple[list[str], float]:
    """One industry of the tier matrix: its wrapped name and a dot or a ring per column; returns elements and height."""
    lines = wrap(name, x0 - 10)
    h = max(ROW, len(lines) * (FONT + 3) + 8)
    out = [f'<line x1="0" x2="{WIDTH}" y1="{_n(top)}" y2="{_n(top)}" class="chart-rule"/>']
    out += [
        _text(0, top + (h - len(lines) * (FONT + 3)) / 2 + (FONT + 3) * (j + 0.8), line, "chart-label")
        for j, line in enumerate(lines)
    ]
    out += [
        f'<circle cx="{_n(x0 + col_w * (k + 0.5))}" cy="{_n(top + h / 2)}" r="{6 if mark else 3}" '
        f'class="{"chart-dot" if mark else "chart-ring"}"/>'
        for k, mark in enumerate(marks)
    ]
    return out, h


def tiers_chart(content: model.Content, lang: str) -> Chart:
    """Industries by tier as a dot matrix: a filled dot where an industry belongs, a ring where it does not."""
    t, cid, col_w = content.strings[lang], "chart-tiers", 72
    items, cols = list(content.industries.values()), tiers_columns(content, t)
    x0 = WIDTH - col_w * len(cols)
    heads = [wrap(h, col_w - 4) for h, _ in cols]
    top = max(map(len, heads), default=1) * (FONT + 2) + 6
    body = [
        _text(x0 + col_w * (k + 0.5), (FONT + 2) * (j + 1), line, "chart-col", "middle")
        for k, lines in enumerate(heads)
        for j, line in enumerate(lines)
    ]
    for item in items:
        more, h = matrix_row(item.name, [test(item) for _, test in cols], x0, col_w, top)
        body, top = body + more, top + h
    body.append(f'<line x1="0" x2="{WIDTH}" y1="{_n(top)}" y2="{_n(top)}" class="chart-rule"/>')
    body.append(_text(0, top + FONT + 8, t["chart_total"], "chart-head"))
    body += [
        _text(x0 + col_w * (k + 0.5), top + FONT + 8, str(sum(map(test, items))), "chart-head", "middle")
        for k, (_, test) in enumerate(cols)
    ]
    summary = tiers_summary(content, t, lang)
    rows = tuple(
        Row(i.name, tuple(t["cell_yes"] if test(i) else t["cell_no"] for _, test in cols), ("industries", i.id))
        for i in items
    )
    return Chart(
        cid,
        t["chart_tiers_title"],
        summary,
        svg(cid, top + FONT + 14, summary, body),
        (t["industry"], *(h for h, _ in cols)),
        rows,
        sources(items),
        csv="data/industries.csv",
    )


class Charts:
    """The charts of one content snapshot in one language, for templates: charts.gdp(), .summits(), .tiers()."""

    def __init__(self, content: model.Content, lang: str):
        """Bind the content (as the renderer tracks it) and the language."""
        self.content, self.lang = content, lang

    def gdp(self) -> Chart:
        """GDP by year."""
        return gdp_chart(self.content, self.lang)

    def summits(self) -> Chart:
        """Projects and planned investment by summit."""
        return summits_chart(self.content, self.lang)

    def tiers(self) -> Chart:
        """Industries by tier."""
        return tiers_chart(self.content, self.lang)
