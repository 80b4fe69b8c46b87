"""Checks every internal link and #anchor of the built pages against the outputs, in memory, before anything is written.

A link is internal when it is relative or root-relative (it must then stay under the base path: a link to /x.css
from a site served under /repo/ breaks on GitHub Pages), or absolute under the base URL (canonical, og:image). It
must name an output and, with a #fragment, an id on that page."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from html import unescape
from sys import intern
from typing import NamedTuple
from urllib.parse import unquote, urljoin, urlsplit

from ..errors import Location, Problems
from ..site.urls import base_path, page_url

SKIP_SCHEMES = ("mailto", "tel", "data", "javascript")
URL_ATTRS = ("href", "src", "action", "poster")  # and `content`, when it holds an absolute URL (<meta content>)
# Where a link's attribute is written, to name its line when it is broken: in any case, quoted or not.
WRITTEN = re.compile(
    r"""[\s"'/](?:href|src|action|poster|content)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))""", re.I
)
COMMENT = re.compile(r"<!--.*?-->", re.S)


def parse_page(html: bytes) -> tuple[str, list[str]]:
    """The ids (and <a name>s) of one page, as one text ("\nid\n..."), and the URLs it links to (href, src,
    action, poster, absolute URLs in <meta content>), as an HTML parser (Lexbor) reads them: in any case, quoted
    or not, entities decoded, comments left out."""
    from selectolax.lexbor import LexborHTMLParser  # here: a build that finds nothing changed never loads it

    tree = LexborHTMLParser(html)
    ids = [node.attributes["id"] for node in tree.css("[id]")]
    ids += [node.attributes["name"] for node in tree.css("a[name]")]
    urls = []
    for node in tree.css("[href], [src], [action], [poster], meta[content]"):
        attributes = node.attributes
        urls += [value for key in URL_ATTRS if (value := attributes.get(key)) is not None]
        content = attributes.get("content") if node.tag == "meta" else None
        if content and "://" in content:
            urls.append(content)
    return "\n" + "\n".join(sorted(set(filter(None, ids)))) + "\n", urls


class PageInfo(NamedTuple):
    """What the link check knows of one page: its ids, how many internal links it has, and the distinct targets
    they resolve to, as (path under the base or None, fragment, why it is outside). Only targets are kept (a page
    repeats the menu's and the footer's): where a broken one is written is looked up again in the page."""

    ids: str  # every id of the page, one a line ("\nmain\nsrc-a\n"): one string, not thousands
    links: int
    targets: tuple

    def has(self, ident: str) -> bool:
        """Whether an element of the page has this id."""
        return f"\n{ident}\n" in self.ids


def page_info(html: bytes, dest: str, origin: str, base: str, shared: dict | None = None) -> PageInfo:
    """Parse a page and resolve its internal links against its own URL. A link to the page itself is judged here,
    against its ids, and kept only when it is broken (most are its table of contents and skip link); each distinct
    target is kept once in `shared`, when given: pages repeat most of theirs."""
    ids, urls = parse_page(html)
    here = page_url(dest, base)
    targets = [t for t in (_target(url, here, origin, base) for url in urls) if t is not None]
    own = _decoded(here)
    kept = [t for t in targets if t[0] != own or t[2] or (t[1] and f"\n{t[1]}\n" not in ids)]
    if shared is not None:
        kept = [shared.setdefault(t, t) for t in kept]
    return PageInfo(ids, len(targets), tuple(dict.fromkeys(kept)))


def _target(url: str, here: str, origin: str, base: str) -> tuple | None:
    """Where a link on the page at `here` points, if it is internal: (path under the base or None, fragment, why
    it is outside)."""
    url = url.strip()
    if url.startswith(base):  # the common cases, without urljoin: /base/x/#y and https://host/base/x/
        return _rooted(url)
    if url.startswith(origin) and url.startswith(base, len(origin)):
        return _rooted(url[len(origin) :])
    if url.startswith("#"):
        return _decoded(here), _decoded(url[1:]), ""
    try:
        parts = _split(origin + here if not url.startswith("/") or url.startswith("//") else origin, url)
    except ValueError:  # 'http://[x/': urlsplit refuses an unclosed IPv6 bracket
        return None, "", "it is not a valid address"
    if parts.scheme in SKIP_SCHEMES or f"{parts.scheme}://{parts.netloc}" != origin:
        return None
    path = unquote(parts.path)
    path = base if path + "/" == base else path  # GitHub Pages redirects /repo to /repo/
    if not path.startswith(base):
        if not urlsplit(url).netloc:  # an absolute link elsewhere on the host (another project) is not ours
            return None, "", f"it leaves the base path {base}, so it breaks when the site is served there"
        return None
    return intern(path), _decoded(parts.fragment), ""


@lru_cache(maxsize=4096)
def _rooted(url: str) -> tuple:
    """The target of a link under the base path: the same on every page that has it (the menu, the head)."""
    path, _, fragment = url.partition("#")
    return _decoded(path), _decoded(fragment), ""


def _decoded(part: str) -> str:
    """A URL path or fragment with %-escapes decoded, as one shared string (pages repeat their targets)."""
    return intern(unquote(part) if "%" in part else part)


def _first_link_to(html: bytes, target: tuple, dest: str, origin: str, base: str) -> tuple[str, int]:
    """The URL of the first link on a page that resolves to target, and the character offset of its tag."""
    text, here = html.decode("utf-8", "replace"), page_url(dest, base)
    if "<!--" in text:  # blanked out, same length: offsets still point into the page
        text = COMMENT.sub(lambda m: " " * len(m.group()), text)
    for match in WRITTEN.finditer(text):
        url = unescape(next(value for value in match.groups() if value is not None))
        if _target(url, here, origin, base) == target:
            return url, text.rfind("<", 0, match.start() + 1)
    raise LookupError(f"no link to {target} on {dest}")


@lru_cache(maxsize=4096)
def _split(page: str, url: str):
    """A link resolved against its page and split; root-relative links share one entry across pages."""
    return urlsplit(urljoin(page, url))


def position(html: bytes, offset: int) -> tuple[int, int]:
    """The 1-based line and column of a character offset in a page."""
    text = html.decode("utf-8", "replace")[:offset]
    return text.count("\n") + 1, offset - (text.rfind("\n") + 1) + 1


def _origin_and_base(base_url: str) -> tuple[str, str]:
    """'https://h.example/repo/' -> ('https://h.example', '/repo/')."""
    return "{0.scheme}://{0.netloc}".format(urlsplit(base_url)), base_path(base_url)


def inspector(base_url: str) -> Callable[[str, bytes], PageInfo]:
    """A function (dest, html) -> PageInfo for pages of a site at base_url, to run while pages are rendered."""
    origin, base = _origin_and_base(base_url)
    shared: dict = {}
    return lambda dest, html: page_info(html, dest, origin, base, shared)


def check_links(
    infos: dict[str, PageInfo], dests: set[str], base_url: str, where: str, problems: Problems, read, blame=None
) -> int:
    """Report every broken internal link or anchor of the pages (`infos`, by path) against the site's files
    (`dests`) at `where/dest:line:col`; return how many links were checked. A link broken the same way on many pages
    (one written by a shared template) is reported once, with a count; at the place `blame(dest, url)` names when it
    names one (the line of an article's Markdown that writes the link), else in the page (`read(dest)`: its bytes)."""
    origin, base = _origin_and_base(base_url)
    wrong = _wrong_targets(infos, dests, base)
    broken: dict = {}  # (path, fragment, why) -> [(page, target)] in page order
    for dest in sorted(infos) if wrong else ():
        for target in (target for target in infos[dest].targets if target in wrong):
            broken.setdefault((target[0], target[1], wrong[target]), []).append((dest, target))
    for (_, _, problem), places in broken.items():
        (dest, target), more = places[0], len(places) - 1
        also = f" (and on {more} more page{'s' * (more != 1)})" if more else ""
        page = read(dest)
        link = _first_link_to(page, target, dest, origin, base)
        written = blame(dest, link[0]) if blame is not None else None
        if written is None:
            written = Location(f"{where}/{dest}", *position(page, link[1]))
        problems.error(
            written,
            f"broken link '{link[0]}' on {page_url(dest, base)}{also}: {problem}",
            "fix the link in the template or article that writes it",
        )
    return sum(info.links for info in infos.values())


def _wrong_targets(infos: dict[str, PageInfo], dests: set[str], base: str) -> dict[tuple, str]:
    """Every link target of the pages that names nothing, with why; each distinct target judged once (pages share
    most of theirs), each path's file worked out once."""
    found: dict[str, str | None] = {}
    wrong = {}
    for target in set().union(*(info.targets for info in infos.values())):
        path, fragment, outside = target
        if path not in found:
            found[path] = named_file(path, base, dests) if not outside else None
        dest = found[path]
        if outside or dest is None:
            wrong[target] = outside or f"no page or file at {path}"
        elif fragment and dest in infos and not infos[dest].has(fragment):
            wrong[target] = f"{page_url(dest, base)} has no element with id '{fragment}'"
    return wrong


def named_file(path: str, base: str, dests: set[str]) -> str | None:
    """The file of the site an internal path names, or None."""
    rel = path[len(base) :]
    dest = rel + "index.html" if rel == "" or rel.endswith("/") else rel
    if dest in dests:
        return dest
    return dest + "/index.html" if dest + "/index.html" in dests else None  # GitHub Pages redirects /x to /x/
