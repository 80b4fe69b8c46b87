"""The languages a site may be written in, and the units its figures are counted in, as models/languages.yaml
declares them: each language's code (the suffix of its texts, name_zh, and the folder of its pages), its name in
itself, its tags (HTML and hreflang, OpenGraph), its CLDR locale, its punctuation, its time-relative words and how it
writes what CLDR does not know (units with their measure words, qualifiers, the basis of a growth rate, ties, ranks).
Read with the same field engine as the models, so a mistake is reported at its line. What CLDR knows (dates, digits,
plural rules, display scales, the units it names) is Babel's, by each language's locale: see site.numbers."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from string import Formatter
from typing import Literal

import yaml

from ..errors import Location, Problems
from .fields import INVALID, TAG, Choice, Cx, Field, Flag, ListOf, MapOf, Number, Record, Text
from .load import load_yaml
from .prose import TimeWords

FILE = "models/languages.yaml"
PLURALS = ("zero", "one", "two", "few", "many", "other")  # CLDR's plural and ordinal categories
LENGTHS = ("long", "short", "narrow")  # how fully CLDR writes a unit: '12.5 square kilometres', '12.5 km²', '12.5km²'
Length = Literal["long", "short", "narrow"]
QUALIFIERS = ("over", "about", "nearly", "under")  # a figure's `qualifier`, as its source says it
BASES = ("real", "nominal", "unstated")  # a growth rate's `basis`: unstated when the source does not say
PUNCTUATION = ("stop", "end", "colon", "comma", "list", "semi", "open", "close", "quote", "space")


@dataclass(frozen=True)
class Unit:
    """A unit figures are counted in: written by CLDR (`cldr`, at a `length`: then never with a display scale), as a
    place in a ranking (`ordinal`), or else by each language's pattern; `figures` false for a noun only a chart
    counts its rows in."""

    cldr: str | None = None
    length: Length = "long"
    ordinal: bool = False
    figures: bool = True
    loc: Location = field(default=Location(""), compare=False)


@dataclass(frozen=True, eq=False)
class Language:
    """One declared language. `patterns` and `ordinals` map CLDR plural (ordinal) categories to patterns of {n},
    'other' always among them; `qualifiers`, `bases` and `tie` are patterns of the formatted figure {f} (a tie also
    of {with}); `units` is the declared units, the same for every language. Equal only to itself."""

    code: str
    name: str  # in itself: English, 中文
    tag: str  # BCP 47: en, zh-Hans
    locale: str  # CLDR: en_GB, zh_Hans_CN
    og_locale: str
    scales_from: int  # the smallest display scale it writes a figure with ('475.4 billion', '4754.2亿')
    grouping: bool  # whether it groups a number's digits (1,595,138) or writes them together (1595138)
    punctuation: dict[str, str]
    time_words: tuple[str, ...]
    whole_words: bool
    patterns: dict[str, dict[str, str]]
    ordinals: dict[str, str]
    qualifiers: dict[str, str]
    bases: dict[str, str]
    tie: str
    units: dict[str, Unit] = field(default_factory=dict)
    script: str | None = None  # a character class its texts hold at least one of ('[一-鿿]'), when it has one
    loc: Location = field(default=Location(""))

    @property
    def english_name(self) -> str:
        """The language's name in English, for messages ('Chinese'), by CLDR; its code when CLDR has none."""
        from babel import Locale, UnknownLocaleError

        try:
            return Locale(Locale.parse(self.locale).language).english_name or self.code
        except (ValueError, UnknownLocaleError):
            return self.code


@dataclass(frozen=True)
class Languages:
    """Every declared language by its code, in the file's order, and the units figures may have."""

    units: dict[str, Unit]
    declared: dict[str, Language]

    def __getitem__(self, code: str) -> Language:
        return self.declared[code]

    def __contains__(self, code: str) -> bool:
        return code in self.declared

    @property
    def figure_units(self) -> tuple[str, ...]:
        """The units a figure may have."""
        return tuple(name for name, unit in self.units.items() if unit.figures)

    @cached_property
    def time_words(self) -> TimeWords:
        """The time-relative words of every declared language, as one pattern."""
        return TimeWords((lang.time_words, lang.whole_words) for lang in self.declared.values())


class Verbatim(Field):
    """Text taken exactly as written, spaces and all, or empty (punctuation: ' (' or '')."""

    expected = "text in quotes"

    def parse(self, node, cx):
        if not isinstance(node, yaml.ScalarNode) or node.tag != TAG + "str":
            return self.wrong(node, cx, 'quote it, e.g. " ("')
        return node.value

    def json_schema(self):
        return self._described({"type": "string"})


class Pattern(Text):
    """A text with placeholders ({n}), each of `needs` among them and no other."""

    def __init__(self, help: str, needs: tuple[str, ...], required: bool = True):
        super().__init__(help, required)
        self.needs = needs

    def check(self, value, node, cx):
        try:
            names = [name for _, name, _, _ in Formatter().parse(value) if name is not None]
        except ValueError:
            return cx.error(node, f"'{value}' is not a pattern", "write a placeholder as {n}, and a brace as {{ or }}")
        wanted = ", ".join("{" + n + "}" for n in self.needs)
        for name in names:
            if name not in self.needs:
                return cx.error(node, f"unknown placeholder {{{name}}} in '{value}'", f"it may use {wanted}")
        missing = [n for n in self.needs if n not in names]
        if missing:
            return cx.error(node, f"'{value}' has no {{{missing[0]}}}", f"write where it goes: it uses {wanted}")
        return value


class Forms(Field):
    """A pattern for every number ('{n}元'), or one per CLDR plural category ({one: '{n} fund', other: '{n} funds'},
    'other' always among them): {other: pattern} either way."""

    expected = "a pattern, or patterns by plural category"

    def __init__(self, help: str = "", required: bool = True):
        super().__init__(help, required)
        self.one = Pattern("the pattern", ("n",))
        self.by = MapOf(Choice(PLURALS, "a CLDR plural category"), self.one)

    def parse(self, node, cx):
        if isinstance(node, yaml.ScalarNode):
            value = self.one.parse(node, cx)
            return INVALID if value is INVALID else {"other": value}
        value = self.by.parse(node, cx)
        if value is not INVALID and "other" not in value:
            return cx.error(node, "no pattern for 'other'", "add 'other: ...': the pattern for every other number")
        return value

    def json_schema(self):
        return self._described({"anyOf": [self.one.json_schema(), self.by.json_schema()]})


class Code(Text):
    """A language's code: two to eight lowercase letters (the suffix of its texts, name_zh; its folder, /zh/)."""

    def check(self, value, node, cx):
        if not re.match(r"^[a-z]{2,8}$", value):
            return cx.error(node, f"'{value}' is not a language code", "use two to eight lowercase letters, e.g. de")
        return value


class Locale(Text):
    """A CLDR locale that Babel has, such as en_GB or zh_Hans_CN."""

    def check(self, value, node, cx):
        from babel import localedata

        if not localedata.exists(value):
            return cx.error(node, f"'{value}' is not a CLDR locale", "write one such as en_GB, de_DE or zh_Hans_CN")
        return value


class CldrUnit(Text):
    """A unit CLDR names, such as area-square-kilometer."""

    def check(self, value, node, cx):
        if not _cldr_unit(value):
            return cx.error(
                node,
                f"'{value}' is not a CLDR unit",
                "write one such as area-square-kilometer, concentr-percent or duration-year",
            )
        return value


@functools.cache
def _cldr_unit(name: str) -> bool:
    """Whether CLDR knows a unit (every locale inherits its units from CLDR's root)."""
    from babel import Locale as Cldr
    from babel.units import UnknownUnitError, get_unit_name

    try:
        return get_unit_name(name, locale=Cldr.parse("root")) is not None
    except UnknownUnitError:
        return False


class EveryUnit:
    """A rule on a language: every unit without a CLDR name or ordinal has its pattern."""

    def __init__(self, units: dict[str, Unit]):
        self.needed = tuple(name for name, unit in units.items() if not unit.cldr and not unit.ordinal)

    def check(self, values: dict, keys, node, cx) -> bool:
        """Report each unit without a pattern, at the language's `units:`."""
        missing = [name for name in self.needed if name not in (values.get("units") or {})]
        for name in missing:
            cx.error(
                keys["units"][0] if "units" in keys else node,
                f"no pattern for the unit '{name}'",
                f"add '{name}: ...' under units: (its pattern, e.g. \"{{n}} {name}\")",
            )
        return not missing

    def json_schema(self) -> dict:
        return {}


class Regex(Text):
    """A regular expression."""

    def check(self, value, node, cx):
        try:
            re.compile(value)
        except re.error as exc:
            return cx.error(
                node,
                f"'{value}' is not a regular expression: {exc}",
                "most words are written as they are; escape ( ) [ ] ? * + . with a backslash",
            )
        return value


class UnitName(Text):
    """A unit's name: letters, digits and hyphens (km2, percent-change, CNY)."""

    def check(self, value, node, cx):
        if not re.match(r"^[A-Za-z][A-Za-z0-9-]*$", value):
            return cx.error(node, f"'{value}' is not a unit name", "use letters, digits and hyphens, e.g. km2")
        return value


def _record(help: str, names: tuple[str, ...], make) -> Record:
    """A mapping that must give each of `names`, each by `make(name)`, as a dict."""
    return Record(lambda loc, **values: values, {name: make(name) for name in names}, help)


UNIT = Record(
    lambda loc, **kw: Unit(loc=loc, **kw),
    {
        "cldr": CldrUnit("the CLDR unit that writes it in every language, e.g. area-square-kilometer", required=False),
        "length": Choice(
            LENGTHS,
            "cldr: long ('12.5 square kilometres'), short ('12.5 km²') or narrow",
            required=False,
            default="long",
        ),
        "ordinal": Flag("true: the number is a place in a ranking ('2nd', '第2名')", required=False, default=False),
        "figures": Flag("false: only a chart's count of its rows uses it", required=False, default=True),
    },
    "a unit",
    required=False,
)


def language_record(units: dict[str, Unit]) -> Record:
    """How one language is declared, for these units."""
    return Record(
        lambda loc, **kw: Language(code="", loc=loc, patterns=kw.pop("units"), **kw),
        {
            "name": Text("the language named in itself, for the switch between languages, e.g. 中文"),
            "tag": Text("its BCP 47 tag, for <html lang>, hreflang and the feeds, e.g. zh-Hans"),
            "locale": Locale("its CLDR locale, for dates, digits, plural rules and display scales, e.g. zh_Hans_CN"),
            "og_locale": Text("its OpenGraph locale, e.g. zh_CN"),
            "scales_from": Number(
                "the smallest display scale it writes figures with, e.g. 1000000 (12,345 is written in full)",
                integer=True,
                minimum=1,
            ),
            "grouping": Flag(
                "false: numbers are written without grouping their digits (3300, 1595138), though CLDR groups them",
                required=False,
                default=True,
            ),
            "punctuation": _record(
                "how it punctuates the sentences templates put together",
                PUNCTUATION,
                lambda name: Verbatim(f"{name}, in quotes (quote: {{}} is the quoted text)"),
            ),
            "time_words": ListOf(
                Regex("a time-relative word, as a regular expression"),
                "words that need a year beside them ('latest', '目前')",
                required=False,
            ),
            "whole_words": Flag(
                "true: its time words match whole words only ('now', not 'known')", required=False, default=False
            ),
            "units": MapOf(
                Choice(tuple(units), "a unit declared under units:"),
                Forms(),
                "each unit's pattern: {n} is the number with its scale word ('475.4 billion')",
                required=False,
            ),
            "ordinals": Forms("a place in a ranking: {n} is the number ('{n}th'), by CLDR ordinal category"),
            "qualifiers": _record(
                "a qualified figure: {f} is the figure ('over {f}')",
                QUALIFIERS,
                lambda name: Pattern(f"{name}: {{f}} is the figure", ("f",)),
            ),
            "bases": _record(
                "a growth rate's basis: {f} is the figure",
                BASES,
                lambda name: Pattern(f"{name}: {{f}} is the figure", ("f",)),
            ),
            "tie": Pattern("a tied rank: {f} is the rank, {with} who shares it", ("f", "with")),
            "script": Regex(
                "a character class of its script: every text in it holds one (a name with no form in "
                "it is written as in the first language)",
                required=False,
            ),
        },
        "a language",
        title="Language",
        rules=(EveryUnit(units),),
    )


def load_languages(root: Path, problems: Problems) -> Languages | None:
    """Read models/languages.yaml; None (reported) when it is missing or mistaken."""
    path = root / FILE
    if not path.is_file():
        problems.error(
            Location(FILE),
            "file is missing",
            f"the project declares its languages and units in {FILE} (see models/README.md)",
        )
        return None
    doc = load_yaml(path, FILE, problems)
    if doc is None:
        return None
    cx, nodes, before = Cx(FILE, problems), {}, len(problems.errors)
    if isinstance(doc.root, yaml.MappingNode):
        nodes = {k.value: v for k, v in doc.root.value if isinstance(k, yaml.ScalarNode)}
    for key in ("units", "languages"):
        if key not in nodes:
            problems.error(cx.at(doc.root), f"missing required key '{key}'", f"add a line '{key}:' (see {FILE})")
    for key in nodes.keys() - {"units", "languages"}:
        problems.error(
            cx.at(next(k for k, _ in doc.root.value if k.value == key)),
            f"unknown key '{key}'",
            "the file holds units: and languages:",
        )
    if len(problems.errors) > before:
        return None
    units = MapOf(UnitName("a unit's name, e.g. km2"), UNIT, "the units figures may have").parse(nodes["units"], cx)
    if units is INVALID:
        return None
    found = MapOf(Code("a language code"), language_record(units), "the languages", required=True).parse(
        nodes["languages"], cx
    )
    if found is INVALID:
        return None
    if not found:
        problems.error(cx.at(nodes["languages"]), "no language is declared", "declare one under languages:")
        return None
    return Languages(units, {code: replace(lang, code=code, units=units) for code, lang in found.items()})
