"""The page plan: every page of the site, kind by kind as models/ declares them, in every language."""

from __future__ import annotations

from typing import Any, NamedTuple

from ..content import model
from ..content.kinds import Registry


class Page(NamedTuple):
    """One HTML page to write: where, with which template, about which item (or items). (A named tuple: a site of
    10,000 projects plans 11,000 pages a build, a frozen dataclass takes five times as long to make.)"""

    dest: str
    template: str
    kind: str  # the kind's name (projects), or a site page's (data, 404)
    one: str = ""  # on an item's page, the name of one item of its kind (project); else ''
    item: Any = None  # the item (an Item: its fields are Any to the checker too), or None
    items: tuple = ()
    number: int = 1  # for a list split into pages: this page's number, of `count`
    count: int = 1  # type: ignore[assignment]  # (a field, in place of tuple.count)
    lang: str = ""  # the code of the page's language: its dest starts with LANG/ unless it is the site's first
    searchable: bool = True  # whether readers find it through search (its <main> says so, for Pagefind)
    listed: bool = True  # whether the sitemap lists it
    dated: bool = False  # an item's page of a kind written in Markdown (an article): the feed lists it by its dates


def plan(views: dict[str, model.Content], registry: Registry) -> list[Page]:
    """Every page of the site, language by language (each language's pages under its own folder but the first's),
    in a stable order."""
    pages = []
    for lang in registry.languages:
        prefix = "" if lang == registry.languages[0] else f"{lang}/"
        pages += _plan(views[lang], registry, prefix, lang)
    return pages


def _plan(content: model.Content, registry: Registry, prefix: str, lang: str) -> list[Page]:
    """The pages of one language: each kind's pages as models/ declares them, in the kinds' order (a single
    record's page; a collection's index, paginated or whole, then its items' pages), then the site's own pages."""
    pages = []
    for kind in registry.kinds:
        p = kind.pages
        if p is None:
            continue
        base = prefix + p.section if p.section else prefix.rstrip("/")
        if not kind.collection:
            if p.item:  # as for a collection's items: a page only with its template
                pages.append(
                    Page(f"{base}/index.html" if base else "index.html", p.item, kind.name, kind.one, lang=lang)
                )
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
            pages += [
                Page(
                    f"{base}/{getattr(i, kind.key)}/index.html",
                    p.item,
                    kind.name,
                    kind.one,
                    item=i,
                    lang=lang,
                    dated=kind.shape == "markdown",
                )
                for i in items
            ]
    pages += [
        Page(prefix + page.dest, page.template, page.name, lang=lang, searchable=page.searchable, listed=page.sitemap)
        for page in registry.pages
    ]
    return pages


def navigation(registry: Registry) -> tuple[tuple[str, str], ...]:
    """The main navigation as (string key, site path), in slot order: each kind with a slot, and the site pages."""
    slots = [
        (k.pages.nav, k.pages.label or f"nav_{k.name}", f"{k.pages.section}/" if k.pages.section else "")
        for k in registry.kinds
        if k.pages and k.pages.nav is not None
    ]
    slots += [
        (page.nav, page.label, page.dest.removesuffix("index.html")) for page in registry.pages if page.nav is not None
    ]
    return tuple((label, path) for _, label, path in sorted(slots))


def paginated(base: str, template: str, kind: str, items: tuple, size: int, lang: str) -> list[Page]:
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
            searchable=n == 1,
        )
        for n, chunk in enumerate(chunks, 1)
    ]
