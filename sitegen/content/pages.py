"""The pages that belong to no kind of content, as models/pages.yaml declares them (a kind's own pages are declared
in its model, under `pages:`): where each is written in every language, its template, its place in the navigation,
and whether search and the sitemap list it. Read with the same field engine as the models, so a mistake is reported
at its line."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import Location, Problems
from .fields import INVALID, Cx, Flag, MapOf, Number, Record, Slug, Text
from .load import load_yaml

FILE = "models/pages.yaml"


@dataclass(frozen=True)
class SitePage:
    """A page of its own: `name` (its kind, as templates see it: page.kind), where it is written under a language's
    folder, its template, its navigation slot and label (or none), whether readers find it through search and
    whether the sitemap lists it."""

    name: str
    dest: str
    template: str
    nav: int | None = None
    label: str = ""
    searchable: bool = True
    sitemap: bool = True
    loc: Location = Location("")


def _page(loc, **fields) -> SitePage:
    return SitePage(name="", loc=loc, **{k: v for k, v in fields.items() if v is not None})


PAGE = Record(
    _page,
    {
        "dest": Text("where it is written, under each language's folder: data/index.html, 404.html"),
        "template": Text("its template in templates/, e.g. data.html"),
        "nav": Number(
            "its slot in the main navigation (the kinds' pages have theirs)", required=False, integer=True, minimum=1
        ),
        "label": Text(
            "the interface string naming it in the navigation and in search results, e.g. nav_data", required=False
        ),
        "searchable": Flag(
            "false: search does not list it (the search page itself, the 404 page)", required=False, default=True
        ),
        "sitemap": Flag("false: the sitemap does not list it (the 404 page)", required=False, default=True),
    },
    "a page",
    title="Page",
)
PAGES = MapOf(Slug("the page's name, as templates know it (page.kind)"), PAGE, "the pages that belong to no kind")


def load_pages(root: Path, problems: Problems) -> tuple[SitePage, ...]:
    """The declared pages, in the file's order (none when the file is missing: a site may have none)."""
    path = root / FILE
    if not path.is_file():
        return ()
    doc = load_yaml(path, FILE, problems)
    found = PAGES.parse(doc.root, Cx(FILE, problems)) if doc is not None else INVALID
    if found is INVALID:
        return ()
    pages = tuple(SitePage(**{**vars(page), "name": str(name)}) for name, page in found.items())
    for page in pages:
        if page.nav is not None and not page.label:
            problems.error(
                page.loc,
                f"page '{page.name}' has a navigation slot but no label",
                "add 'label:' naming the interface string the menu shows, e.g. nav_data",
            )
    return pages
