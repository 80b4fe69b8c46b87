"""The validated content: frozen objects the templates read. Ids refer across kinds; `Content` indexes them."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from .errors import Location


@dataclass(frozen=True)
class Source:
    """Where figures come from. `url` is http(s) or empty; `kind` says what it is (news, press-release ...);
    `reliability` is high, medium or low, never high for a promotional kind; `retrieved` is the day the page was
    read, when recorded."""

    id: str
    title: str
    publisher: str
    kind: str
    reliability: str
    date: str | None = None
    url: str | None = None
    retrieved: str | None = None
    title_zh: str | None = None
    note: str | None = None
    loc: Location = field(default=Location(""), compare=False)


@dataclass(frozen=True)
class Figure:
    """A number with its unit, scale, qualifier, as-of period and source id. `key` is its global path.

    A rank (unit rank) always has `by` (who ranks) and `scope` (among whom), and `shared_with` when tied; a
    percent-change always has its `basis` (real or nominal)."""

    value: Decimal
    unit: str
    as_of: str
    source: str
    scale: str | None = None
    qualifier: str | None = None
    label: str | None = None
    note: str | None = None
    by: str | None = None
    scope: str | None = None
    shared_with: str | None = None
    basis: str | None = None
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
