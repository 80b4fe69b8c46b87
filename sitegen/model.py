"""The validated content: frozen objects the templates read. Ids refer across kinds; `Content` indexes them."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from .errors import Location


@dataclass(frozen=True)
class Source:
    """Where figures come from. `url` is http(s) or empty; `reliability` is high, medium or low; `retrieved` is the
    day the page was read, when recorded."""

    id: str
    title: str
    publisher: str
    reliability: str
    date: str | None = None
    url: str | None = None
    retrieved: str | None = None
    title_zh: str | None = None
    note: str | None = None
    loc: Location = field(default=Location(""), compare=False)


@dataclass(frozen=True)
class Figure:
    """A number with its unit, scale, qualifier, as-of period and source id. `key` is its global path."""

    value: Decimal
    unit: str
    as_of: str
    source: str
    scale: str | None = None
    qualifier: str | None = None
    label: str | None = None
    note: str | None = None
    loc: Location = field(default=Location(""), compare=False)
    key: str = ""

    @property
    def anchor(self) -> str:
        """The stable HTML id of this figure, e.g. fact-events-summit-2023-projects."""
        return "fact-" + self.key.replace(".", "-")


@dataclass(frozen=True)
class Note:
    """A sourced statement in our own words."""

    text: str
    source: str
    loc: Location = field(default=Location(""), compare=False)


@dataclass(frozen=True)
class Industry:
    """An industry or industrial cluster; `tiers` holds pillar, emerging and/or summit-field."""

    id: str
    name: str
    tiers: tuple[str, ...]
    summary: str
    source: str
    name_zh: str | None = None
    figures: dict = field(default_factory=dict)
    notes: tuple[Note, ...] = ()
    loc: Location = field(default=Location(""), compare=False)


@dataclass(frozen=True)
class Company:
    """A company behind projects in Jiangyin."""

    id: str
    name: str
    summary: str
    source: str
    industry: str | None = None
    name_zh: str | None = None
    country: str | None = None
    listing: str | None = None
    figures: dict = field(default_factory=dict)
    notes: tuple[Note, ...] = ()
    loc: Location = field(default=Location(""), compare=False)


@dataclass(frozen=True)
class Project:
    """An investment project; `status` lists stages such as signed or provincial-major."""

    id: str
    name: str
    company: str
    industry: str
    status: tuple[str, ...]
    year: int
    summary: str
    source: str
    event: str | None = None
    investment: Figure | None = None
    notes: tuple[Note, ...] = ()
    loc: Location = field(default=Location(""), compare=False)


@dataclass(frozen=True)
class Event:
    """A development summit or investment symposium and what was signed there."""

    id: str
    name: str
    short_name: str
    date: str
    measure: str
    projects: Figure
    investment: Figure
    summary: str
    source: str
    edition: int | None = None
    fields: tuple[str, ...] = ()
    figures: dict = field(default_factory=dict)
    notes: tuple[Note, ...] = ()
    loc: Location = field(default=Location(""), compare=False)


@dataclass(frozen=True)
class Profile:
    """The city: names, status, headline figure keys, other figures, GDP by year, rankings."""

    name: str
    name_zh: str
    status: str
    parent: str
    province: str
    summary: str
    source: str
    headline: tuple[str, ...]
    figures: dict
    gdp: dict
    rankings: dict
    notes: tuple[Note, ...] = ()
    loc: Location = field(default=Location(""), compare=False)


@dataclass(frozen=True)
class Site:
    """Site-wide settings. `base_url` ends with '/'; `domain` writes a CNAME file when set."""

    title: str
    description: str
    base_url: str
    language: str
    publisher: str
    updated: str
    tagline: str | None = None
    domain: str | None = None
    repository: str | None = None
    loc: Location = field(default=Location(""), compare=False)


@dataclass(frozen=True)
class Article:
    """A Markdown article; `body` is Markdown with figure references still in it."""

    slug: str
    title: str
    date: str
    summary: str
    sources: tuple[str, ...]
    body: str = ""
    body_line: int = 1
    updated: str | None = None
    loc: Location = field(default=Location(""), compare=False)


@dataclass(frozen=True)
class Content:
    """Everything validated, with each kind indexed by id in file order."""

    site: Site
    profile: Profile
    strings: dict
    sources: dict
    industries: dict
    companies: dict
    projects: dict
    events: dict
    articles: dict
    figures: dict  # key -> Figure, every figure anywhere


class StringError(Exception):
    """A UI string that is missing, or whose placeholders do not fit its use: the strings file is to blame."""

    def __init__(self, key: str, message: str, hint: str, missing: bool = False):
        super().__init__(message)
        self.key, self.message, self.hint, self.missing = key, message, hint, missing


class UiText(str):
    """One UI string that knows its key, so a placeholder it does not fit is reported at that key."""

    key: str = ""

    def __new__(cls, value: str, key: str = ""):
        text = super().__new__(cls, value)
        text.key = key
        return text

    def __getnewargs__(self):
        return str(self), self.key

    def format(self, *args, **kwargs) -> str:
        """str.format, raising StringError when the text names a placeholder its caller does not give."""
        try:
            return str.format(self, *args, **kwargs)
        except (KeyError, IndexError) as exc:
            names = ", ".join("{" + name + "}" for name in kwargs) or "none"
            raise StringError(self.key, f"string '{self.key}' has the unknown placeholder {{{exc.args[0]}}}",
                              f"placeholders it can use: {names}") from None
        except ValueError as exc:
            raise StringError(self.key, f"string '{self.key}': {exc}",
                              "write a placeholder as {name}, and a brace as {{ or }}") from None


class UiStrings(dict):
    """The UI strings of one language, key -> UiText; a missing key raises StringError (not KeyError, which a
    template would turn into an undefined value blamed on its own line)."""

    def __missing__(self, key):
        raise StringError(str(key), f"missing string '{key}'", "", missing=True)
