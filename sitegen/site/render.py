"""The page plan (dest -> template + context), the Jinja environment, Markdown, and rendering with located errors."""
from __future__ import annotations

import re
import traceback
from collections import ChainMap
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import jinja2
from markupsafe import Markup, escape

from ..content import model
from ..content.fields import did_you_mean
from ..content.history import History
from ..content.kinds import Registry
from ..content.load import byte_position
from ..content.validate import REF, ref_parts, resolve_ref, string_location
from ..errors import Location, Problems
from .article import convert
from .changes import present
from .charts import Charts
from .jsonld import JsonLd
from .numbers import format_figure, human_date
from .reads import EVERY, KEYS, Reads, attribute

LANG_TAGS = {"en": "en", "zh": "zh-Hans"}  # the language tags pages declare (lang, hreflang ...)
LANG_NAMES = {"en": "English", "zh": "中文"}  # each language named in itself, for the switch between them
OG_LOCALES = {"en": "en_US", "zh": "zh_CN"}
# How each language punctuates the sentences templates put together (Chinese: full-width marks, no spaces).
PUNCTUATION = {
    "en": {
        "stop": ". ",
        "end": ".",
        "colon": ": ",
        "comma": ", ",
        "list": ", ",  # between the members of a list of names
        "semi": "; ",
        "open": " (",
        "close": ")",
        "quote": "“{}.”",
        "space": " ",
    },
    "zh": {
        "stop": "。",
        "end": "。",
        "colon": "：",
        "comma": "，",
        "list": "、",
        "semi": "；",
        "open": "（",
        "close": "）",
        "quote": "“{}”。",
        "space": "",
    },
}
# Pages that belong to no kind of content: (kind, dest, template, navigation slot and label or None).
SITE_PAGES = (
    ("data", "data/index.html", "data.html", (7, "nav_data")),
    ("changes", "changes/index.html", "changes.html", None),
    ("search", "search/index.html", "search.html", None),  # the header's search box is its way in
    ("404", "404.html", "404.html", None),
)
# The pages readers find through search: every page but the 404 page, the search page itself, the changes page
# (figures and dates) and the later pages of a list (the first lists the same kind). Their <main> says so
# (data-pagefind-body), so that Pagefind, reading a whole site, indexes them alone.
UNSEARCHED = re.compile(r"(?:^|/)(?:404\.html|search/index\.html|changes/index\.html|[^/]+/page/\d+/index\.html)$")


def searchable(dest: str) -> bool:
    """Whether a file of the site is a page readers find through search."""
    return dest.endswith(".html") and not UNSEARCHED.search(dest)


# The search box's words, which the build writes for its script (search/strings.json).
SEARCH_STRINGS = ("search_label", "search_count_one", "search_count_other", "search_none", "search_all",
                  "search_more", "search_failed")
CODE_STRINGS = ("news_title", "news_intro", "source", "changes_title", "changes_intro", "changes_none", "changes_entry",
                "changes_figures", "changes_figures_added", "changes_figures_removed", "changes_added",
                "changes_removed", "changes_sources", "changes_edits", "changes_first",
                "changes_field_as_of", *SEARCH_STRINGS)  # read outside templates (the feeds, the search box)
# The placeholders those strings are given (the feed's titles, the search box's counts), checked before any is used.
CODE_PLACEHOLDERS = {"changes_entry": ("date",), "search_count_one": ("n",), "search_count_other": ("n",),
                     "search_none": ("q",), "search_more": ("n",)}


@dataclass(slots=True)  # not frozen: a frozen dataclass costs a plan of 11,000 pages 10 ms more
class Page:
    """One HTML page to write: where, with which template, about which item (or items)."""

    dest: str
    template: str
    kind: str
    item: object = None
    items: tuple = ()
    number: int = 1  # for a list split into pages: this page's number, of `count`
    count: int = 1
    lang: str = "en"  # the language of the page: its dest starts with LANG/ unless it is the site's first


@dataclass
class Citations:
    """The sources cited on one page, numbered in order of first citation, and the figure anchors placed."""

    content: model.Content
    order: list = field(default_factory=list)
    anchored: set = field(default_factory=set)
    marked: set = field(default_factory=set)  # figures whose anchor got its "changed on" note
    shown: list = field(default_factory=list)  # every figure formatted on the page

    def anchor(self, fig: model.Figure) -> Markup:
        """` id="fact-…"` the first time a figure appears on the page, so each anchor is unique."""
        if fig.key in self.anchored:
            return Markup("")
        self.anchored.add(fig.key)
        return Markup(f' id="{escape(fig.anchor)}"')

    def mark(self, fig: model.Figure) -> bool:
        """Whether a figure's anchor is on the page and has no "changed on" note yet (then it has one)."""
        if fig.key not in self.anchored or fig.key in self.marked:
            return False
        self.marked.add(fig.key)
        return True

    def cite(self, source_id: str) -> int:
        """The footnote number of a source on this page, assigning the next one on first use."""
        if source_id not in self.order:
            self.order.append(source_id)
        return self.order.index(source_id) + 1

    def cited(self) -> list[model.Source]:
        """The sources cited so far, in footnote order."""
        return [self.content.sources[s] for s in self.order]

    def unsourced(self, listed: set[str]) -> list[model.Figure]:
        """Figures shown on the page whose source is neither cited nor listed there."""
        return [f for f in self.shown if f.source not in self.order and f.source not in listed]


def plan(views: dict[str, model.Content], registry: Registry, previous: list[Page] = ()) -> list[Page]:
    """Every page of the site, language by language (each language's pages under its own folder but the first's),
    in a stable order. An item's page from `previous` (the last plan) is used again when the item is the very same
    object (making 11,000 pages anew cost an edit 12 ms)."""
    made = {id(page.item): page for page in previous if page.item is not None}  # the page holds its item alive
    pages = []
    for lang in registry.languages:
        prefix = "" if lang == registry.languages[0] else f"{lang}/"
        pages += _plan(views[lang], registry, made, prefix, lang)
    return pages


def _plan(content: model.Content, registry: Registry, made: dict, prefix: str, lang: str) -> list[Page]:
    """The pages of one language: each kind's pages as models/ declares them, in the kinds' order (a single
    record's page; a collection's index, paginated or whole, then its items' pages), then the site's own pages."""
    pages = []
    for kind in registry.kinds:
        p = kind.pages
        if p is None:
            continue
        base = prefix + p.section if p.section else prefix.rstrip("/")
        if not kind.collection:
            pages.append(Page(f"{base}/index.html" if base else "index.html", p.item, kind.one, lang=lang))
            continue
        items = tuple(getattr(content, kind.name).values())
        if p.sort:
            field, key = p.sort.lstrip("-"), kind.key
            items = tuple(sorted(items, key=lambda i: (getattr(i, field), getattr(i, key)), reverse=p.sort[0] == "-"))
        if p.index:
            pages += (
                paginated(base, p.index, kind.name, items, p.per_page, lang)
                if p.per_page
                else [Page(f"{base}/index.html", p.index, kind.name, items=items, lang=lang)]
            )
        if p.item:
            key = kind.key
            pages += [
                page
                if page is not None and page.item is i
                else Page(f"{base}/{getattr(i, key)}/index.html", p.item, kind.one, item=i, lang=lang)
                for page, i in zip(map(made.get, map(id, items)), items)
            ]
    pages += [Page(prefix + dest, template, name, lang=lang) for name, dest, template, _ in SITE_PAGES]
    return pages


def navigation(registry: Registry) -> tuple[tuple[str, str], ...]:
    """The main navigation as (string key, site path), in slot order: each kind with a slot, and the site pages."""
    slots = [
        (k.pages.nav, k.pages.label or f"nav_{k.name}", f"{k.pages.section}/" if k.pages.section else "")
        for k in registry.kinds
        if k.pages and k.pages.nav is not None
    ]
    slots += [(nav[0], nav[1], dest.removesuffix("index.html")) for _, dest, _, nav in SITE_PAGES if nav]
    return tuple((label, path) for _, label, path in sorted(slots))


def paginated(base: str, template: str, kind: str, items: tuple, size: int, lang: str = "en") -> list[Page]:
    """An index split into pages of `size` items: base/, base/page/2/, ..."""
    chunks = [items[i : i + size] for i in range(0, len(items), size)] or [()]
    return [
        Page(
            f"{base}/index.html" if n == 1 else f"{base}/page/{n}/index.html",
            template,
            kind,
            items=chunk,
            number=n,
            count=len(chunks),
            lang=lang,
        )
        for n, chunk in enumerate(chunks, 1)
    ]


def page_href(base: str, number: int) -> str:
    """The site path of page `number` of an index under base ('projects/', 'projects/page/2/')."""
    return f"{base}/" if number == 1 else f"{base}/page/{number}/"


def base_path(base_url: str) -> str:
    """The path part of the base URL, always starting and ending with '/'."""
    path = urlsplit(base_url).path or "/"
    return path if path.endswith("/") else path + "/"


def absolute(base_url: str, url: str) -> str:
    """A root-relative URL made absolute with the base URL's scheme and host: '/repo/x/' -> 'https://h/repo/x/'."""
    parts = urlsplit(base_url)
    return f"{parts.scheme}://{parts.netloc}{url}"


def page_url(dest: str, base: str) -> str:
    """The public URL path of an output file: 'projects/x/index.html' -> '/base/projects/x/'."""
    return base + (dest[: -len("index.html")] if dest.endswith("index.html") else dest)


class Renderer:
    """Renders pages of one content snapshot; keeps the Jinja environment and Markdown converter between pages."""

    def __init__(
        self,
        content: model.Content,
        registry: Registry,
        reads: Reads,
        templates: Path,
        root: Path,
        base_url: str,
        lang: str = "en",
        env: jinja2.Environment | None = None,
        assets: dict[str, str] | None = None,
        downloads: tuple = (),
        related: dict | None = None,
        history: History | None = None,
    ):
        self.root, self.lang, self.templates, self.registry = root, lang, templates, registry
        self._downloads = downloads  # the files under data/, with their sizes, for the Data page
        self.page_cites: Citations | None = None
        self._citing: dict | None = None
        self.related_index: dict = related or {}  # (kind, attribute) -> value -> items, for related()
        self.assets = assets or {}  # static path -> fingerprinted path, e.g. style.css -> style.3f9a1c2e.css
        self.history = history or History(reason="not read")  # the committed changes of content/
        self._changes: tuple | None = None  # the history as this language's changes page shows it
        self._changes_read: set = set()  # and what making it read of the content
        self.punctuation = PUNCTUATION[lang]
        self.recorder = reads  # what each page reads (the fast path's Reads; a full build records them too)
        self._content = content
        self.content = reads.content(content)  # every read through it is a page dependency
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self.base = base_path(self.base_url)
        self.languages = registry.languages
        self.prefix = "" if lang == self.languages[0] else f"{lang}/"  # where this language's pages live
        self.env = env or make_env(templates)
        self.env.recorder = self.recorder
        for template in (self.env.cache or {}).values():
            template._module = None  # a macro module (imported once per build) holds the previous renderer's globals
        self.env.globals.update(
            url=self.url,
            url_for=self.url_for,
            site=content.site,
            content=self.content,
            profile=reads.item(content.profile, ("profile", "")),
            t=content.strings[lang],
            lang=lang,
            lang_tag=LANG_TAGS[lang],
            related=self.related,
            languages=self.languages,
            shared=self.shared,
            alternates=self.alternates,
            other_text=self.other_text,
            lang_names=LANG_NAMES,
            og_locale=OG_LOCALES,
            other_tag=LANG_TAGS["zh" if lang == "en" else "en"],
            is_translated=self.is_translated,
            p=PUNCTUATION[lang],
            figure_owner=self.figure_owner,
            citing=self.citing,
            page_href=page_href,
            kind_path=lambda kind: registry.section(kind) + "/",
            asset=self.asset,
            absolute=self.absolute,
            downloads=self.downloads,
            as_of=self.as_of,
            history=self.history,
            changes=self.changes,
            changed=self.changed,
            section_label=self.section_label,
            searchable=lambda page: searchable(page.dest),
            search_lists=self.search_lists,
        )
        # The page's citations, as globals so that macros imported without the page's context (cached once) see them.
        self.env.globals.update(
            cite=lambda source: self.page_cites.cite(source),
            cited=lambda: self.page_cites.cited(),
            anchor=lambda fig: self.page_cites.anchor(fig),
            article_html=lambda article: self.article_html(article, self.page_cites),
        )
        # .get: a missing menu string is reported by check_strings before any page is rendered
        self.env.globals["nav"] = tuple(
            (Markup(escape(content.strings[lang].get(key, ""))), self.url(path)) for key, path in navigation(registry)
        )
        self.env.filters.update(fmt=self.fmt, label=self.label, date=self.human_date)
        self.env.globals["charts"] = Charts(self.content, lang)  # charts.gdp(), .summits(), .tiers()
        self.env.globals["ld"] = JsonLd(
            self.content,
            lambda path: self.absolute(self.url(path)),  # ld.city() ...
            lambda kind, ident: self.absolute(self.url_for(kind, ident)),
            LANG_TAGS[lang],
            self.other_text,
            lambda path: self.absolute(self.shared(path)),
        )
        self._strings_reported: set[str] = set()
        self._dates: dict = {}  # content date -> in words (a site repeats few dates many times)
        updated = str(content.site.updated)
        self._year_before = f"{int(updated[:4]) - 1}{updated[4:]}" if updated[:4].isdigit() else updated

    def url(self, path: str = "") -> str:
        """A page of this language, with the base path in front: url('sources/') -> '/repo/sources/' (or
        '/repo/zh/sources/' on a Chinese page)."""
        return self.base + self.prefix + path.lstrip("/")

    def shared(self, path: str = "") -> str:
        """A file every language shares (an image, a download), with the base path in front."""
        return self.base + path.lstrip("/")

    def alternates(self, page: Page) -> list[tuple[str, str, str]]:
        """The page in every language of the site: (language, its tag for hreflang, its URL)."""
        dest = page.dest.removeprefix(self.prefix) if self.prefix else page.dest
        first = self.languages[0]
        return [
            (lang, LANG_TAGS[lang], page_url(dest if lang == first else f"{lang}/{dest}", self.base))
            for lang in self.languages
        ]

    def is_translated(self, obj, name: str, lang: str | None = None) -> bool:
        """Whether a text of an item, as shown in a language (the page's by default), is our own translation."""
        lang = lang or self.lang
        return (name if lang == "en" else f"{name}_{lang}") in (getattr(obj, "translated", None) or ())

    def other_text(self, obj, name: str, lang: str | None = None) -> str | None:
        """A text of an item or figure in another language than the page's (by default the other of English and
        Chinese): on an English page `name_zh`, on a Chinese one the English `name` (kept as `name_en`)."""
        lang = lang or ("zh" if self.lang == "en" else "en")
        if lang == self.lang:
            return getattr(obj, name, None)
        return (
            getattr(obj, f"{name}_en", getattr(obj, name, None))
            if lang == "en"
            else getattr(obj, f"{name}_{lang}", None)
        )

    def section_label(self, page: Page) -> str:
        """The menu's name of the section a page is in ('Companies' for a company's page and for the list of them),
        which search results show as the kind of page; '' for a page outside the menu."""
        return self.menu_label(page.kind)

    def menu_label(self, kind_name: str) -> str:
        """The menu's name of a kind's pages, or of a site page ('Data'); '' for one outside the menu."""
        kind = self.registry[kind_name] if kind_name in self.registry else None
        if kind is not None and kind.pages is not None and kind.pages.nav is not None:
            key = kind.pages.label or f"nav_{kind.name}"
        else:
            key = next((nav[1] for name, _, _, nav in SITE_PAGES if name == kind_name and nav), "")
        return self._content.strings[self.lang][key] if key else ""

    def search_lists(self) -> list[tuple[str, str, list[tuple[str, str, str | None]]]]:
        """Every item with a page of its own, by kind, for the search page without JavaScript: (kind, the menu's
        name of its section, [(name, URL, name in the other language or None)]). The page depends on the items'
        names and ids only, so a figure edit leaves it alone."""
        lists = []
        for kind in self.registry.linked:
            if kind.pages.nav is None:
                continue
            items = getattr(self._content, kind.name)  # untracked: the reads are recorded below
            self.recorder.add(kind.name, KEYS)
            for name in ("name", "title", "name_zh", "name_en", "translated", kind.key):
                self.recorder.add(kind.name, attribute(name))
            rows = []
            for item in items.values():
                name = getattr(item, "name", None) or getattr(item, "title", "")
                other = self.other_text(item, "name") if hasattr(item, "name") else None
                rows.append((name, self.url_for(kind.name, getattr(item, kind.key)), other if other != name else None))
            lists.append((kind.name, self.section_label(Page("", "", kind.name)), rows))
        return lists

    def asset(self, path: str) -> str:
        """The URL of a static file under its fingerprinted name: asset('style.css') -> '/repo/style.3f9a1c2e.css'."""
        self.recorder.add("static", path)
        return self.shared(self.assets.get(path, path))

    def downloads(self) -> tuple:
        """The files under data/ with their sizes; they hold every item, so reading them depends on all content."""
        self.recorder.deps |= {(kind, EVERY) for kind in (*self._content.collections, "figures")} | {
            (name, "") for name in self._content.records
        }
        return self._downloads

    def absolute(self, url: str) -> str:
        """A root-relative URL as an absolute one on the base URL's host, for canonical and OpenGraph URLs."""
        return absolute(self.base_url, url)

    def url_for(self, kind: str, ident: str) -> str:
        """The URL of an item's page by kind (industries, companies, projects, events, articles)."""
        return self.url(f"{self.registry.section(kind)}/{ident}/")

    def fmt(self, fig: model.Figure, short: bool = False, bare: bool = False) -> str:
        """Format a figure in the page's language, noting that the page shows it (so it must cite its source)."""
        if self.page_cites is not None:
            self.page_cites.shown.append(fig)
        return format_figure(fig, self.lang, short=short, bare=bare)

    def as_of(self, fig: model.Figure) -> Markup:
        """The as-of date shown beside a figure: ' (as of 28 October 2023)', with a machine-readable <time>."""
        t = self.content.strings[self.lang]  # an f-string with escape(): Markup.format() cost an index page a tenth
        p = PUNCTUATION[self.lang]
        return (
            Markup(
                f'{p["open"]}<span class="as-of">{escape(t["as_of"])} <time datetime="{escape(fig.as_of)}">'
                f"{escape(self.human_date(fig.as_of))}</time></span>{p['close']}"
            )
            if p["space"] == ""
            else Markup(
                f' <span class="as-of">({escape(t["as_of"])} <time datetime="{escape(fig.as_of)}">'
                f"{escape(self.human_date(fig.as_of))}</time>)</span>"
            )
        )

    def changes(self) -> tuple:
        """The history's entries as this language shows them (made once per build): the page depends on the
        history and on the figures, items and sources they name (whether each exists, its name, its page)."""
        if self._changes is None:
            page_reads, self.recorder.deps = self.recorder.deps, set()
            try:
                self._changes = present(self.history, self)
            finally:
                self._changes_read, self.recorder.deps = self.recorder.deps, page_reads
        self.recorder.deps |= self._changes_read
        self.recorder.add("history", "")
        return self._changes

    def changed(self, fig: model.Figure) -> Markup:
        """' (changed on 30 November 2026)' linked to its entry on the changes page, beside a figure's anchor, when
        its value, qualifier, as-of date or source changed in the year before the site's `updated` date (never the
        clock's: two builds of one commit are the same)."""
        self.recorder.add("history", fig.key)
        entry = self.history.marks.get(fig.key)
        if entry is None or entry.date <= self._year_before or not self.page_cites.mark(fig):
            return Markup("")
        p, text = self.punctuation, self.content.strings[self.lang]["changed_on"]
        words = escape(text.format(date=self.human_date(entry.date)))
        return Markup(f'<span class="changed">{p["open"]}<a href="{escape(self.url("changes/"))}#{entry.anchor}">'
                      f'{words}</a>{p["close"]}</span>')

    def human_date(self, value: str | int | None) -> str:
        """'2023-10-31' -> '31 October 2023', '2017-09' -> 'September 2017', '2022' -> '2022'."""
        if value is None:
            return ""
        made = self._dates.get(value)
        if made is None:
            made = self._dates[value] = human_date(str(value), self.lang)
        return made

    def citing(self, source_id: str, shown: int) -> list[model.Figure]:
        """The figures that cite a source, in key order (an index built once per content snapshot). The page
        depends on every figure's source (which figures, how many) and on the first `shown` figures themselves,
        so an edit to any other figure leaves it alone."""
        if self._citing is None:
            self._citing = {}
            for key, fig in sorted(self._content.figures.items()):  # untracked: the reads are recorded below
                self._citing.setdefault(fig.source, []).append(fig)
        self.recorder.add("figures", attribute("source"))
        self.recorder.add("figures", KEYS)
        found = self._citing.get(source_id, [])
        for fig in found[:shown]:
            self.recorder.add("figures", fig.key)
        return found

    def related(self, kind: str, attr: str, value: str) -> list:
        """Items of a kind whose attribute equals (or, for tuples, contains) a value."""
        return self.recorder.select(getattr(self.content, kind), attr, value, self.related_index)

    def label(self, fig: model.Figure) -> str:
        """A figure's label, or one made from where it lives: 'GDP 2022', '2023 summit: projects'."""
        if fig.label:
            return fig.label
        t = self.content.strings[self.lang]
        kind, _, rest = fig.key.partition(".")
        ident, _, name = rest.partition(".")
        if kind in self._content.records:
            return f"{t['gdp']} {name}" if ident == "gdp" else name.replace("-", " ").capitalize()
        item = getattr(self.content, kind)[ident]
        field = {"projects": t["projects_count"], "investment": t["investment"]}.get(name, name.replace("-", " "))
        return f"{getattr(item, 'short_name', item.name)}: {field.lower()}"

    def figure_owner(self, fig: model.Figure) -> tuple[str, str]:
        """The title and URL of the page a figure belongs to."""
        kind, _, rest = fig.key.partition(".")
        if kind in self._content.records:
            return getattr(self.content, kind).name, self.url(self.registry.section(kind) + "/") + "#" + fig.anchor
        item = getattr(self.content, kind)[rest.split(".")[0]]
        return item.name, self.url_for(kind, item.id) + "#" + fig.anchor

    def compile_all(self) -> None:
        """Compile every template now (before forking workers); errors were reported by check_templates."""
        self.check_templates(Problems())

    def check_templates(self, problems: Problems) -> None:
        """Compile every template, reporting syntax errors at their file and line."""
        for name in sorted(self.env.list_templates(filter_func=lambda n: not n.startswith("."))):
            try:
                self.env.get_template(name)
            except UnicodeDecodeError as exc:  # saved in another encoding, or not a template at all (an image)
                line, col = byte_position(exc.object, exc.start)
                problems.error(
                    Location(f"templates/{name}", line, col),
                    f"invalid UTF-8 byte 0x{exc.object[exc.start]:02x}",
                    "save the template as UTF-8; images and other files belong in static/",
                )
            except jinja2.TemplateSyntaxError as exc:
                problems.error(
                    Location(f"templates/{exc.name or name}", exc.lineno or 1, 1),
                    f"template syntax: {exc.message}",
                    _template_hint(exc.message or ""),
                )

    def render(self, page: Page, problems: Problems) -> tuple[str, frozenset] | None:
        """Render one page into (html, dependencies), reporting template errors at the template's file and line."""
        self.recorder.start()
        kind = self.registry[page.kind].name if page.kind in self.registry else page.kind
        if page.item is not None:
            self.recorder.add(kind, getattr(page.item, "id", getattr(page.item, "slug", "")))
        if page.items:
            self.recorder.add(kind, KEYS)  # which items exist and in what order (paging, numbering)
            for i in page.items:
                self.recorder.add(kind, getattr(i, "id", getattr(i, "slug", "")))
        cites = self.page_cites = Citations(self.content)  # cite(), cited(), anchor() act on it
        ctx = {"page": page, "item": page.item, "items": page.items, "url_here": page_url(page.dest, self.base)}
        try:
            html = self.env.get_template(page.template).render(ctx)
            listed = set(self.content.sources) if page.kind == "sources" else set()
            for fig in dict.fromkeys(cites.unsourced(listed)):
                problems.error(
                    Location(f"templates/{page.template}"),
                    f"figure {fig.key} is shown on {page_url(page.dest, self.base)} without its source",
                    "show figures with the fig() macro, which adds the footnote, or call cite(f.source)",
                )
            return html, frozenset(self.recorder.deps)
        except jinja2.TemplateNotFound as exc:
            problems.error(
                Location(f"templates/{exc.name}"), "template not found", f"needed by {page_url(page.dest, self.base)}"
            )
        except jinja2.TemplateSyntaxError:
            return None  # already reported by check_templates
        except model.StringError as exc:  # the strings file is to blame, at the key; the template says where it is used
            if exc.key not in self._strings_reported:  # once, not once per page and template that meets it
                self._strings_reported.add(exc.key)
                problems.error(string_location(self.root, self.lang, exc.key), exc.message, self._string_hint(exc))
        except Exception as exc:  # noqa: BLE001 - a template error unless no frame is in templates/
            loc = self._template_frame(exc)
            if loc is None:
                raise
            problems.error(
                loc,
                f"{type(exc).__name__}: {exc} (while rendering {page_url(page.dest, self.base)})",
                _template_hint(str(exc)),
            )
        return None

    def check_strings(self, problems: Problems) -> None:
        """Report UI strings the generator's own code needs (the menu, the feeds, the search box) missing from the
        strings file, or naming a placeholder the code does not give."""
        strings = self._content.strings[self.lang]
        for key in (*(label for label, _ in navigation(self.registry)), *CODE_STRINGS):
            if key not in strings:
                exc = model.StringError(key, f"missing string '{key}'", "", missing=True)
                problems.error(string_location(self.root, self.lang, key), exc.message, self._string_hint(exc))
            elif key in CODE_PLACEHOLDERS:
                try:
                    strings[key].format(**dict.fromkeys(CODE_PLACEHOLDERS[key], ""))
                except model.StringError as exc:
                    problems.error(string_location(self.root, self.lang, key), exc.message, self._string_hint(exc))

    def _string_hint(self, exc: model.StringError) -> str:
        """Where a faulty string is used (the template line, when a template uses it), and how to fix it."""
        frame = self._template_frame(exc)
        where = f"{frame.source}:{frame.line}" if frame else "the generator"
        if not exc.missing:
            return f"{exc.hint} (used at {where})"
        close = did_you_mean(exc.key, self._content.strings[self.lang]) if frame else ""
        return f"{where} uses it: add a line '{exc.key}: ...' to content/i18n/{self.lang}.yaml" + (
            f", or fix the name there ({close})" if close else ""
        )

    def _template_frame(self, exc: BaseException) -> Location | None:
        """The innermost traceback frame inside templates/, as a location."""
        found = None
        for frame in traceback.extract_tb(exc.__traceback__):
            path = Path(frame.filename)
            if path.is_relative_to(self.templates) if path.is_absolute() else False:
                found = Location(path.relative_to(self.root).as_posix(), frame.lineno or 1, 1)
        return found

    def article_html(self, article: model.Article, cites: Citations) -> Markup:
        """An article body as HTML with its [[references]] replaced by formatted, cited figures (in text order, so
        footnotes number in reading order). The pipeline converted and checked the body before rendering (convert)."""
        done = convert(article, Problems())
        if done is None:
            return Markup("")
        pieces = [self._ref_html(*ref_parts(m), cites) for m in REF.finditer(article.body)]
        return Markup(done.fill(pieces))

    def _ref_html(self, path: str, style: str, cites: Citations) -> str:
        """The HTML for one article reference: a cited figure or a link to an item."""
        target = resolve_ref(path, self.content, self.registry)
        if isinstance(target, model.Figure):
            text = self.fmt(target, short=style == "short", bare=style == "bare")
            n, word = cites.cite(target.source), escape(self.content.strings[self.lang]["source"])
            return (
                f'<span class="fig" data-fact="{escape(target.key)}">{escape(text)}</span>'
                f'<sup class="cite"><a href="#src-{escape(target.source)}" aria-label="{word} {n}">{n}</a></sup>'
                f"{self.as_of(target)}"
            )
        kind, item = target
        return f'<a href="{escape(self.url_for(kind, item.id))}">{escape(item.name)}</a>'


class Globals(ChainMap):
    """A template's globals over the environment's, as Jinja makes them, but with keys() a dict's view: at each macro
    import (twice a page) Jinja takes them from the page's globals, which ChainMap's own keys view does one key at a
    time in Python (a seventh of rendering a project page); a dict's does it in C, in the same order."""

    def keys(self):
        found: dict = {}
        for mapping in reversed(self.maps):
            found.update(dict.fromkeys(mapping))
        return found.keys()


class TrackingEnvironment(jinja2.Environment):
    """A Jinja environment that records every template a page loads (extends, include, import)."""

    recorder: Reads | None = None

    def _load_template(self, name, globals):
        if self.recorder is not None:
            self.recorder.add("template", name)
        return super()._load_template(name, globals)

    def make_globals(self, d):
        return Globals(d if d is not None else {}, self.globals)


def make_env(templates: Path, bytecode: jinja2.BytecodeCache | None = None) -> jinja2.Environment:
    """A Jinja environment: autoescaped, strict about undefined names, deterministic; compiled templates are
    kept in `bytecode` between runs when given."""
    return TrackingEnvironment(
        loader=jinja2.FileSystemLoader(str(templates)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
        bytecode_cache=bytecode,
    )


def _template_hint(message: str) -> str:
    """Suggest a fix for common template mistakes."""
    if "is undefined" in message:
        return "check the spelling of the name; UI strings live in content/i18n/en.yaml"
    if "Unexpected end of template" in message or "expected token 'end" in message:
        return "a block tag ({% if %}, {% for %}, {% block %}) is not closed"
    return ""
