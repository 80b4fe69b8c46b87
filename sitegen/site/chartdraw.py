"""Chart drawings: rows and series (a Frame) into the elements of an inline SVG, for each type of chart (bar, grouped
bar, line, dot), with the text measuring and line breaking they share. Pure functions; no JavaScript, no library.

The viewBox is about as wide as a phone, so SVG text shows near its nominal size on a 390 px screen and grows
modestly on wider ones. Colours come from CSS (classes and currentColor), so light and dark modes and print restyle
every chart; marked bars are hatched and starred, and series differ by pattern, marker and dash as well as colour,
so no meaning rests on colour alone. Text is measured by estimate (text_width), generously, and wraps at spaces or,
in Chinese and Japanese, between characters (wrap); lines are LINE apart, more than a line box of the chart's font.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal

from markupsafe import Markup, escape

from ..content import model
from ..content.chartspec import ChartSpec
from ..content.languages import Language
from .numbers import base_value, display_exp, scaled

WIDTH = 360
FONT = 15
LINE = 18  # the distance between the lines of a wrapped text: a line box of the chart's font is under 17.6
_GLYPH = {**dict.fromkeys(" ijlt.,:;'!|()[]*", 0.34), **dict.fromkeys("mwMW", 0.92)}  # em widths; others by class
ROW, BAR, GAP = 28, 18, 8
GROUP_ROW, GROUP_BAR = 22, 14  # a grouped bar chart's bars, one per series in each row's group
PLOT = 160  # a line chart's plot height
# Line breaking in Chinese and Japanese (after JIS X 4051 and the CSS "strict" rules, simplified): no line starts
# with closing punctuation or a small kana, and none ends with opening punctuation.
NO_START = set("、。，．：；！？）」』】〉》〕］｝〗〙〛’”…‥々〻ー%),.:;!?]}")
NO_START |= set("ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ")  # small kana
NO_END = set("（「『【〈《〔［｛〖〘〚‘“([{")


@dataclass(frozen=True)
class Bar:
    """One bar: its row label, the figure it draws (None: no data), and whether it is marked (hatched, starred)."""

    label: str
    figure: model.Figure | None
    marked: bool = False
    gap_before: bool = False


@dataclass(frozen=True)
class Category:
    """A row of a chart: a year or an item, its label, and whether it is marked."""

    label: str
    key: int | str  # the year, or the item's id
    item: object = None
    marked: bool = False


@dataclass(frozen=True)
class Drawn:
    """A series as drawn: its summary name, its label (the table's column), its panel heading, its value in each row
    (a Figure, True or False for a dot chart, None for no data), and its unit at its display scale (10**exp)."""

    id: str
    label: str
    head: str
    values: tuple
    unit: str | None = None
    exp: int = 0


@dataclass(frozen=True)
class Frame:
    """What a drawing needs: the chart's HTML id, its declaration, rows and series, strings and language."""

    id: str
    spec: ChartSpec
    cats: tuple[Category, ...]
    series: tuple[Drawn, ...]
    t: dict
    lang: Language

    @property
    def mark(self) -> str:
        """The star of a marked row's label, or '' when the chart marks none."""
        return self.t["chart_mark"] if self.spec.mark else ""

    @property
    def missing(self) -> str:
        """What a value label or table cell says where a series has no figure."""
        return self.t["chart_no_data"]


def _n(x: float) -> str:
    """A coordinate with at most one decimal."""
    return f"{x:.1f}".rstrip("0").rstrip(".")


def wide(c: str) -> bool:
    """Whether a character is full width (a Chinese or Japanese character or mark): one em."""
    return unicodedata.east_asian_width(c) in ("W", "F")


def text_width(text: str, bold: bool = False) -> float:
    """An estimate of a label's width in SVG units, generous enough for wide fonts such as DejaVu Sans."""
    width = sum(
        FONT * (1.0 if wide(c) else _GLYPH.get(c, 0.7 if c.isupper() else 0.64 if c.isdigit() else 0.58)) for c in text
    )
    return width * 1.1 if bold else width


def pieces(text: str) -> list[tuple[str, bool]]:
    """A text cut where a line may break, each piece with whether a space comes before it: at spaces, and between
    full-width characters (or a full-width and a narrow one), never before closing punctuation nor after opening."""
    out: list[tuple[str, bool]] = []
    for word in text.split():
        parts: list[str] = []
        for c in word:
            if parts and (c in NO_START or parts[-1][-1] in NO_END or not (wide(c) or wide(parts[-1][-1]))):
                parts[-1] += c
            else:
                parts.append(c)
        out += [(part, bool(out) and k == 0) for k, part in enumerate(parts)]
    return out


def wrap(text: str, width: float) -> list[str]:
    """Split a label into lines that fit a width (a piece wider than the width gets a line of its own)."""
    lines: list[str] = []
    for piece, spaced in pieces(text):
        joined = lines[-1] + " " * spaced + piece if lines else piece
        if lines and text_width(joined) <= width:
            lines[-1] = joined
        else:
            lines.append(piece)
    return lines


def _text(x: float, y: float, text: str, cls: str, anchor: str = "start") -> str:
    """An SVG text element; the text is escaped."""
    a = f' text-anchor="{anchor}"' if anchor != "start" else ""
    return f'<text x="{_n(x)}" y="{_n(y)}" class="{cls}"{a}>{escape(text)}</text>'


def _lines(x: float, y: float, lines: list[str], cls: str, anchor: str = "start") -> list[str]:
    """The lines of a wrapped text, the first on baseline y."""
    return [_text(x, y + LINE * j, line, cls, anchor) for j, line in enumerate(lines)]


def svg(chart_id: str, height: float, summary: str, body: list[str], defs: str = "") -> Markup:
    """Wrap chart elements in an <svg> whose accessible name is the summary."""
    name = f"{chart_id}-name"
    return Markup(
        f'<svg class="chart-svg" viewBox="0 0 {WIDTH} {_n(height)}" font-size="{FONT}" role="img" '
        f'aria-labelledby="{name}">'
        f'<title id="{name}">{escape(summary)}</title>{defs}{"".join(body)}</svg>'
    )


def hatch(chart_id: str, name: str = "hatch", angle: int = 45, cls: str = "") -> str:
    """A pattern of parallel lines: marked bars' diagonal hatch, or a series' fill."""
    return (
        f'<defs><pattern id="{chart_id}-{name}" width="5" height="5" patternUnits="userSpaceOnUse" '
        f'patternTransform="rotate({angle})"><rect width="5" height="5" class="hatch-bg"/>'
        f'<line x1="0" y1="0" x2="0" y2="5" class="hatch-line{cls}"/></pattern></defs>'
    )


# Bars: one panel per series.


def bar_panel(
    chart_id: str, bars: list[Bar], top: float, heading: str, lang: Language, mark: str, missing: str = ""
) -> tuple[list[str], float]:
    """Horizontal bars from zero with value labels, below an optional heading; returns elements and the new top.

    Short labels sit left of their bars; long ones go above them, so bars keep the full width on a phone."""
    head = wrap(heading, WIDTH)
    out = _lines(0, top + FONT, head, "chart-head")
    top += FONT + 8 + LINE * (len(head) - 1) if heading else 0
    drawn = [base_value(b.figure) for b in bars if b.figure is not None]
    start, exp = top, display_exp(drawn, lang)
    values = [scaled(b.figure, exp, lang) if b.figure is not None else missing for b in bars]
    labels = [b.label + (f" {mark}" if b.marked else "") for b in bars]
    side = max(map(text_width, labels), default=0) + 8
    x0 = 0 if side > WIDTH * 0.3 else side
    room = WIDTH - x0 - max((text_width(v, bold=True) for v in values), default=0) - 6
    peak = max(drawn, default=Decimal(0)) or Decimal(1)
    for bar, label, value in zip(bars, labels, values):
        if bar.gap_before:
            out.append(f'<line x1="0" x2="{WIDTH}" y1="{_n(top + 3)}" y2="{_n(top + 3)}" class="chart-break"/>')
            top += GAP
        if x0 == 0:
            lines = wrap(label, WIDTH)
            out += _lines(0, top + FONT + 2, lines, "chart-label")
            top += FONT + 4 + LINE * (len(lines) - 1)
        else:
            out.append(_text(x0 - 8, top + ROW / 2 + FONT * 0.35, label, "chart-label", "end"))
        length = float(base_value(bar.figure) / peak) * room if bar.figure is not None else 0
        out += bar_row(chart_id, bar, x0, top, length, value)
        top += ROW
    if bars:
        out.append(f'<line x1="{_n(x0)}" x2="{_n(x0)}" y1="{_n(start)}" y2="{_n(top)}" class="chart-axis"/>')
    return out, top


def bar_row(chart_id: str, bar: Bar, x0: float, top: float, length: float, value: str) -> list[str]:
    """One bar of a row (hatched when marked) and its value label; a row with no figure gets the label alone."""
    mid = top + ROW / 2
    fill = f' fill="url(#{chart_id}-hatch)"' if bar.marked else ""
    rect = (
        []
        if bar.figure is None
        else [
            f'<rect x="{_n(x0)}" y="{_n(mid - BAR / 2)}" width="{_n(length)}" height="{BAR}" '
            f'class="chart-bar{" marked" if bar.marked else ""}"{fill}/>'
        ]
    )
    return rect + [_text(x0 + length + 5, mid + FONT * 0.35, value, "chart-value" if rect else "chart-label")]


def legend(chart_id: str, top: float, text: str) -> tuple[list[str], float]:
    """A hatched swatch with the text that explains marked bars, wrapped to the chart's width."""
    lines = wrap(text, WIDTH - BAR - 8)
    out = [
        f'<rect x="0" y="{_n(top + 4)}" width="{BAR}" height="{FONT}" class="chart-bar marked" '
        f'fill="url(#{chart_id}-hatch)"/>'
    ]
    out += [_text(BAR + 8, top + 4 + FONT * (0.85 + 1.2 * j), line, "chart-label") for j, line in enumerate(lines)]
    return out, top + 12 + FONT * 1.2 * len(lines)


def _gaps(f: Frame) -> list[bool]:
    """Whether a break line goes before each row: years missing between it and the one before."""
    return [f.spec.by == "year" and k > 0 and int(c.key) - int(f.cats[k - 1].key) > 1 for k, c in enumerate(f.cats)]


def _marked_legend(f: Frame, body: list[str], top: float, gap: float = 6) -> float:
    """The legend of marked rows, when a row is marked; returns the new top."""
    mark = f.spec.mark
    if mark is None or not any(c.marked for c in f.cats):  # (a marked row has a mark)
        return top
    more, top = legend(f.id, top + gap, f"{f.mark} {f.t[mark.legend]}")
    body += more
    return top


def bars(f: Frame) -> tuple[list[str], float, str]:
    """A bar chart: one panel of bars per series (several series have units of their own), headed when several."""
    body: list[str] = []
    top: float = 0
    gaps = _gaps(f)
    for k, line in enumerate(f.series):
        items = [Bar(c.label, v, c.marked, gap) for c, v, gap in zip(f.cats, line.values, gaps)]
        heading = line.head if len(f.series) > 1 else ""
        more, top = bar_panel(f.id, items, top + 14 if k else 0, heading, f.lang, f.mark, f.missing)
        body += more
    top = _marked_legend(f, body, top)
    return body, top + 2, hatch(f.id) if any(c.marked for c in f.cats) else ""


# Several series on one axis: a legend, then grouped bars or lines.


def series_legend(f: Frame, line: bool) -> tuple[list[str], float]:
    """A swatch and the wrapped label of each series, one under another: a bar's fill, or a line with its marker."""
    if len(f.series) < 2:
        return [], 0
    out: list[str] = []
    top: float = 0
    for k, s in enumerate(f.series):
        lines = wrap(s.label, WIDTH - 40)
        mid = top + FONT * 0.65
        if line:
            out.append(f'<line x1="0" x2="28" y1="{_n(mid)}" y2="{_n(mid)}" {_line_look(k)}/>')
            out.append(marker(k, 14, mid))
        else:
            out.append(_swatch(f.id, k, 0, mid - 7, 28, 14))
        out += _lines(36, top + FONT, lines, "chart-label")
        top += LINE * len(lines) + 4
    return out, top + 8


def _swatch(chart_id: str, k: int, x: float, y: float, width: float, height: float) -> str:
    """A bar of series k: the first solid, the others filled with a pattern of their own."""
    cls, fill = ("chart-bar", "") if k == 0 else (f"chart-fill {colour(k)}", f' fill="url(#{chart_id}-s{k})"')
    return f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(width)}" height="{_n(height)}" class="{cls}"{fill}/>'


def _patterns(f: Frame) -> str:
    """The fill patterns of the series after the first: lines at an angle of their own, in their colour."""
    angles = (45, 135, 0, 90)
    return "".join(hatch(f.id, f"s{k}", angles[(k - 1) % 4], f" {colour(k)}") for k in range(1, len(f.series)))


def grouped(f: Frame) -> tuple[list[str], float, str]:
    """Grouped bars: each row's label, then a bar per series, all on one scale; no data is said, not drawn."""
    body, top = series_legend(f, line=False)
    drawn = [base_value(v) for s in f.series for v in s.values if v is not None]
    exp, peak = display_exp(drawn, f.lang), max(drawn, default=Decimal(0)) or Decimal(1)
    texts = [[scaled(v, exp, f.lang) if v is not None else f.missing for v in s.values] for s in f.series]
    room = WIDTH - max((text_width(v, bold=True) for row in texts for v in row), default=0) - 6
    start = top
    for k, (cat, gap) in enumerate(zip(f.cats, _gaps(f))):
        if gap:
            body.append(f'<line x1="0" x2="{WIDTH}" y1="{_n(top + 3)}" y2="{_n(top + 3)}" class="chart-break"/>')
            top += GAP
        lines = wrap(cat.label + (f" {f.mark}" if cat.marked else ""), WIDTH)
        body += _lines(0, top + FONT + 2, lines, "chart-label")
        top += FONT + 4 + LINE * (len(lines) - 1)
        for j, s in enumerate(f.series):
            value, mid = s.values[k], top + GROUP_ROW / 2
            length = float(base_value(value) / peak) * room if value is not None else 0
            if value is not None:
                body.append(_swatch(f.id, j, 0, mid - GROUP_BAR / 2, length, GROUP_BAR))
            cls = "chart-value" if value is not None else "chart-label"
            body.append(_text(length + 5, mid + FONT * 0.35, texts[j][k], cls))
            top += GROUP_ROW
        top += 6
    if f.cats:
        body.append(f'<line x1="0" x2="0" y1="{_n(start)}" y2="{_n(top)}" class="chart-axis"/>')
    top = _marked_legend(f, body, top, 0)
    return body, top + 2, _patterns(f)


COLOURS = 6  # each with 3:1 contrast or more against the page, in light and dark mode (WCAG 1.4.11)


def colour(k: int) -> str:
    """The class that colours series k (the stylesheet's --bar to --bar-6, in turn: the peers' charts draw eight)."""
    return f"series-{k % COLOURS + 1}"


def _line_look(k: int) -> str:
    """The class and dash pattern of series k's line (solid, dashed, dotted, dash-dotted, in turn)."""
    dash = ("", "7 3", "2 3", "9 3 2 3")[k % 4]
    return f'class="chart-line {colour(k)}"' + (f' stroke-dasharray="{dash}"' if dash else "")


def marker(k: int, x: float, y: float) -> str:
    """The marker of series k at a point: a circle, a square, a triangle or a diamond."""
    cls = f'class="chart-point {colour(k)}"'
    shape = k % 4
    if shape == 0:
        return f'<circle cx="{_n(x)}" cy="{_n(y)}" r="4" {cls}/>'
    if shape == 1:
        return f'<rect x="{_n(x - 3.5)}" y="{_n(y - 3.5)}" width="7" height="7" {cls}/>'
    points = (
        ((x, y - 5), (x + 5, y + 4), (x - 5, y + 4)) if shape == 2 else ((x, y - 5), (x + 5, y), (x, y + 5), (x - 5, y))
    )
    return f'<polygon points="{" ".join(f"{_n(a)},{_n(b)}" for a, b in points)}" {cls}/>'


def ticks(peak: Decimal) -> list[Decimal]:
    """Round values for a value axis from zero past the peak: 0, step, 2 step ... with 3 to 5 steps."""
    raw = peak / 4 if peak > 0 else Decimal(1)
    power = Decimal(1).scaleb(raw.adjusted())
    step = next(m * power for m in map(Decimal, ("1", "2", "2.5", "5", "10")) if m * power >= raw)
    n = int((peak / step).to_integral_value(rounding=ROUND_CEILING)) or 1
    return [step * i for i in range(n + 1)]


def lines(f: Frame) -> tuple[list[str], float, str]:
    """A line chart over years: a value axis from zero, years at their distance, a line per series broken where a
    year has no figure (a gap, never a guess), and a marker at each figure."""
    body, top = series_legend(f, line=True)
    drawn = [base_value(v) for s in f.series for v in s.values if v is not None]
    exp = display_exp(drawn, f.lang)
    unit = next((s.unit for s in f.series if s.unit), "CNY")
    axis = ticks(max(drawn, default=Decimal(0)).scaleb(-exp))
    labels = [scaled(model.Figure(v.scaleb(exp), unit, "", ""), exp, f.lang) for v in axis]
    left = max(map(text_width, labels)) + 8
    years = [int(c.key) for c in f.cats]
    half = text_width(str(max(years, default=0))) / 2 + 2
    x0, x1 = max(left + 8, half), WIDTH - half
    span = (years[-1] - years[0]) if len(years) > 1 else 0

    def x(k: int) -> float:
        return (x0 + x1) / 2 if not span else x0 + (x1 - x0) * (years[k] - years[0]) / span

    plot, scale = top + 10, float(axis[-1]) or 1.0

    def y(value: Decimal) -> float:
        return plot + PLOT * (1 - float(value.scaleb(-exp)) / scale)

    for value, label in zip(axis, labels):
        at = plot + PLOT * (1 - float(value) / scale)
        body.append(f'<line x1="{_n(left)}" x2="{WIDTH}" y1="{_n(at)}" y2="{_n(at)}" class="chart-rule"/>')
        body.append(_text(left - 6, at + FONT * 0.35, label, "chart-label", "end"))
    body += _year_labels(f, x, plot + PLOT + FONT + 10)  # clear of the value axis' 0 beside it
    for k, s in enumerate(f.series):
        body += _polyline(k, s, x, y, years)
    return body, plot + PLOT + FONT + 16, ""


def _year_labels(f: Frame, x, baseline: float) -> list[str]:
    """The years under a line chart's plot, left to right, each far enough from the last one shown."""
    out, last = [], -WIDTH
    for k, c in enumerate(f.cats):
        width = text_width(c.label)
        if x(k) - width / 2 >= last + 6:
            out.append(_text(x(k), baseline, c.label, "chart-label", "middle"))
            last = x(k) + width / 2
    return out


def _polyline(k: int, s: Drawn, x, y, years: list[int]) -> list[str]:
    """One series' line, in runs of figures in consecutive years, and its markers."""
    runs: list[list[tuple[float, float]]] = []
    for j, value in enumerate(s.values):
        if value is None:
            continue
        point = (x(j), y(base_value(value)))
        if runs and j > 0 and s.values[j - 1] is not None and years[j] - years[j - 1] == 1:
            runs[-1].append(point)
        else:
            runs.append([point])
    out = [
        f'<polyline points="{" ".join(f"{_n(a)},{_n(b)}" for a, b in run)}" {_line_look(k)}/>'
        for run in runs
        if len(run) > 1
    ]
    return out + [marker(k, a, b) for run in runs for a, b in run]


# Dots: a matrix of rows by series.


def matrix_row(name: str, marks: list[bool], x0: float, col_w: float, top: float) -> tuple[list[str], float]:
    """One row of a dot matrix: its wrapped name and a dot or a ring per column; returns elements and height."""
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


def dots(f: Frame) -> tuple[list[str], float, str]:
    """A dot matrix: a filled dot where a row passes a series' test, a ring where it does not, and each column's
    total."""
    col_w = 72
    x0 = WIDTH - col_w * len(f.series)
    heads = [wrap(s.label, col_w - 4) for s in f.series]
    top: float = max(map(len, heads), default=1) * LINE + 6
    body = [
        _text(x0 + col_w * (k + 0.5), LINE * (j + 1), line, "chart-col", "middle")
        for k, lines in enumerate(heads)
        for j, line in enumerate(lines)
    ]
    for k, cat in enumerate(f.cats):
        more, h = matrix_row(cat.label, [bool(s.values[k]) for s in f.series], x0, col_w, top)
        body, top = body + more, top + h
    body.append(f'<line x1="0" x2="{WIDTH}" y1="{_n(top)}" y2="{_n(top)}" class="chart-rule"/>')
    body.append(_text(0, top + FONT + 8, f.t["chart_total"], "chart-head"))
    body += [
        _text(x0 + col_w * (k + 0.5), top + FONT + 8, str(sum(map(bool, s.values))), "chart-head", "middle")
        for k, s in enumerate(f.series)
    ]
    return body, top + FONT + 14, ""


DRAWINGS = {"bar": bars, "grouped-bar": grouped, "line": lines, "dot": dots}
