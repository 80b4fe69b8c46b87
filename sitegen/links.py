"""Checks every internal link and #anchor of the built pages against the outputs, in memory, before anything is written.

A link is internal when it is relative or root-relative (it must then stay under the base path: a link to /x.css
from a site served under /repo/ breaks on GitHub Pages), or absolute under the base URL (canonical, og:image). It
must name an output and, with a #fragment, an id on that page."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from html.parser import HTMLParser
from urllib.parse import unquote, urljoin, urlsplit

from .errors import Location, Problems
from .render import base_path, page_url
from .write import Output

LINK_ATTRS = {"href", "src", "action", "poster"}
SKIP_SCHEMES = ("mailto", "tel", "data", "javascript")


@dataclass(frozen=True)
class Link:
    """One URL found in a page, with its 1-based line and column."""

    url: str
    line: int
    col: int


@dataclass(frozen=True)
class PageLinks:
    """The ids a page defines and the links it holds."""

    ids: frozenset[str]
    links: tuple[Link, ...]


class LinkParser(HTMLParser):
    """Collects ids (and <a name>) and link URLs: href, src, and absolute URLs in <meta content> (og:url, og:image)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[Link] = []

    def handle_starttag(self, tag, attrs):
        line, col = self.getpos()
        for name, value in attrs:
            if value is None:
                continue
            if name == "id" or (tag == "a" and name == "name"):
                self.ids.add(value)
            elif name in LINK_ATTRS or (tag == "meta" and name == "content" and "://" in value):
                self.links.append(Link(value, line, col + 1))


@lru_cache(maxsize=512)
def parse_page(html: bytes) -> PageLinks:
    """The ids and links of one HTML page (memoized: an incremental rebuild re-parses only the pages that changed)."""
    parser = LinkParser()
    parser.feed(html.decode("utf-8", "replace"))
    parser.close()
    return PageLinks(frozenset(parser.ids), tuple(parser.links))


def check_links(outputs: dict[str, Output], base_url: str, where: str, problems: Problems) -> int:
    """Report every broken internal link or anchor at `where/dest:line:col`; return how many internal links there are.

    A link broken the same way on many pages (one written by a shared template) is reported once, with a count."""
    origin, base = "{0.scheme}://{0.netloc}".format(urlsplit(base_url)), base_path(base_url)
    parsed = {dest: parse_page(out.data) for dest, out in outputs.items() if dest.endswith(".html")}
    checked, broken = 0, {}
    for dest, page in sorted(parsed.items()):
        for link in page.links:
            target = urljoin(origin + page_url(dest, base), link.url.strip())
            problem = link_problem(target, bool(urlsplit(link.url.strip()).netloc), origin, base, parsed, outputs)
            checked += problem is not None
            if problem:
                broken.setdefault((target, problem), []).append((dest, link))
    for (_, problem), places in broken.items():
        (dest, link), more = places[0], len(places) - 1
        also = f" (and on {more} more page{'s' * (more != 1)})" if more else ""
        problems.error(Location(f"{where}/{dest}", link.line, link.col),
                       f"broken link '{link.url}' on {page_url(dest, base)}{also}: {problem}",
                       "fix the link in the template or article that writes it")
    return checked


def link_problem(target: str, written_absolute: bool, origin: str, base: str, parsed: dict[str, PageLinks],
                 outputs: dict[str, Output]) -> str | None:
    """Why a link, resolved against its page, is broken: '' when it is fine, None when it is not internal."""
    parts = urlsplit(target)
    if parts.scheme in SKIP_SCHEMES or f"{parts.scheme}://{parts.netloc}" != origin:
        return None
    path = unquote(parts.path)
    path = base if path + "/" == base else path  # GitHub Pages redirects /repo to /repo/
    if not path.startswith(base):
        if written_absolute:  # e.g. another project site on user.github.io: not ours to check
            return None
        return f"it leaves the base path {base}, so it breaks when the site is served there"
    rel = path[len(base):]
    dest = rel + "index.html" if rel == "" or rel.endswith("/") else rel
    if dest not in outputs:
        if dest + "/index.html" not in outputs:
            return f"no page or file at {path}"
        dest += "/index.html"  # GitHub Pages redirects /x to /x/
    fragment = unquote(parts.fragment)
    if fragment and dest in parsed and fragment not in parsed[dest].ids:
        return f"{page_url(dest, base)} has no element with id '{fragment}'"
    return ""
