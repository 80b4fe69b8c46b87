"""The editions of one article (NAME.md in the site's first language, NAME.CODE.md in each other one) are one article
written in several languages: they share its address (slug), its dates, its sources and its [[references]], and each
is checked against the first. An edition that names no slug of its own takes the first edition's."""

from __future__ import annotations

from ..errors import Location, Problems
from .prose import REF

SHARED = ("date", "updated", "sources")  # the front matter every edition gives alike


def check_editions(group: dict, fronts: dict, languages: tuple, names: dict, problems: Problems) -> dict:
    """One article's editions ({language: article}, its first language's among them): report where another differs
    from the first, at its line; return the editions, each with the first edition's slug. `fronts` maps an edition's
    file to where each of its front matter's values is; `names` a language's code to its name in English."""
    first = group.get(languages[0])
    if first is None:  # reported: every article has an edition in the first language
        return group
    out = {languages[0]: first}
    for lang, article in group.items():
        if lang == languages[0]:
            continue
        at = fronts.get(article.loc.source, {})
        if "slug" in at and article.slug != first.slug:
            problems.error(
                at["slug"],
                f"the editions of one article share its slug: the {names[languages[0]]} edition's is '{first.slug}'",
                "remove 'slug:' from this edition: it takes the first edition's",
            )
        for key in SHARED:
            _compare(key, first, article, at, names[languages[0]], problems)
        _compare_refs(first, article, names, problems)
        out[lang] = _with_slug(article, first.slug)
    return out


def _compare(key: str, first, article, at: dict, first_name: str, problems: Problems) -> None:
    """One front matter value the editions share (sources as a set: each language may order them its own way)."""
    mine, theirs = getattr(article, key, None), getattr(first, key, None)
    if key == "sources":
        lacks, adds = sorted(set(theirs or ()) - set(mine or ())), sorted(set(mine or ()) - set(theirs or ()))
        said = "; ".join(
            ([f"it lacks {', '.join(lacks)}"] if lacks else []) + ([f"it adds {', '.join(adds)}"] if adds else [])
        )
    else:
        said = "" if mine == theirs else f"the {first_name} edition's is {theirs or 'not given'}"
    if said:
        problems.error(
            at.get(key, article.loc),
            f"the editions of one article share its {key}: {said}",
            f"give this edition the same {key} as the {first_name} one",
        )


def _compare_refs(first, article, names: dict, problems: Problems) -> None:
    """Each edition shows the same figures and items: a [[reference]] in one edition is in the other, reported at
    the reference that the other lacks."""
    refs = {a.lang: _refs(a) for a in (first, article)}
    for one, other in ((first, article), (article, first)):
        for path, offset in refs[one.lang].items():
            if path not in refs[other.lang]:
                problems.error(
                    _body_location(one, offset),
                    f"[[{path}]] is not in the {names[other.lang]} edition ({other.loc.source})",
                    "the editions of one article show the same figures and items: add it there, or remove it here",
                )


def _refs(article) -> dict[str, int]:
    """An edition's references, each path with the offset of its first use in the body."""
    found: dict[str, int] = {}
    for match in REF.finditer(article.body):
        found.setdefault(match.group(1).partition("|")[0].strip(), match.start())
    return found


def _body_location(article, offset: int) -> Location:
    """The file location of a character offset in an article body."""
    before = article.body[:offset]
    return Location(article.loc.source, article.body_line + before.count("\n"), offset - before.rfind("\n"))


def _with_slug(article, slug: str):
    """The edition with the article's slug."""
    if article.slug == slug:
        return article
    new = object.__new__(type(article))
    new.__dict__.update(article.__dict__, slug=slug)
    return new
