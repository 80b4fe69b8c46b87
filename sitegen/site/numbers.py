"""Figures and dates formatted for people. What is locale data (date patterns, digit grouping, plural and ordinal
rules) comes from CLDR through Babel; what is ours (display scales such as 亿 and 万, units with their measure
words, qualifiers, the basis of a growth rate, ties) is a table per language."""
from __future__ import annotations

import functools
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal

from ..content.model import Figure

SCALES = {"thousand": 3, "million": 6, "billion": 9, "trillion": 12, "wan": 4, "yi": 8}


@dataclass(frozen=True)
class Language:
    """How one language writes figures: display scales (largest first), unit patterns, qualifier patterns."""

    code: str
    scales: tuple[tuple[int, str], ...]
    units: dict  # unit -> (pattern for one, pattern for many); {n} is the number with its scale word
    qualifiers: dict  # qualifier -> pattern around the formatted figure
    bases: dict  # percent-change basis -> pattern around the formatted figure
    shared: str  # pattern for a tied rank: {f} the rank, {with} who shares it
    group: str | None = None  # digit grouping: None for the locale's own (CLDR)
    ordinal: object = None
    scale_sep: str = " "  # between a number and its scale word: '475.4 billion', '4754.2亿'
    scaled_group: str | None = None  # digit grouping before a scale word, when not `group` (亿 and 万: none)



LOCALES = {"en": "en_GB", "zh": "zh_Hans_CN"}  # the CLDR locale of each language (British English: 28 October 2023)


def _answered(ask):
    """Memoize a CLDR lookup by its arguments, a Decimal by its text (1.0 is not 1: CLDR's 'v' differs)."""
    @functools.lru_cache(maxsize=4096)
    def asked(*args):
        return ask(*(Decimal(a[1]) if type(a) is tuple and a[:1] == ("decimal",) else a for a in args))

    @functools.wraps(ask)
    def answer(*args):
        return asked(*(("decimal", str(a)) if type(a) is Decimal else a for a in args))
    return answer


@functools.cache
def _cldr(lang: str):
    """The Babel locale of a language, loaded on first use (a build that formats nothing never imports Babel)."""
    from babel import Locale
    return Locale.parse(LOCALES[lang])


@_answered
def _rules(kind: str, lang: str) -> dict[str, str]:
    """A language's CLDR plural or ordinal rules as text ({'one': 'i in 1 and v in 0'} in English, none in
    Chinese): kept with the answers, so a number never seen before needs only Babel's rule evaluator, not its
    locale data (5 ms against 20)."""
    return dict(getattr(_cldr(lang), f"{kind}_form").rules)


@functools.cache
def _rule(kind: str, lang: str):
    """A language's plural ('plural') or ordinal ('ordinal') rule, as a function of a number to its category."""
    from babel.plural import PluralRule
    return PluralRule(_rules(kind, lang))


@_answered
def plural(n: Decimal | int, lang: str) -> str:
    """The CLDR plural category of a number in a language: 'one' or 'other' in English, always 'other' in Chinese."""
    return _rule("plural", lang)(n)


@_answered
def _english_ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 21st: the suffix of the number's CLDR ordinal category."""
    return f"{n}{ {'one': 'st', 'two': 'nd', 'few': 'rd'}.get(_rule('ordinal', 'en')(n), 'th')}"


@_answered
def human_date(value: str, lang: str) -> str:
    """A content date ('2023', '2023-10' or '2023-10-28') in a language's words, by CLDR: '28 October 2023',
    'October 2023', '2023'; '2023年10月28日', '2023年10月', '2023年'."""
    import datetime

    from babel.dates import format_date, format_skeleton
    parts = [int(p) for p in value.split("-")]
    day = datetime.date(parts[0], *(parts[1:] + [1] * (3 - len(parts))))
    if len(parts) == 3:
        return format_date(day, "long", locale=_cldr(lang))
    return format_skeleton("yMMMM" if len(parts) == 2 else "y", day, locale=_cldr(lang))


@_answered
def group_symbol(lang: str) -> str:
    """The digit-grouping mark of a language, by CLDR."""
    from babel.numbers import get_group_symbol
    return get_group_symbol(_cldr(lang))


def _counted(noun: str) -> tuple[str, str]:
    """Patterns for a counted noun with a regular plural."""
    return f"{{n}} {noun}", f"{{n}} {noun}s"


EN = Language(
    code="en",
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
    code="zh",
    scales=((12, "万亿"), (8, "亿"), (4, "万")),
    units={"CNY": ("{n}元", "{n}元"), "USD": ("{n}美元", "{n}美元"), "EUR": ("{n}欧元", "{n}欧元"),
           "people": ("{n}人", "{n}人"), "km2": ("{n}平方公里", "{n}平方公里"), "percent": ("{n}%", "{n}%"),
           "percent-change": ("{n}%", "{n}%"), "years": ("{n}年", "{n}年"), "projects": ("{n}个项目", "{n}个项目"),
           "companies": ("{n}家", "{n}家"), "enterprises": ("{n}家企业", "{n}家企业"),
           "employees": ("{n}名员工", "{n}名员工"), "funds": ("{n}支基金", "{n}支基金"),
           "guests": ("{n}位嘉宾", "{n}位嘉宾"), "rank": ("{n}", "{n}"), "industries": ("{n}个产业", "{n}个产业")},
    qualifiers={"over": "超过{f}", "about": "约{f}", "nearly": "近{f}", "under": "不足{f}"},
    bases={"real": "{f}（按可比价格计算）", "nominal": "{f}（按现价计算）"},
    shared="{f}（与{with}并列）",
    group="",  # Chinese writes 3300 and 1595138, not 3,300
    ordinal=lambda n: f"第{n}",
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
    return decimal_text(value, places, group_symbol(lang.code) if lang.group is None else lang.group)


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
                if table.scaled_group is None:
                    return f"{_plain(value.scaleb(-exp), table, places)}{table.scale_sep}{word}"
                return f"{decimal_text(value.scaleb(-exp), places, table.scaled_group)}{table.scale_sep}{word}"
    return _plain(value, table, places if short and value < 1000 else None)


def format_figure(fig: Figure, lang: str = "en", short: bool = False, bare: bool = False) -> str:
    """A figure for people: 'over 100 billion yuan', '1,595,138 people', '2nd, shared with Kunshan', '5.9% in real
    terms'; bare drops the unit (and the basis and the tie, which belong to it)."""
    table = LANGUAGES[lang]
    n = number(fig, lang, short)
    if not bare:
        n = _form(table.units[fig.unit], base_value(fig), lang).format(n=n)
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
    value = base_value(fig).scaleb(-exp)
    n = decimal_text(value, places, table.scaled_group) if exp and table.scaled_group is not None else \
        _plain(value, table, places)
    return table.qualifiers[fig.qualifier].format(f=n) if fig.qualifier else n


def unit_words(unit: str, exp: int = 0, lang: str = "en") -> str:
    """The words for a unit at a display scale, for chart titles: ('CNY', 9) -> 'billion yuan'."""
    table = LANGUAGES[lang]
    word = dict(table.scales).get(exp, "")
    return table.units[unit][1].format(n=word).strip()


def count(n: int, unit: str, lang: str = "en") -> str:
    """A count with its noun: count(4, 'industries') -> '4 industries', count(1, 'industries') -> '1 industry'."""
    return _form(LANGUAGES[lang].units[unit], n, lang).format(n=_plain(Decimal(n), LANGUAGES[lang], None))


def _form(forms: tuple[str, str], n: Decimal | int, lang: str) -> str:
    """A unit's singular or plural pattern for a number; CLDR is asked only when the two differ ('{n} people' but
    '{n} yuan', '{n}%'): a figure edit that gives yuan a value never seen before need not load Babel."""
    one, many = forms
    return one if one != many and plural(n, lang) == "one" else many
