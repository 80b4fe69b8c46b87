"""Pages into HTML: the Jinja environment, what templates see, and rendering with what each page read and its errors
at their file and line."""

from __future__ import annotations

import traceback
from collections import ChainMap
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
from markupsafe import Markup, escape

from ..content import model
from ..content.fields import did_you_mean
from ..content.history import History
from ..content.kinds import Registry
from ..content.load import byte_position
from ..content.validate import REF, ref_parts, resolve_ref, string_location
from ..errors import Location, Problems
from .changes import present
from .charts import Charts
from .jsonld import jsonld
from .numbers import format_figure, human_date, percent_change
from .placeholders import check_filled
from .plan import Page, navigation
from .reads import KEYS, Recorder, TrackedContent, TrackedObject
from .urls import absolute, base_path, page_href, page_url

# The search box's words, which the build writes for its script (search/strings.json).
SEARCH_STRINGS = (
    "search_label",
    "search_count_one",
    "search_count_other",
    "search_none",
    "search_all",
    "search_more",
    "search_failed",
)
CODE_STRINGS = (
    "news_title",
    "news_intro",
    "source",
    "changes_title",
    "changes_intro",
    "changes_none",
    "changes_entry",
    "changes_figures",
    "changes_figures_added",
    "changes_figures_removed",
    "changes_added",
    "changes_removed",
    "changes_sources",
    "changes_edits",
    "changes_first",
    "changes_field_as_of",
    *SEARCH_STRINGS,
)  # read outside templates (the feeds, the search box)
# The placeholders those strings are given (the feed's titles, the search box's counts), checked before any is used.
CODE_PLACEHOLDERS = {
    "changes_entry": ("date",),
    "search_count_one": ("n",),
    "search_count_other": ("n",),
    "search_none": ("q",),
    "search_more": ("n",),
}


@dataclass
class Citations:
    """The sources cited on one page, numbered in order of first citation, and the figure anchors placed."""

    content: model.ContentView
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


@dataclass(frozen=True)
class Rendered:
    """One page as rendered: its HTML and what it read."""

    html: str
    reads: frozenset


class Renderer:
    """Renders the pages of one language from one content snapshot, recording what each page reads: templates and
    helpers see the content only through tracked views (site.reads)."""

    def __init__(
        self,
        content: model.Content,
        registry: Registry,
        root: Path,
        base_url: str,
        lang: str,
        env: TrackingEnvironment | None = None,
        assets: dict[str, str] | None = None,
        downloads: tuple = (),
        history: History | None = None,
        bodies: dict | None = None,
    ):
        self.root, self.lang, self.templates, self.registry = root, lang, root / "templates", registry
        self._downloads = downloads  # the files under data/, with their sizes, for the Data page
        self.bodies = bodies or {}  # article bodies as HTML (site.article.Converted), by their Markdown
        self.page_cites: Citations | None = None  # the page being rendered's (read as self.cites)
        self.assets = assets or {}  # static path -> fingerprinted path, e.g. style.css -> style.3f9a1c2e.css
        self.history = history or History(reason="not read")  # the committed changes of content/
        self._changes: tuple | None = None  # the history as this language's changes page shows it
        self._changes_read: frozenset = frozenset()  # and what making it read of the content
        self.language = registry.language(lang)  # how the pages' language writes (models/languages.yaml)
        self.punctuation = self.language.punctuation
        self.recorder = Recorder()  # what the page being rendered reads
        self.strings = content.strings[lang]  # read by every page (reads.ALWAYS)
        self.content = TrackedContent(content, self.recorder)  # the only handle on the content
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self.base = base_path(self.base_url)
        self.languages = registry.languages
        self.prefix = "" if lang == self.languages[0] else f"{lang}/"  # where this language's pages live
        # the language whose text a page shows beside a name in its own: the site's first other than the page's; on
        # a site in one language, the first declared other (a model may give a field in it: name_zh)
        self.twin = next(
            (code for code in (*self.languages, *registry.declared_languages.declared) if code != lang), None
        )
        self.env = env or make_env(self.templates)
        self.env.recorder = self.recorder
        self.env.globals.update(self._globals(content))
        self.env.filters.update(fmt=self.fmt, label=self.label, date=self.human_date)
        self._strings_reported: set[str] = set()
        self._dates: dict = {}  # content date -> in words (a site repeats few dates many times)
        updated = str(content.site.updated)
        self._year_before = f"{int(updated[:4]) - 1}{updated[4:]}" if updated[:4].isdigit() else updated

    @property
    def cites(self) -> Citations:
        """The citations of the page being rendered."""
        if self.page_cites is None:
            raise RuntimeError("citations are read outside a page's rendering")
        return self.page_cites

    def _globals(self, content: model.Content) -> dict:
        """What every template sees besides its page: the URL makers, the tracked content and its records, the
        language's strings and punctuation, and the helpers."""
        lang, registry, tongue = self.lang, self.registry, self.language
        named = {code: registry.language(code) for code in self.languages}
        return dict(
            url=self.url,
            url_for=self.url_for,
            **{
                name: TrackedObject(record, (name, ""), self.recorder)  # each single record by its kind's name: site
                for name, record in content.records.items()
            },
            content=self.content,
            t=self.strings,
            lang=lang,
            lang_tag=tongue.tag,
            related=self.related,
            languages=self.languages,
            shared=self.shared,
            alternates=self.alternates,
            other_text=self.other_text,
            lang_names={code: language.name for code, language in named.items()},
            og_locale={code: language.og_locale for code, language in named.items()},
            other_tag=registry.language(self.twin).tag if self.twin else "",  # the language of other_text()
            is_translated=self.is_translated,
            p=tongue.punctuation,
            figure_owner=self.figure_owner,
            citing=self.citing,
            page_href=page_href,
            kind_path=lambda kind: registry.section(kind) + "/",
            asset=self.asset,
            absolute=self.absolute,
            downloads=self.downloads,
            as_of=self.as_of,
            percent_change=percent_change,
            history=self.history,
            changes=self.changes,
            changed=self.changed,
            section_label=self.section_label,
            search_lists=self.search_lists,
            # The page's citations, as globals so that macros imported without the page's context (cached once)
            # see them.
            cite=lambda source: self.cites.cite(source),
            cited=lambda: self.cites.cited(),
            anchor=lambda fig: self.cites.anchor(fig),
            article_html=lambda article: self.article_html(article, self.cites),
            quotes=self.quotes,
            # .get: a missing menu string is reported by check_strings before any page is rendered
            nav=tuple(
                (Markup(escape(self.strings.get(key, ""))), self.url(path)) for key, path in navigation(registry)
            ),
            charts=Charts(self.content, registry, lang),  # charts.ID: as models/ declare them
            jsonld=jsonld,
        )

    def url(self, path: str = "") -> str:
        """A page of this language, with the base path in front: url('sources/') -> '/repo/sources/' (or
        '/repo/zh/sources/' on a page in the language zh)."""
        return self.base + self.prefix + path.lstrip("/")

    def shared(self, path: str = "") -> str:
        """A file every language shares (an image, a download), with the base path in front."""
        return self.base + path.lstrip("/")

    def alternates(self, page: Page) -> list[tuple[str, str, str]]:
        """The page in every language of the site: (language, its tag for hreflang, its URL)."""
        dest = page.dest.removeprefix(self.prefix) if self.prefix else page.dest
        first = self.languages[0]
        return [
            (lang, self.registry.language(lang).tag, page_url(dest if lang == first else f"{lang}/{dest}", self.base))
            for lang in self.languages
        ]

    def is_translated(self, obj, name: str, lang: str | None = None) -> bool:
        """Whether a text of an item, as shown in a language (the page's by default), is our own translation: its
        `translated` lists the field as written in that language (name, or name_zh)."""
        lang = lang or self.lang
        return (name if lang == self.languages[0] else f"{name}_{lang}") in (getattr(obj, "translated", None) or ())

    def other_text(self, obj, name: str, lang: str | None = None) -> str | None:
        """A text of an item or figure in another language than the page's: by default in `twin` (`other_tag`), the
        one a page shows beside a name in its own; in a language the site is not written in, the field a model
        declares for it (name_zh); None when it has none."""
        lang = lang or self.twin
        texts = getattr(obj, "texts", None) or {}
        if name in texts and (lang in self.languages or lang in texts[name]):
            return texts[name].get(lang)
        return getattr(obj, name if lang == self.lang else f"{name}_{lang}", None)

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
            key = next((page.label for page in self.registry.pages if page.name == kind_name and page.nav), "")
        return self.strings[key] if key else ""

    def search_lists(self) -> list[tuple[str, str, list[tuple[str, str, str | None]]]]:
        """Every item with a page of its own, by kind, for the search page without JavaScript: (kind, the menu's
        name of its section, [(name, URL, name in the other language or None)]). Read by column, so that the page
        depends on the items' names, texts and ids only: a figure edit leaves it alone."""
        lists = []
        for kind in self.registry.linked:
            label = self.menu_label(kind.name) or (
                self.strings[kind.pages.label] if kind.pages and kind.pages.label else ""
            )
            if kind.pages is None or not kind.pages.item or not label:
                continue  # a kind with no item pages, or with no name for them (in the menu, or its pages' label)
            items = getattr(self.content, kind.name)
            named = "name" in kind.fields
            names = items.column("name") if named else items.column("title")
            texts = items.column("texts") if named else {}
            declared = items.column(f"name_{self.twin}") if named and self.twin not in self.languages else {}
            rows = []
            for ident, name in names.items():
                name = name or ""
                other = (texts.get(ident) or {}).get("name", {}).get(self.twin) or declared.get(ident)
                rows.append((name, self.url_for(kind.name, ident), other if other != name else None))
            lists.append((kind.name, label, rows))
        return lists

    def asset(self, path: str) -> str:
        """The URL of a static file under its fingerprinted name: asset('style.css') -> '/repo/style.3f9a1c2e.css'."""
        self.recorder.record("static", path)
        return self.shared(self.assets.get(path, path))

    def downloads(self) -> tuple:
        """The files under data/ with their sizes (the Data page): it depends on each of them."""
        for download in self._downloads:
            self.recorder.record("output", download.dest)
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
        return format_figure(fig, self.language, short=short, bare=bare)

    def as_of(self, fig: model.Figure) -> Markup:
        """The as-of date shown beside a figure: ' (as of 28 October 2023)', with a machine-readable <time>."""
        t, p = self.strings, self.punctuation  # an f-string with escape(): Markup.format() is slower
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
        """The history's entries as this language shows them (made once per build, for the changes page and its
        feed): what shows them depends on the history and on the figures, items and sources they name."""
        if self._changes is None:
            outer = self.recorder.reads
            self.recorder.start()
            try:
                self._changes = present(self.history, self)
            finally:
                self._changes_read, self.recorder.reads = self.recorder.taken(), outer
        self.recorder.reads |= self._changes_read
        self.recorder.record("history", "")
        return self._changes

    def changed(self, fig: model.Figure) -> Markup:
        """' (changed on 30 November 2026)' linked to its entry on the changes page, beside a figure's anchor, when
        its value, qualifier, as-of date or source changed in the year before the site's `updated` date (never the
        clock's: two builds of one commit are the same)."""
        self.recorder.record("history", fig.key)
        entry = self.history.marks.get(fig.key)
        if entry is None or entry.date <= self._year_before or not self.cites.mark(fig):
            return Markup("")
        p, text = self.punctuation, self.strings["changed_on"]
        words = escape(text.format(date=self.human_date(entry.date)))
        return Markup(
            f'<span class="changed">{p["open"]}<a href="{escape(self.url("changes/"))}#{entry.anchor}">'
            f"{words}</a>{p['close']}</span>"
        )

    def human_date(self, value: str | int | None) -> str:
        """'2023-10-31' -> '31 October 2023', '2017-09' -> 'September 2017', '2022' -> '2022'."""
        if value is None:
            return ""
        made = self._dates.get(value)
        if made is None:
            made = self._dates[value] = human_date(str(value), self.language.locale)
        return made

    def citing(self, source_id: str, shown: int = 0) -> Sequence:
        """The figures that cite a source, in key order: the page depends on every figure's source, and on the
        figures it shows."""
        return self.content.figures.where("source", source_id).by_id()

    def related(self, kind: str, attr: str, value: str) -> Sequence:
        """Items of a kind whose attribute equals (or, for tuples, contains) a value."""
        return getattr(self.content, kind).where(attr, value)

    def label(self, fig: model.Figure) -> str:
        """A figure's label, or one made from where it lives: 'GDP 2022', '2023 summit: projects'."""
        if fig.label:
            return fig.label
        kind, _, rest = fig.key.partition(".")
        ident, _, name = rest.partition(".")
        fields = self.registry[kind].fields
        if not self.registry[kind].collection:  # a record's map of figures: 'GDP 2022', else its key in words
            names = getattr(fields.get(ident), "names", "")
            return f"{self.strings[names]} {name}" if names else name.replace("-", " ").capitalize()
        item = getattr(self.content, kind)[ident]
        names = getattr(fields.get(name), "names", "")
        field = self.strings[names] if names else name.replace("-", " ")
        return f"{getattr(item, 'short_name', item.name)}: {field.lower()}"

    def figure_owner(self, fig: model.Figure) -> tuple[str, str]:
        """The title and URL of the page a figure belongs to."""
        kind, _, rest = fig.key.partition(".")
        if not self.registry[kind].collection:
            return getattr(self.content, kind).name, self.url(self.registry.section(kind) + "/") + "#" + fig.anchor
        item = getattr(self.content, kind)[rest.split(".")[0]]
        pages = self.registry[kind].pages
        if pages is not None and pages.index and not pages.item:  # its items are shown on the kind's index page
            return item.name, self.url(self.registry.section(kind) + "/") + "#" + fig.anchor
        return item.name, self.url_for(kind, item.id) + "#" + fig.anchor

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

    def render(self, page: Page, problems: Problems) -> Rendered | None:
        """Render one page, with what it read; report template errors at the template's file and line."""
        self.recorder.start()
        if page.item is not None:
            self.recorder.record(page.kind, getattr(page.item, "id", getattr(page.item, "slug", "")))
        if page.items:
            self.recorder.record(page.kind, KEYS)  # which items exist and in what order (paging, numbering)
            for i in page.items:
                self.recorder.record(page.kind, getattr(i, "id", getattr(i, "slug", "")))
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
            return Rendered(html, self.recorder.taken())
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

    def check_strings(self, problems: Problems, memo: dict | None = None) -> None:
        """Report UI strings the generator's own code needs (the menu, the feeds, the search box) missing from the
        strings file, or naming a placeholder the code does not give (`memo`: the templates' uses of strings, by
        their text, from the last build)."""
        strings = self.strings
        for key in (*(label for label, _ in navigation(self.registry)), *CODE_STRINGS):
            if key not in strings:
                exc = model.StringError(key, f"missing string '{key}'", "", missing=True)
                problems.error(string_location(self.root, self.lang, key), exc.message, self._string_hint(exc))
            elif key in CODE_PLACEHOLDERS:
                try:
                    strings[key].format(**dict.fromkeys(CODE_PLACEHOLDERS[key], ""))
                except model.StringError as exc:
                    problems.error(string_location(self.root, self.lang, key), exc.message, self._string_hint(exc))
        check_filled(self.env, strings, lambda key: string_location(self.root, self.lang, key), problems, memo)

    def _string_hint(self, exc: model.StringError) -> str:
        """Where a faulty string is used (the template line, when a template uses it), and how to fix it."""
        frame = self._template_frame(exc)
        where = f"{frame.source}:{frame.line}" if frame else "the generator"
        if not exc.missing:
            return f"{exc.hint} (used at {where})"
        close = did_you_mean(exc.key, self.strings) if frame else ""
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
        footnotes number in reading order). The body's Markdown was converted and checked before rendering."""
        done = self.bodies[article.body]
        refs = [ref_parts(m) for m in REF.finditer(article.body)]
        targets = [resolve_ref(path, self.content, self.registry) for path, _ in refs]
        pieces = [self._ref_html(target, style, cites) for target, (_, style) in zip(targets, refs, strict=True)]
        figures = [target if isinstance(target, model.Figure) else None for target in targets]
        return Markup(done.fill(pieces, after=lambda slots: self.quotes([f for n in slots if (f := figures[n])])))

    def quotes(self, figures: Sequence[model.Figure]) -> Markup:
        """The source's own words for each of a paragraph's figures, behind one disclosure after the paragraph (a
        <details> cannot stand inside a <p>): the figures as shown, then the quote that states them, in the source's
        language, or how each is derived; figures that one quote states share its line."""
        p, t = self.punctuation, self.strings
        lines: dict[str, list[str]] = {}  # the words -> the figures they state, in the order shown
        for fig in figures:
            if fig.quote:
                words = f'<q lang="{escape(self.content.sources[fig.source].language)}">{escape(fig.quote)}</q>'
            elif fig.derived:
                words = f"{escape(t['derived'])}{p['colon']}{escape(fig.derived)}"
            else:
                continue
            lines.setdefault(words, []).append(f'<span class="quote-fig">{escape(self.fmt(fig))}</span>')
        if not lines:
            return Markup("")
        rows = "".join(f"<li>{p['list'].join(figs)}{p['colon']}{words}</li>" for words, figs in lines.items())
        return Markup(
            f'<details class="quote quotes" data-pagefind-ignore><summary>{escape(t["quotes_show"])}'
            f"</summary><ul>{rows}</ul></details>"
        )

    def _ref_html(self, target, style: str, cites: Citations) -> str:
        """The HTML for one article reference: a cited figure or a link to an item."""
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

    recorder: Recorder | None = None

    def _load_template(self, name, globals):
        if self.recorder is not None:
            self.recorder.record("template", name)
        return super()._load_template(name, globals)

    def make_globals(self, d):
        return Globals(d if d is not None else {}, self.globals)


class CompiledTemplates(jinja2.BytecodeCache):
    """Compiled templates in memory, for the environments of one build's languages to share when no cache kept
    between runs is given (each would otherwise compile every template again)."""

    def __init__(self) -> None:
        self.codes: dict[str, tuple] = {}

    def load_bytecode(self, bucket) -> None:
        checksum, code = self.codes.get(bucket.key, (None, None))
        if checksum == bucket.checksum:
            bucket.code = code

    def dump_bytecode(self, bucket) -> None:
        self.codes[bucket.key] = bucket.checksum, bucket.code


def make_env(templates: Path, bytecode: jinja2.BytecodeCache | None = None) -> TrackingEnvironment:
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
        return "check the spelling of the name; UI strings live in content/i18n/*.yaml"
    if "Unexpected end of template" in message or "expected token 'end" in message:
        return "a block tag ({% if %}, {% for %}, {% block %}) is not closed"
    return ""
