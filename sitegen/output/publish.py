"""What a host such as GitHub Pages needs besides the pages: fingerprinted asset names, sitemap.xml, robots.txt,
the Atom feed, .nojekyll and CNAME. Pure functions of the content, the page plan and the base URL; no clock,
so two builds of the same input give the same bytes."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from html import escape as _escape
from pathlib import PurePosixPath

from ..content.kinds import Registry
from ..content.languages import Language
from ..content.model import Content
from ..site.changes import EntryView, FigureLine, Link
from ..site.numbers import human_date
from ..site.plan import Page
from ..site.urls import absolute, base_path, page_url
from .write import Output


def escape(text: str) -> str:
    """Escape &, < and > for XML text (xml.sax.saxutils would pull in urllib.request at start-up)."""
    return _escape(text, quote=False)


FINGERPRINTED = (".css", ".js")


def minify_css(data: bytes) -> bytes:
    """A stylesheet without comments and the spaces it does not need (rcssmin, a maintained minifier: a fifth of
    the bytes every page loads), ending with a line break."""
    import rcssmin  # here: a build that makes no stylesheet never loads it

    return rcssmin.cssmin(data.decode("utf-8")).encode("utf-8") + b"\n"


def compact(static: list[Output]) -> list[Output]:
    """The static files with each stylesheet minified."""
    return [replace(out, data=minify_css(out.data)) if out.dest.endswith(".css") else out for out in static]


def asset_names(static: list[Output]) -> dict[str, str]:
    """Fingerprinted names of the CSS and JS files, from a hash of their bytes: 'style.css' -> 'style.3f9a1c2e.css'."""
    names = {}
    for out in static:
        path = PurePosixPath(out.dest)
        if path.suffix in FINGERPRINTED:
            digest = hashlib.sha256(out.data).hexdigest()[:8]
            names[out.dest] = str(path.with_name(f"{path.stem}.{digest}{path.suffix}"))
    return names


def fingerprinted(static: list[Output], names: dict[str, str]) -> list[Output]:
    """The static files, CSS and JS under their fingerprinted names."""
    return [replace(out, dest=names.get(out.dest, out.dest)) for out in static]


def site_files(
    registry: Registry,
    views: dict[str, Content],
    pages: list[Page],
    base_url: str,
    changes: dict[str, tuple[EntryView, ...]] | None = None,
    history: bool = False,
) -> list[Output]:
    """Every site-wide file for the host: sitemap.xml, robots.txt, a feed of articles and one of data changes per
    language (feed.xml and changes.xml; LANG/feed.xml and LANG/changes.xml for each other language), .nojekyll and,
    with a domain, CNAME."""
    languages = tuple(registry.language(code) for code in views)
    content = views[languages[0].code]
    files = [sitemap(content, pages, base_url, languages), robots(base_url)]
    index = _feed_index(registry)
    for lang in languages:
        view, prefix = views[lang.code], "" if lang is languages[0] else f"{lang.code}/"
        files.append(feed(view, [p for p in pages if p.lang == lang.code], base_url, lang, prefix, index))
        files.append(changes_feed(view, (changes or {}).get(lang.code, ()), base_url, lang, prefix, history))
    files.append(Output(".nojekyll", b"", "publish: tells GitHub Pages not to run Jekyll on a branch deploy"))
    if content.site.domain:
        files.append(cname(content.site.domain))
    return files


def article_updated(page: Page) -> str:
    """The date an article was last revised: its `updated` date, or else its publication date."""
    return page.item.updated or page.item.date


def lastmod(content: Content, page: Page) -> str:
    """The date a page last changed: the data update (figures change everywhere), or an article's later revision."""
    return max(content.site.updated, article_updated(page)) if page.dated else content.site.updated


def sitemap(content: Content, pages: list[Page], base_url: str, languages: tuple[Language, ...]) -> Output:
    """sitemap.xml listing the absolute URL of every page except the 404 page; on a site in several languages (the
    first at the root, each other under its code), each with its counterparts in all of them (xhtml:link
    alternates)."""
    base = base_path(base_url)
    alternates = ""
    rows = []
    for p in pages:
        if not p.listed:
            continue
        if len(languages) > 1:
            first = languages[0].code
            dest = p.dest.removeprefix(f"{p.lang}/") if p.lang != first else p.dest
            alternates = "".join(
                f'<xhtml:link rel="alternate" hreflang="{lang.tag}" href="'
                f"{escape(absolute(base_url, page_url(dest if lang.code == first else f'{lang.code}/{dest}', base)))}"
                '"/>'
                for lang in languages
            )
        rows.append(
            f"  <url><loc>{escape(absolute(base_url, page_url(p.dest, base)))}</loc>"
            f"<lastmod>{lastmod(content, p)}</lastmod>{alternates}</url>\n"
        )
    space = ' xmlns:xhtml="http://www.w3.org/1999/xhtml"' if len(languages) > 1 else ""
    xml = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"{space}>\n'
        + "".join(rows)
        + "</urlset>\n"
    )
    return Output("sitemap.xml", xml.encode("utf-8"), "publish: sitemap of every page")


def robots(base_url: str) -> Output:
    """robots.txt allowing everything and naming the sitemap's absolute URL."""
    text = f"User-agent: *\nAllow: /\n\nSitemap: {absolute(base_url, base_path(base_url))}sitemap.xml\n"
    return Output("robots.txt", text.encode("utf-8"), "publish: robots.txt")


def atom_time(date: str) -> str:
    """An Atom timestamp for a content date: '2023-10-31' -> '2023-10-31T00:00:00Z'."""
    return f"{date}T00:00:00Z"


def _feed_index(registry: Registry) -> str:
    """The index page of the kind written in Markdown (the articles': news/index.html), which the feed names."""
    pages = next((k.pages for k in registry.of_shape("markdown") if k.pages is not None), None)
    return f"{pages.section}/index.html" if pages is not None and pages.section else "index.html"


def feed(
    content: Content, pages: list[Page], base_url: str, lang: Language, prefix: str = "", index: str = "index.html"
) -> Output:
    """feed.xml (or LANG/feed.xml): an Atom feed of one language's articles, newest first, each with its title,
    dates and summary."""
    base, site = base_path(base_url), content.site
    strings = content.strings[lang.code]
    articles = [p for p in pages if p.dated]
    updated = max([article_updated(p) for p in articles], default=site.updated)
    news = absolute(base_url, page_url(f"{prefix}{index}", base))
    here = f"{escape(absolute(base_url, base))}{prefix}feed.xml"
    head = (
        f'<?xml version="1.0" encoding="utf-8"?>\n'
        f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{lang.tag}">\n'
        f"  <title>{escape(site.title)}: {escape(strings['news_title'])}</title>\n"
        f"  <subtitle>{escape(strings['news_intro'])}</subtitle>\n"
        f'  <link rel="alternate" type="text/html" href="{escape(news)}"/>\n'
        f'  <link rel="self" type="application/atom+xml" href="{here}"/>\n'
        f"  <id>{here}</id>\n"
        f"  <updated>{atom_time(updated)}</updated>\n"
        f"  <author><name>{escape(site.publisher)}</name></author>\n"
    )
    entries = "".join(feed_entry(p, absolute(base_url, page_url(p.dest, base))) for p in articles)
    return Output(
        f"{prefix}feed.xml",
        (head + entries + "</feed>\n").encode("utf-8"),
        f"publish: Atom feed of the articles in {lang.code}",
    )


def feed_entry(page: Page, url: str) -> str:
    """One article as an Atom <entry>."""
    article = page.item
    return (
        f"  <entry>\n    <title>{escape(article.title)}</title>\n"
        f'    <link rel="alternate" type="text/html" href="{escape(url)}"/>\n'
        f"    <id>{escape(url)}</id>\n"
        f"    <published>{atom_time(article.date)}</published>\n"
        f"    <updated>{atom_time(article_updated(page))}</updated>\n"
        f"    <summary>{escape(article.summary)}</summary>\n  </entry>\n"
    )


def changes_feed(
    content: Content,
    entries: tuple[EntryView, ...],
    base_url: str,
    lang: Language,
    prefix: str = "",
    history: bool = True,
) -> Output:
    """changes.xml (or LANG/changes.xml): an Atom feed of the data changes in one language, a publish date an entry,
    newest first, each with what changed as HTML (values formatted in the language, links absolute)."""
    base, site, t = base_path(base_url), content.site, content.strings[lang.code]
    page = absolute(base_url, page_url(f"{prefix}changes/index.html", base))
    here = f"{escape(absolute(base_url, base))}{prefix}changes.xml"
    updated = entries[0].date if entries else site.updated
    head = (
        f'<?xml version="1.0" encoding="utf-8"?>\n'
        f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{lang.tag}">\n'
        f"  <title>{escape(site.title)}: {escape(t['changes_title'])}</title>\n"
        f"  <subtitle>{escape(t['changes_intro'] if history else t['changes_none'])}</subtitle>\n"
        f'  <link rel="alternate" type="text/html" href="{escape(page)}"/>\n'
        f'  <link rel="self" type="application/atom+xml" href="{here}"/>\n'
        f"  <id>{here}</id>\n"
        f"  <updated>{atom_time(updated)}</updated>\n"
        f"  <author><name>{escape(site.publisher)}</name></author>\n"
    )
    body = "".join(
        f"  <entry>\n    <title>{escape(t['changes_entry'].format(date=human_date(e.date, lang.locale)))}</title>\n"
        f'    <link rel="alternate" type="text/html" href="{escape(page)}#{e.anchor}"/>\n'
        f"    <id>{escape(page)}#{e.anchor}</id>\n"
        f"    <updated>{atom_time(e.date)}</updated>\n"
        f'    <content type="html">{escape(change_html(e, t, lang, base_url))}</content>\n  </entry>\n'
        for e in entries
    )
    return Output(
        f"{prefix}changes.xml",
        (head + body + "</feed>\n").encode("utf-8"),
        f"publish: Atom feed of the data changes in {lang.code}",
    )


def change_html(entry: EntryView, t, lang: Language, base_url: str) -> str:
    """One publish date's changes as an HTML fragment for a feed reader, its links absolute."""
    p = lang.punctuation

    def link(to: Link) -> str:
        text = _escape(to.text)
        return f'<a href="{_escape(absolute(base_url, to.href))}">{text}</a>' if to.href else text

    def figure(line: FigureLine) -> str:
        parts = []
        if line.value:
            parts.append(" → ".join(_escape(v) for v in line.value if v))
        if line.as_of:
            parts.append(t["changes_field_as_of"] + p["colon"] + " → ".join(_escape(d.words) for d in line.as_of))
        if line.source:
            parts.append(t["source"] + p["colon"] + " → ".join(link(s) for s in line.source))
        return f"<li>{link(line.what)}{p['colon']}{p['semi'].join(parts)}</li>"

    html = []
    if entry.first:
        counts = p["list"].join(f"{_escape(what)}{p['open']}{n}{p['close']}" for what, n in entry.first)
        html.append(f"<p>{_escape(t['changes_first'])}{p['colon']}{counts}{p['end']}</p>")
    for key, lines in (
        ("changes_figures", entry.figures),
        ("changes_figures_added", entry.figures_added),
        ("changes_figures_removed", entry.figures_removed),
    ):
        if lines:
            html.append(f"<p>{_escape(t[key])}</p><ul>{''.join(figure(line) for line in lines)}</ul>")
    for key, groups in (("changes_added", entry.added), ("changes_removed", entry.removed)):
        if groups:
            items = "".join(
                f"<li>{_escape(g.label)}{p['colon']}{p['list'].join(link(i) for i in g.items)}</li>" for g in groups
            )
            html.append(f"<p>{_escape(t[key])}</p><ul>{items}</ul>")
    if entry.sources:
        items = "".join(f"<li>{link(s)}</li>" for s in entry.sources)
        html.append(f"<p>{_escape(t['changes_sources'])}</p><ul>{items}</ul>")
    if entry.edits:
        counts = p["list"].join(f"{_escape(what)}{p['open']}{n}{p['close']}" for what, n in entry.edits)
        html.append(f"<p>{_escape(t['changes_edits'])}{p['colon']}{counts}{p['end']}</p>")
    return "".join(html)


def cname(domain: str) -> Output:
    """The CNAME file GitHub Pages reads for a custom domain (validated as a host name when loaded)."""
    return Output("CNAME", f"{domain}\n".encode("utf-8"), "publish: CNAME for the custom domain in site.yaml")
