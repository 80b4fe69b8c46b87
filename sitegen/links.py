"""Checks every internal link and #anchor of the built pages against the outputs, in memory, before anything is written.

A link is internal when it is relative or root-relative (it must then stay under the base path: a link to /x.css
from a site served under /repo/ breaks on GitHub Pages), or absolute under the base URL (canonical, og:image). It
must name an output and, with a #fragment, an id on that page."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from html import unescape
from urllib.parse import unquote, urljoin, urlsplit

from .errors import Location, Problems
from .render import base_path, page_url
from .write import Output

LINK_ATTRS = {"href", "src", "action", "poster"}
SKIP_SCHEMES = ("mailto", "tel", "data", "javascript")
ATTR = re.compile(r"""\s(id|name|href|src|action|poster|content)\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.I)
TAG_NAME = re.compile(r"<([a-zA-Z][\w:-]*)")
COMMENT = re.compile(r"<!--.*?-->", re.S)


@dataclass(frozen=True)
class Link:
    """One URL found in a page, at the character offset of its tag."""

    url: str
    offset: int


@dataclass(frozen=True)
class PageLinks:
    """The ids a page defines and the links it holds."""

    ids: frozenset[str]
    links: tuple[Link, ...]


@lru_cache(maxsize=4096)
def parse_page(html: bytes) -> PageLinks:
    """The ids (and <a name>s) and link URLs of one page: href, src, and absolute URLs in <meta content>.

    A regular-expression scan for the attributes (quoted, as the templates write them), outside comments;
    memoized, so an incremental rebuild parses only the pages that changed."""
    text = html.decode("utf-8", "replace")
    comments = [m.span() for m in COMMENT.finditer(text)]
    ids, links = set(), []
    for attr in ATTR.finditer(text):
        start = text.rfind("<", 0, attr.start())
        if comments and any(a <= start < b for a, b in comments):
            continue
        tag = TAG_NAME.match(text, start)
        name, key = (tag.group(1).lower() if tag else ""), attr.group(1).lower()
        value = unescape(attr.group(2) if attr.group(2) is not None else attr.group(3))
        if key == "id" or (name == "a" and key == "name"):
            ids.add(value)
        elif key in LINK_ATTRS or (name == "meta" and key == "content" and "://" in value):
            links.append(Link(value, start))
    return PageLinks(frozenset(ids), tuple(links))


@lru_cache(maxsize=4096)
def resolved(html: bytes, dest: str, origin: str, base: str) -> tuple:
    """(link, path under the base or None, fragment, why it is outside) for each internal link of a page; memoized."""
    found = []
    for link in parse_page(html).links:
        url = link.url.strip()
        parts = _split(origin + page_url(dest, base) if url.startswith("#") or not url.startswith("/") or
                       url.startswith("//") else origin, url)
        if parts.scheme in SKIP_SCHEMES or f"{parts.scheme}://{parts.netloc}" != origin:
            continue
        path = unquote(parts.path)
        path = base if path + "/" == base else path  # GitHub Pages redirects /repo to /repo/
        if not path.startswith(base):
            if not urlsplit(url).netloc:  # an absolute link elsewhere on the host (another project) is not ours
                found.append((link, None, "", f"it leaves the base path {base}, so it breaks when the site is served there"))
            continue
        found.append((link, path, unquote(parts.fragment), ""))
    return tuple(found)


@lru_cache(maxsize=65536)
def _split(page: str, url: str):
    """A link resolved against its page and split; root-relative links share one entry across pages."""
    return urlsplit(urljoin(page, url))


def position(html: bytes, offset: int) -> tuple[int, int]:
    """The 1-based line and column of a character offset in a page."""
    text = html.decode("utf-8", "replace")[:offset]
    return text.count("\n") + 1, offset - (text.rfind("\n") + 1) + 1


def check_links(outputs: dict[str, Output], base_url: str, where: str, problems: Problems) -> int:
    """Report every broken internal link or anchor at `where/dest:line:col`; return how many internal links there are.

    A link broken the same way on many pages (one written by a shared template) is reported once, with a count."""
    origin, base = "{0.scheme}://{0.netloc}".format(urlsplit(base_url)), base_path(base_url)
    pages = {dest: out.data for dest, out in outputs.items() if dest.endswith(".html")}
    checked, broken = 0, {}
    for dest, html in sorted(pages.items()):
        for link, path, fragment, outside in resolved(html, dest, origin, base):
            checked += 1
            problem = outside or target_problem(path, fragment, base, pages, outputs)
            if problem:
                broken.setdefault((path, fragment, problem), []).append((dest, link))
    for (_, _, problem), places in broken.items():
        (dest, link), more = places[0], len(places) - 1
        also = f" (and on {more} more page{'s' * (more != 1)})" if more else ""
        line, col = position(pages[dest], link.offset)
        problems.error(Location(f"{where}/{dest}", line, col),
                       f"broken link '{link.url}' on {page_url(dest, base)}{also}: {problem}",
                       "fix the link in the template or article that writes it")
    return checked


def target_problem(path: str, fragment: str, base: str, pages: dict[str, bytes], outputs: dict[str, Output]) -> str:
    """Why an internal path (and #fragment) names nothing in the outputs, or '' when it is fine."""
    rel = path[len(base):]
    dest = rel + "index.html" if rel == "" or rel.endswith("/") else rel
    if dest not in outputs:
        if dest + "/index.html" not in outputs:
            return f"no page or file at {path}"
        dest += "/index.html"  # GitHub Pages redirects /x to /x/
    if fragment and dest in pages and fragment not in parse_page(pages[dest]).ids:
        return f"{page_url(dest, base)} has no element with id '{fragment}'"
    return ""
