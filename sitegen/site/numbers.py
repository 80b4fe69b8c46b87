"""Figures and dates formatted for people, in one of the declared languages (content.languages). What is locale
data comes from CLDR through Babel, by the language's locale: dates, digits and their grouping, plural and ordinal
rules, display scales ('475.4 billion', '4754.2亿': format_compact_decimal) and the units CLDR names ('12.5 km²',
'3年': format_unit). What CLDR does not know is declared per language in models/languages.yaml: the units with their
measure words, qualifiers, the basis of a growth rate, ties and the pattern of a place in a ranking."""

from __future__ import annotations

import functools
from decimal import ROUND_HALF_EVEN, Decimal

from ..content.languages import Language, Length
from ..content.model import Figure

SCALES = {"thousand": 3, "million": 6, "billion": 9, "trillion": 12, "wan": 4, "yi": 8}  # a value's, as written
SAMPLE = Decimal("2.5")  # a number of CLDR's plural category 'other' in every language, to find a unit's words by


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
def _cldr(locale: str):
    """A Babel locale, loaded on first use."""
    from babel import Locale

    return Locale.parse(locale)


@_answered
def _rules(kind: str, locale: str) -> dict[str, str]:
    """A locale's CLDR plural or ordinal rules as text ({'one': 'i in 1 and v in 0'} in English, none in Chinese)."""
    return dict(getattr(_cldr(locale), f"{kind}_form").rules)


@functools.cache
def _rule(kind: str, locale: str):
    """A locale's plural ('plural') or ordinal ('ordinal') rule, as a function of a number to its category."""
    from babel.plural import PluralRule

    return PluralRule(_rules(kind, locale))


@_answered
def plural(n: Decimal | int, locale: str, kind: str = "plural") -> str:
    """The CLDR plural (or ordinal) category of a number in a locale: 'one' or 'other' in English, always 'other' in
    Chinese."""
    return _rule(kind, locale)(n)


def _form(forms: dict[str, str], n: Decimal | int, locale: str, kind: str = "plural") -> str:
    """The pattern of a number's CLDR category, else the one for 'other'; CLDR is asked only when the language gives
    more than one ('{n} people' beside '{n} person', but '{n} yuan')."""
    return forms.get(plural(n, locale, kind), forms["other"]) if len(forms) > 1 else forms["other"]


@_answered
def human_date(value: str, locale: str) -> str:
    """A content date ('2023', '2023-10' or '2023-10-28') in a locale's words, by CLDR: '28 October 2023',
    'October 2023', '2023'; '2023年10月28日', '2023年10月', '2023年'."""
    import datetime

    from babel.dates import format_date, format_skeleton

    parts = [int(p) for p in value.split("-")]
    day = datetime.date(parts[0], *(parts[1:] + [1] * (3 - len(parts))))
    if len(parts) == 3:
        return format_date(day, "long", locale=_cldr(locale))
    return format_skeleton("yMMMM" if len(parts) == 2 else "y", day, locale=_cldr(locale))


@functools.cache
def scales(locale: str, smallest: int) -> tuple[tuple[int, str], ...]:
    """A locale's display scales from `smallest` up, largest first, as (power of ten, word), read from CLDR's long
    compact decimal formats: (12, 'trillion'), (9, 'billion'), (6, 'million'); (12, '万亿'), (8, '亿'), (4, '万')."""
    found = {}
    for magnitude, pattern in _cldr(locale).compact_decimal_formats["long"]["other"].items():
        text, zeros = pattern.pattern, pattern.pattern.count("0")
        exp = len(magnitude) - zeros
        if text.strip() != "0" and 10**exp >= smallest:
            found[exp] = text.replace("0", "").replace("'", "").strip()
    return tuple(sorted(found.items(), reverse=True))


@_answered
def _decimal(value: Decimal, pattern: str, locale: str) -> str:
    """A number by a CLDR number pattern, in a locale's digits and marks."""
    from babel.numbers import format_decimal

    return format_decimal(value, format=pattern, locale=_cldr(locale))


@_answered
def _compact(value: Decimal, digits: int, locale: str) -> str:
    """A number with its display scale word, to `digits` decimals: '475.4 billion', '4754.2亿'."""
    from babel.numbers import format_compact_decimal

    return format_compact_decimal(value, format_type="long", locale=_cldr(locale), fraction_digits=digits)


@_answered
def _unit(value: Decimal, pattern: str, unit: str, length: Length, locale: str) -> str:
    """A number with a unit CLDR names, the number by a CLDR number pattern: '12.5 km²', '5.9%', '3 years'."""
    from babel.units import format_unit

    return format_unit(value, unit, length, format=pattern, locale=_cldr(locale))


@_answered
def _unit_words(word: str, unit: str, length: Length, locale: str) -> str:
    """The words of a unit CLDR names at a display scale (its word), without a number: 'km²', '%', 'years', '年',
    'million km²'."""
    from babel.units import format_unit

    if word:
        return format_unit(word, unit, length, locale=_cldr(locale))
    return _unit(SAMPLE, "0.#", unit, length, locale).replace(_decimal(SAMPLE, "0.#", locale), "", 1).strip()


def _digits(value: Decimal, places: int | None, grouped: bool = True) -> str:
    """A CLDR number pattern for a value, its digits grouped or not: every decimal it has, or rounded to `places`."""
    if places is None:
        places = _places(value)
    whole = "#,##0" if grouped else "0"
    return whole + "." + "#" * places if places else whole


def _places(value: Decimal) -> int:
    """How many digits a value has after the decimal point, trailing zeros left out (none for a whole number)."""
    exponent = value.normalize().as_tuple().exponent  # an int: every value is finite
    return max(0, -exponent) if isinstance(exponent, int) else 0


def base_value(fig: Figure) -> Decimal:
    """The figure's value in units, with its scale applied."""
    return fig.value.scaleb(SCALES[fig.scale]) if fig.scale else fig.value


def percent_change(
    latest: Figure, before: Figure, basis: str | None = None, derived: str | None = None
) -> Figure | None:
    """The change of a figure on the one a year before it, in per cent to one decimal, as a figure derived from the
    two (its source is the later one's; `basis` says real or nominal where that applies, `derived` how it was made).
    None when the two cannot be compared exactly: different units, a qualifier ('over'), a rank or a rate, a zero, or
    years that are not consecutive."""
    year, prior = str(latest.as_of)[:4], str(before.as_of)[:4]
    comparable = (
        latest.unit == before.unit
        and latest.unit not in ("rank", "percent", "percent-change")
        and not latest.qualifier
        and not before.qualifier
        and year.isdigit()
        and prior.isdigit()
        and int(year) - int(prior) == 1
        and base_value(before) != 0
    )
    if not comparable:
        return None
    value = ((base_value(latest) / base_value(before) - 1) * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_EVEN)
    return Figure(
        value=value,
        unit="percent-change",
        as_of=latest.as_of,
        source=latest.source,
        basis=basis,
        derived=derived,
        estimate=bool(latest.estimate or before.estimate) or None,
    )


def decimal_text(value: Decimal, places: int | None = None, group: str = "") -> str:
    """Write a decimal without exponent or trailing zeros, rounded to `places` if given, grouped with `group` (for
    the downloads, in no language)."""
    if places is not None:
        value = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN)
    text = f"{value.normalize():,f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(",", group)


def number(fig: Figure, lang: Language, short: bool = False) -> str:
    """The number with its scale word: '475.418 billion', or '475.4 billion' when short; ordinals for ranks.

    An unscaled value keeps all its digits ('1,595,138') unless short; a scaled one is shown in display scales (from
    the language's smallest); a value in a unit CLDR names never is."""
    value, unit = base_value(fig), lang.units[fig.unit]
    if unit.ordinal:
        return _form(lang.ordinals, int(value), lang.locale, "ordinal").format(n=int(value))
    exp = display_exp([value], lang) if (short or fig.scale) and not unit.cldr else 0
    if exp:
        digits = 1 if short else _places(value.scaleb(-exp))
        return _compact(value, digits, lang.locale)
    return _decimal(value, _digits(value, 1 if short and value < 1000 else None, lang.grouping), lang.locale)


def format_figure(fig: Figure, lang: Language, short: bool = False, bare: bool = False) -> str:
    """A figure for people: 'over 100 billion yuan', '1,595,138 people', '2nd, shared with Kunshan', '5.9% in real
    terms'; bare drops the unit (and the basis and the tie, which belong to it)."""
    value, unit = base_value(fig), lang.units[fig.unit]
    if unit.cldr and not bare:
        pattern = _digits(value, 1 if short and value < 1000 else None, lang.grouping)
        n = _unit(value, pattern, unit.cldr, unit.length, lang.locale)
    else:
        n = number(fig, lang, short)
        if not bare and not unit.ordinal:
            n = _form(lang.patterns[fig.unit], value, lang.locale).format(n=n)
    if not bare:
        if fig.basis:
            n = lang.bases[fig.basis].format(f=n)
        if fig.shared_with:
            n = lang.tie.format(f=n, **{"with": fig.shared_with})
    if fig.qualifier:
        n = lang.qualifiers[fig.qualifier].format(f=n)
    return n


def display_exp(values: list[Decimal], lang: Language) -> int:
    """The power of ten of the largest display scale that the biggest value reaches (0 if none)."""
    top = max(values, default=Decimal(0))
    return next((exp for exp, _ in scales(lang.locale, lang.scales_from) if top >= Decimal(1).scaleb(exp)), 0)


def scaled(fig: Figure, exp: int, lang: Language, places: int = 1) -> str:
    """The figure's number in units of 10**exp with its qualifier, for chart labels: 'over 100' (billions). A scaled
    number is not grouped, as CLDR's compact formats write it ('4754.2' 亿)."""
    value = base_value(fig).scaleb(-exp)
    n = _decimal(value, _digits(value, places, lang.grouping and not exp), lang.locale)
    return lang.qualifiers[fig.qualifier].format(f=n) if fig.qualifier else n


def unit_words(unit: str, exp: int, lang: Language) -> str:
    """The words for a unit at a display scale, for chart titles: ('CNY', 9) -> 'billion yuan'."""
    declared, word = lang.units[unit], dict(scales(lang.locale, lang.scales_from)).get(exp, "")
    if declared.ordinal:
        return word
    if declared.cldr:
        return _unit_words(word, declared.cldr, declared.length, lang.locale)
    return lang.patterns[unit]["other"].format(n=word).strip()


def count(n: int, unit: str, lang: Language) -> str:
    """A count with its noun: count(4, 'industries') -> '4 industries', count(1, 'industries') -> '1 industry'."""
    return format_figure(Figure(Decimal(n), unit, "", ""), lang)
