"""Figures formatted for people. Each language is a table of scales, units and qualifiers, so zh (亿, 万) slots in."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal

from .model import Figure

SCALES = {"thousand": 3, "million": 6, "billion": 9, "trillion": 12, "wan": 4, "yi": 8}


@dataclass(frozen=True)
class Language:
    """How one language writes figures: display scales (largest first), unit patterns, qualifier patterns."""

    scales: tuple[tuple[int, str], ...]
    units: dict  # unit -> (pattern for one, pattern for many); {n} is the number with its scale word
    qualifiers: dict  # qualifier -> pattern around the formatted figure
    bases: dict  # percent-change basis -> pattern around the formatted figure
    shared: str  # pattern for a tied rank: {f} the rank, {with} who shares it
    group: str = ","
    ordinal: object = None
    scale_sep: str = " "  # between a number and its scale word: '475.4 billion', '4754.2亿'
    scaled_group: str | None = None  # digit grouping before a scale word, when not `group` (亿 and 万: none)



def _english_ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 21st."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _counted(noun: str) -> tuple[str, str]:
    """Patterns for a counted noun with a regular plural."""
    return f"{{n}} {noun}", f"{{n}} {noun}s"


EN = Language(
    scales=((12, "trillion"), (9, "billion"), (6, "million")),
    units={"CNY": ("{n} yuan", "{n} yuan"), "USD": ("US${n}", "US${n}"), "EUR": ("€{n}", "€{n}"),
           "people": ("{n} person", "{n} people"), "km2": ("{n} km²", "{n} km²"), "percent": ("{n}%", "{n}%"),
           "percent-change": ("{n}%", "{n}%"),
           "years": _counted("year"), "projects": _counted("project"), "companies": ("{n} company", "{n} companies"),
           "enterprises": _counted("enterprise"), "employees": _counted("employee"), "funds": _counted("fund"),
           "guests": _counted("guest"), "rank": ("{n}", "{n}"), "industries": ("{n} industry", "{n} industries")},
    qualifiers={"over": "over {f}", "about": "about {f}", "nearly": "nearly {f}", "under": "under {f}"},
    bases={"real": "{f} in real terms", "nominal": "{f} in nominal terms"},
    shared="{f}, shared with {with}",
    ordinal=_english_ordinal,
)
ZH = Language(  # Chinese counts in 万 (10^4) and 亿 (10^8), the unit after the number, a measure word for things
    scales=((12, "万亿"), (8, "亿"), (4, "万")),
    units={"CNY": ("{n}元", "{n}元"), "USD": ("{n}美元", "{n}美元"), "EUR": ("{n}欧元", "{n}欧元"),
           "people": ("{n}人", "{n}人"), "km2": ("{n}平方公里", "{n}平方公里"), "percent": ("{n}%", "{n}%"),
           "percent-change": ("{n}%", "{n}%"), "years": ("{n}年", "{n}年"), "projects": ("{n}个项目", "{n}个项目"),
           "companies": ("{n}家公司", "{n}家公司"), "enterprises": ("{n}家企业", "{n}家企业"),
           "employees": ("{n}名员工", "{n}名员工"), "funds": ("{n}支基金", "{n}支基金"),
           "guests": ("{n}位嘉宾", "{n}位嘉宾"), "rank": ("{n}", "{n}"), "industries": ("{n}个产业", "{n}个产业")},
    qualifiers={"over": "超过{f}", "about": "约{f}", "nearly": "近{f}", "under": "不足{f}"},
    bases={"real": "{f}（按可比价格计算）", "nominal": "{f}（按现价计算）"},
    shared="{f}（与{with}并列）",
    ordinal=lambda n: f"第{n}名",
    scale_sep="",
    scaled_group="",
)
LANGUAGES = {"en": EN, "zh": ZH}


def base_value(fig: Figure) -> Decimal:
    """The figure's value in units, with its scale applied."""
    return fig.value.scaleb(SCALES[fig.scale]) if fig.scale else fig.value


def decimal_text(value: Decimal, places: int | None = None, group: str = "") -> str:
    """Write a decimal without exponent or trailing zeros, rounded to `places` if given, grouped with `group`."""
    if places is not None:
        value = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN)
    text = f"{value.normalize():,f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(",", group)


def _plain(value: Decimal, lang: Language, places: int | None) -> str:
    """Write a decimal the way a language groups digits."""
    return decimal_text(value, places, lang.group)


def number(fig: Figure, lang: str = "en", short: bool = False) -> str:
    """The number with its scale word: '475.418 billion', or '475.4 billion' when short; ordinals for ranks.

    An unscaled value keeps all its digits ('1,595,138') unless short; a scaled one is shown in display scales."""
    table = LANGUAGES[lang]
    value = base_value(fig)
    if fig.unit == "rank":
        return table.ordinal(int(value))
    places = 1 if short else None
    if (short or fig.scale) and fig.unit not in ("years", "percent", "percent-change", "km2"):
        for exp, word in table.scales:
            if value >= Decimal(1).scaleb(exp):
                group = table.group if table.scaled_group is None else table.scaled_group
                return f"{decimal_text(value.scaleb(-exp), places, group)}{table.scale_sep}{word}"
    return _plain(value, table, places if short and value < 1000 else None)


def format_figure(fig: Figure, lang: str = "en", short: bool = False, bare: bool = False) -> str:
    """A figure for people: 'over 100 billion yuan', '1,595,138 people', '2nd, shared with Kunshan', '5.9% in real
    terms'; bare drops the unit (and the basis and the tie, which belong to it)."""
    table = LANGUAGES[lang]
    n = number(fig, lang, short)
    if not bare:
        one, many = table.units[fig.unit]
        n = (one if base_value(fig) == 1 else many).format(n=n)
        if fig.basis:
            n = table.bases[fig.basis].format(f=n)
        if fig.shared_with:
            n = table.shared.format(f=n, **{"with": fig.shared_with})
    if fig.qualifier:
        n = table.qualifiers[fig.qualifier].format(f=n)
    return n


def display_exp(values: list[Decimal], lang: str = "en") -> int:
    """The power of ten of the largest display scale that the biggest value reaches (0 if none)."""
    top = max(values, default=Decimal(0))
    return next((exp for exp, _ in LANGUAGES[lang].scales if top >= Decimal(1).scaleb(exp)), 0)


def scaled(fig: Figure, exp: int, lang: str = "en", places: int = 1) -> str:
    """The figure's number in units of 10**exp with its qualifier, for chart labels: 'over 100' (billions)."""
    table = LANGUAGES[lang]
    group = table.group if not exp or table.scaled_group is None else table.scaled_group
    n = decimal_text(base_value(fig).scaleb(-exp), places, group)
    return table.qualifiers[fig.qualifier].format(f=n) if fig.qualifier else n


def unit_words(unit: str, exp: int = 0, lang: str = "en") -> str:
    """The words for a unit at a display scale, for chart titles: ('CNY', 9) -> 'billion yuan'."""
    table = LANGUAGES[lang]
    word = dict(table.scales).get(exp, "")
    return table.units[unit][1].format(n=word).strip()


def count(n: int, unit: str, lang: str = "en") -> str:
    """A count with its noun: count(4, 'industries') -> '4 industries', count(1, 'industries') -> '1 industry'."""
    one, many = LANGUAGES[lang].units[unit]
    return (one if n == 1 else many).format(n=_plain(Decimal(n), LANGUAGES[lang], None))
