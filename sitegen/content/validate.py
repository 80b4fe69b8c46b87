"""Raw documents -> the validated Content: fields first, across every file, then cross-references."""

from __future__ import annotations

import functools
import hashlib
import re
from bisect import bisect_right
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any

from ..errors import Location, Problems
from . import kinds, model, provenance
from .chartspec import check_content
from .editions import check_editions
from .fields import INVALID, SLUG, Cx, MapOf, RefValue, did_you_mean, slugify
from .load import (
    Document,
    load_markdown,
    load_yaml,
    location,
    parse_yaml,
    read_text,
    refused_char,
    split_items,
)
from .prose import REF, TIME_WORD_HINT, TimeWords, typed_figures

REF_STYLES = ("", "bare", "short")
MARKDOWN_SUFFIXES = (".md", ".markdown", ".mdown", ".mkd", ".mkdn")


def load_content(
    root: Path, problems: Problems, registry: kinds.Registry | None = None, memo: MutableMapping | None = None
) -> model.Content | None:
    """Read and validate everything under root/content, kind by kind as models/ declares them; report problems
    instead of raising.

    A list file is parsed item by item. `memo` (a mapping the caller may keep between builds) holds parsed items by
    the digest of their text, so that an item whose text is unchanged is not parsed again."""
    registry = registry if registry is not None else kinds.load_registry(root, problems)
    content_dir = root / "content"
    memo = {} if memo is None else memo
    refs: list[RefValue] = []
    parsed: dict[str, Any] = {}
    strings: dict = {}
    prints: dict = {}  # (kind, id) or an item's id() -> the fingerprint of its text
    for kind in registry.kinds:
        if kind.shape == "strings":
            strings = _parse_strings(content_dir, kind, problems, registry, memo, prints)
        elif kind.shape == "markdown":
            parsed[kind.name] = _parse_articles(content_dir, kind, problems, refs, registry, prints)
        else:
            parsed[kind.name] = _parse_kind(content_dir, kind, problems, refs, memo, prints)
    if problems.errors:
        return None
    content = _assemble(registry, parsed, strings, problems)
    _check_refs(registry, content, refs, problems)
    check_content(registry, content, problems, lambda lang, key: string_location(root, lang, key))  # charts
    for kind in registry.of_shape("markdown"):
        for lang in registry.languages:
            for article in content.edition(lang, kind.name).values():
                check_article_refs(article, content, problems, registry)
    _warn_unused_sources(content, refs, problems)
    provenance.check(registry, content, refs, problems)
    if problems.errors:
        return None
    content.fingerprints = _fingerprints(registry, content, prints)
    return content


def _rel(path: Path, content_dir: Path) -> str:
    """The path of a content file as shown in errors: relative to the project root."""
    return path.relative_to(content_dir.parent).as_posix()


def fingerprint(*texts: str) -> bytes:
    """A short digest of texts (a file's, an item's), which the incremental tier keys what it keeps by."""
    digest = hashlib.blake2b(digest_size=16)
    for text in texts:
        digest.update(text.encode("utf-8", "surrogatepass") + b"\0")
    return digest.digest()


def _parse_kind(
    content_dir: Path, kind: kinds.Kind, problems: Problems, refs: list, memo: MutableMapping, prints: dict
):
    """Load one kind's file and parse its root field (taken from `memo` when its text was parsed before); a list file
    item by item. Each parsed item's fingerprint (its text's, or the whole file's) goes into `prints`, by the item's
    id()."""
    path = content_dir / kind.file
    source = _rel(path, content_dir)
    if not path.is_file():
        problems.error(Location(source), "file is missing", f"create {source}; see the README for its keys")
        return INVALID
    text = read_text(path, source, problems)
    if text is None:
        return INVALID
    chunks = split_items(text) if kind.collection else None
    if chunks is not None:
        return _parse_list(kind, source, chunks, problems, refs, memo, prints)
    key = fingerprint(kind.name, source, text)
    parsed, found_refs = memo.get(key) or _parse_file(kind, path, source, text, problems, memo, key)
    refs.extend(found_refs)
    if not kind.collection:
        prints[(kind.name, "")] = fingerprint(source, text)
    elif parsed is not INVALID:
        for item in parsed:
            prints[id(item)] = fingerprint(source, text)
    return parsed


def _parse_file(
    kind: kinds.Kind, path: Path, source: str, text: str, problems: Problems, memo: MutableMapping, key: bytes
) -> tuple:
    """A whole file parsed: (its root field's value or INVALID, its references), kept in `memo` when it is valid."""
    mine = Problems()
    found_refs: list[RefValue] = []
    doc = load_yaml(path, source, mine, text)
    parsed = INVALID if doc is None else kind.root.parse(doc.root, Cx(source, mine, found_refs))
    if parsed is not INVALID and kind.collection:
        parsed = tuple(_key_entity(kind, item) for item in parsed)
    problems.errors += mine.errors
    problems.warnings += mine.warnings
    if parsed is not INVALID and not mine.errors and not mine.warnings:
        memo[key] = parsed, tuple(found_refs)
    return parsed, tuple(found_refs)


def _parse_list(
    kind: kinds.Kind,
    source: str,
    chunks: list[tuple[int, str]],
    problems: Problems,
    refs: list,
    memo: MutableMapping,
    prints: dict,
):
    """A plain list file's items, parsed one by one, each taken from `memo` when its text (at its line) was parsed
    before. An item that ends inside a quote or bracket may have been cut in the wrong place: then PyYAML reads the
    whole file (an error is reported either way)."""
    items, mine = [], Problems()
    for offset, chunk in chunks:
        key = fingerprint(kind.name, source, str(offset), chunk)
        found = memo.get(key)
        if found is None:
            seen = len(mine.errors)
            found = _parse_item(kind, source, offset, chunk, mine)
            last_line = offset + chunk.rstrip("\n").count("\n") + 1
            if any(e.message.startswith("YAML syntax") and e.loc.line >= last_line for e in mine.errors[seen:]):
                text = "".join(chunk for _, chunk in chunks)  # the cut fell inside a quoted or bracketed value
                doc = load_yaml(Path(), source, problems, text)
                return INVALID if doc is None else kind.root.parse(doc.root, Cx(source, problems, refs))
            if found[0] is not INVALID and len(mine.errors) == seen:
                memo[key] = found
        item, found_refs = found
        refs.extend(found_refs)
        items.append(item)
        prints[id(item)] = key
    problems.errors += mine.errors
    if len(items) < kind.min_items:
        problems.error(Location(source, 1, 1), f"expected at least {kind.min_items} item(s), got {len(items)}")
        return INVALID
    return INVALID if any(i is INVALID for i in items) else tuple(items)


def _parse_item(kind: kinds.Kind, source: str, offset: int, chunk: str, problems: Problems) -> tuple:
    """Parse one list item (its text starts at line offset + 1): (the keyed item or INVALID, its references)."""
    item_refs: list = []
    node = parse_yaml(chunk, source, problems, line_offset=offset)
    item = (
        kind.item_record.parse(node.value[0], Cx(source, problems, item_refs, offset)) if node is not None else INVALID
    )
    if item is not INVALID:
        item = _key_entity(kind, item)
    return item, tuple(item_refs)


def _fingerprints(registry: kinds.Registry, content: model.Content, prints: dict) -> dict:
    """Every read of the content a page can make by id, with the fingerprint of the text it comes from: each item
    (kind, id), each record (name, ''), each figure ('figures', key) as its owner's, the strings ('strings', '')."""
    found = {("strings", ""): prints.get("strings", b"")}
    for name in content.records:
        found[(name, "")] = prints[(name, "")]
    for kind in registry.kinds:
        if kind.collection:
            for ident, item in getattr(content, kind.name).items():
                found[(kind.name, ident)] = prints.get(id(item)) or prints.get((kind.name, ident), b"")
    for key in content.figures:
        kind, _, rest = key.partition(".")
        found[("figures", key)] = found[(kind, "")] if (kind, "") in found else found[(kind, rest.split(".")[0])]
    return found


def _parse_strings(
    content_dir: Path,
    kind: kinds.Kind,
    problems: Problems,
    registry: kinds.Registry,
    memo: MutableMapping,
    prints: dict,
) -> dict:
    """Load the UI strings of every language file in content/i18n/, each taken from `memo` when its text was parsed
    before; their fingerprint goes into `prints`. Every language of the site has its file, with the same keys as the
    base language's."""
    languages = registry.languages
    out: dict[str, model.UiStrings] = {}
    texts: list[str] = []
    for path in sorted((content_dir / kind.file).glob("*.yaml")):
        source = _rel(path, content_dir)
        text = read_text(path, source, problems)
        if text is None:
            continue
        key = fingerprint(kind.name, source, text)
        table = memo.get(key)
        if table is None:
            mine = Problems()
            doc = load_yaml(path, source, mine, text)
            table = registry.strings.parse(doc.root, Cx(source, mine)) if doc is not None else INVALID
            problems.errors += mine.errors
            problems.warnings += mine.warnings
            if table is not INVALID and not mine.errors and not mine.warnings:
                memo[key] = table
        if table is not INVALID:
            out[path.stem] = model.UiStrings({key: model.UiText(text, key) for key, text in table.items()})
            texts += [source, text]
    prints["strings"] = fingerprint(*texts)
    for lang in languages:
        if lang not in out and not problems.errors:
            problems.error(
                Location(f"content/{kind.file}/{lang}.yaml"),
                "file is missing",
                f"the site's languages include {lang}: its interface strings are required, with the same "
                f"keys as {languages[0]}.yaml",
            )
    base: dict = out.get(languages[0]) or {}
    for lang, table in out.items():
        if table and base and lang != languages[0]:
            _same_keys(content_dir, kind, lang, table, base, languages[0], problems)
    return out


def _same_keys(
    content_dir: Path, kind: kinds.Kind, lang: str, table: dict, base: dict, first: str, problems: Problems
) -> None:
    """A language's strings file has the first language's keys, and no other (one would never be shown)."""
    for key in sorted(set(base) - set(table)):
        problems.error(
            Location(f"content/{kind.file}/{lang}.yaml", 1, 1),
            f"missing string '{key}'",
            f"every language file needs the same keys as {first}.yaml: add '{key}: ...'",
        )
    for key in sorted(set(table) - set(base)):
        problems.error(
            string_location(content_dir.parent, lang, key),
            f"string '{key}' is not in {first}.yaml",
            did_you_mean(key, set(base) - set(table))
            or f"every language file has the same keys as {first}.yaml: remove it, or add it there too",
        )


def string_location(root: Path, lang: str, key: str) -> Location:
    """Where a UI string is set in its language file (the file's first line when it is not set there)."""
    source = f"content/i18n/{lang}.yaml"
    problems = Problems()
    doc = load_yaml(root / source, source, problems)
    for knode, vnode in doc.root.value if doc is not None and isinstance(doc.root.value, list) else ():
        if getattr(knode, "value", None) == key:
            return location(source, vnode)
    return Location(source, 1, 1)


def _parse_articles(
    content_dir: Path, kind: kinds.Kind, problems: Problems, refs: list, registry: kinds.Registry, prints: dict
) -> dict[str, list]:
    """Load every Markdown article in content/articles/, by language: NAME.md is the edition in the site's base
    language, NAME.CODE.md the one in the language CODE (NAME.zh.md); every article has an edition in each of the
    site's languages. An article's fingerprint (of every edition's text) goes into `prints` by (kind, slug)."""
    languages = registry.languages
    editions: dict[str, list] = {lang: [] for lang in languages}
    names: dict[str, dict] = {}  # file name without language -> language -> source
    read: dict[str, tuple] = {}  # source -> (its article, its text, where each front matter value is)
    for path in sorted((content_dir / kind.file).glob("*")):
        if path.suffix.lower() in MARKDOWN_SUFFIXES and path.suffix != ".md":
            problems.error(
                Location(_rel(path, content_dir)),
                f"'{path.name}' is not read: articles are named *.md",
                f"rename it to '{path.stem}.md'",
            )
    for path in sorted((content_dir / kind.file).glob("*.md")):
        source = _rel(path, content_dir)
        stem, _, lang = path.stem.rpartition(".") if "." in path.stem else (path.stem, "", languages[0])
        if lang not in languages:
            problems.error(
                Location(source, 1, 1),
                f"an edition in '{lang}', which is not among the site's languages",
                f"add {lang} to 'languages' in content/site.yaml, or rename or remove the file",
            )
            continue
        names.setdefault(stem, {})[lang] = source
        doc = load_markdown(path, source, problems)
        if doc is None:
            continue
        cx = Cx(source, problems, refs, doc.line_offset)
        meta = kind.item_record.parse(doc.root, cx)
        if meta is INVALID:
            continue
        slug = meta.slug or _slug_from_name(path.with_name(stem + ".md"), doc, cx)
        if slug is INVALID:
            continue
        article = _with(meta, slug=slug, body=doc.body, body_line=doc.body_line, lang=lang)
        check_article_prose(article, doc, problems, registry.declared_languages.time_words)
        read[source] = article, doc.text, {k.value: location(source, v, doc.line_offset) for k, v in doc.root.value}
    for stem, found in names.items():
        for lang in languages:
            if lang not in found:
                have = next(iter(found.values()))
                twin = f"{stem}.md" if lang == languages[0] else f"{stem}.{lang}.md"
                problems.error(
                    Location(have, 1, 1),
                    f"no {registry.language(lang).english_name} edition of this article",
                    f"write content/{kind.file}/{twin}: every article has an edition in each of the site's languages",
                )
    return _editions(kind, names, read, registry, prints, editions, problems)


def _editions(
    kind: kinds.Kind,
    names: dict,
    found: dict,
    registry: kinds.Registry,
    prints: dict,
    editions: dict,
    problems: Problems,
) -> dict[str, list]:
    """The articles by language, each edition checked against its first language's and given its slug, in the
    files' order; each article's fingerprint (of every edition's text) into `prints` by (kind, slug)."""
    languages, texts = registry.languages, {}  # type: tuple[tuple[str, ...], dict[str, list]]
    english = {code: registry.language(code).english_name for code in languages}
    fronts = {source: front for source, (_, _, front) in found.items()}
    for group in names.values():
        made = check_editions(
            {lang: found[source][0] for lang, source in group.items() if source in found},
            fronts,
            languages,
            english,
            problems,
        )
        for article in made.values():
            found[article.loc.source] = (article, *found[article.loc.source][1:])
    for source, (article, text, _) in sorted(found.items()):
        editions[article.lang].append(article)
        texts.setdefault(article.slug, []).append(text)
    for slug, parts in texts.items():
        prints[(kind.name, slug)] = fingerprint(*parts)
    return editions


def check_article_prose(article, doc: Document, problems: Problems, words: TimeWords) -> None:
    """Report figures typed into an article's title, summary or body instead of referenced from the YAML, time-relative
    words without a year in its body, and characters in the body that no page may hold."""
    bad = refused_char(article.body)
    if bad:
        problems.error(body_location(article, bad[0]), *bad[1:])
    hint = "take the figure from the YAML with a reference such as [[events.summit-2023.projects]]"
    for key, value in doc.root.value:
        if key.value in ("title", "summary"):
            for _, snippet in typed_figures(value.value):
                problems.error(
                    location(doc.source, value, doc.line_offset),
                    f"figure typed in the {key.value}: '{snippet}'",
                    "write it in words, or leave it to the article body as a reference",
                )
    for offset, snippet in typed_figures(article.body):
        problems.error(body_location(article, offset), f"figure typed in the text: '{snippet}'", hint)
    for offset, word in words.find(article.body):
        problems.error(body_location(article, offset), f"time-relative word '{word}' without a year", TIME_WORD_HINT)


def _slug_from_name(path: Path, doc: Document, cx: Cx):
    """Default an article's slug to its file name, which must then be a valid slug."""
    if SLUG.match(path.stem):
        return path.stem
    return cx.error(
        doc.root,
        f"file name '{path.name}' is not a valid address",
        f"rename it to '{slugify(path.stem)}.md' or add 'slug: {slugify(path.stem)}'",
    )


def _assemble(registry: kinds.Registry, parsed: dict, strings: dict, problems: Problems) -> model.Content:
    """Index each collection by id (reporting duplicates) and give every figure its global key."""
    figures: dict[str, model.Figure] = {}
    records: dict[str, model.Item] = {}
    collections: dict[str, dict] = {}
    editions: dict[str, dict[str, dict]] = {}  # language -> kind -> items by slug
    for kind in registry.kinds:
        if kind.shape == "single":
            records[kind.name] = _key_record(kind, parsed[kind.name], figures)
        elif kind.shape == "markdown":
            base, *others = registry.languages
            by_lang = {
                lang: _index(kind.name, items, lambda i: i.slug, problems) for lang, items in parsed[kind.name].items()
            }
            collections[kind.name] = by_lang[base]
            for lang in others:
                editions.setdefault(lang, {})[kind.name] = by_lang[lang]
        elif kind.collection:
            items = parsed[kind.name]
            _register_figures(kind, items, figures)
            collections[kind.name] = _index(kind.name, items, lambda i, key=kind.key: getattr(i, key), problems)
    return model.Content(records, collections, strings, figures, editions)


def _index(kind: str, items, key, problems: Problems) -> dict:
    """Map id -> item in file order, reporting an id used twice."""
    out: dict = {}
    for item in items:
        k = key(item)
        if k in out:
            problems.error(
                item.loc, f"duplicate id '{k}' in {kind}", f"'{k}' is already used at {out[k].loc}; ids must be unique"
            )
        else:
            out[k] = item
    return out


def _keyed(fig: model.Figure, key: str, figures: dict | None = None) -> model.Figure:
    """Give a figure its global key (and register it in `figures`, when given)."""
    fig = _with(fig, key=key)
    if figures is not None:
        figures[key] = fig
    return fig


def _key_map(prefix: str, table: dict, figures: dict | None = None) -> dict:
    """Key every figure of a named mapping under prefix."""
    return {name: _keyed(fig, f"{prefix}.{name}", figures) for name, fig in table.items()}


def _key_record(kind: kinds.Kind, record, figures: dict):
    """A single record with its figures keyed under the kind's name and the field's (profile.gdp.2022,
    profile.figures.area); a map of figures keyed by year is put in year order."""
    changes: dict[str, Any] = {}
    for name, f in kind.fields.items():
        value: Any = getattr(record, name, None)  # a twin (title_zh) is in its text's `texts`
        shape = kinds.shape_of(f)
        if shape in ("figures", "figure-map") and isinstance(f, MapOf):  # (a map of figures is a MapOf)
            table = dict(sorted(value.items())) if isinstance(f.key, kinds.Year) else value
            changes[name] = _key_map(f"{kind.name}.{name}", table, figures)
        elif shape == "figure" and value is not None:
            changes[name] = _keyed(value, f"{kind.name}.{name}", figures)
    return _with(record, **changes)


def _key_entity(kind: kinds.Kind, item):
    """An item with its figures given their global keys: its named figures under the item's own key
    (companies.jcet.revenue-2023), its figure fields and maps under the field's name (events.summit-2023.projects).
    Done once, as it is parsed; the parse cache keeps the keyed item."""
    prefix = f"{kind.name}.{getattr(item, kind.key)}"
    changes: dict[str, Any] = {}
    for name in kind.figure_fields:
        fig = getattr(item, name)
        if fig is not None:
            changes[name] = _keyed(fig, f"{prefix}.{name}")
    for name in kind.named_figures:
        changes[name] = _key_map(prefix, getattr(item, name))
    for name in kind.figure_maps:
        changes[name] = _key_map(f"{prefix}.{name}", getattr(item, name))
    return _with(item, **changes) if changes else item


def _with(obj, **changes):
    """A copy of a frozen content object with some fields changed: dataclasses.replace() without running __init__
    again (the model has no __post_init__), 3x faster on the 20,000 figures and items of a large site."""
    new = object.__new__(type(obj))
    new.__dict__.update(obj.__dict__, **changes)
    return new


def _register_figures(kind: kinds.Kind, items, figures: dict) -> None:
    """Add keyed items' figures to `figures`: each item's named figures and figure maps, then its figure fields
    (one pass, no generator per item: 20,000 figures after every edit of a large site)."""
    tables, fields = kind.named_figures + kind.figure_maps, kind.figure_fields
    for item in items:
        for name in tables:
            own = getattr(item, name)
            if own:
                for fig in own.values():
                    figures[fig.key] = fig
        for name in fields:
            fig = getattr(item, name)
            if fig.__class__ is model.Figure:
                figures[fig.key] = fig


def _check_refs(registry: kinds.Registry, content: model.Content, refs: list[RefValue], problems: Problems) -> None:
    """Every reference by id must name an existing item of its kind (or, for a figure key, an existing figure)."""
    tables = {
        kind: content.figures if kind == "figures" else getattr(content, kind, {}) for kind in {r[0] for r in refs}
    }
    for kind, ident, source, line, col in [r for r in refs if r[1] not in tables[r[0]]]:  # the few broken ones
        table = tables[kind]
        one = "figure" if kind == "figures" else registry[kind].one if kind in registry else kind
        hint = did_you_mean(ident, table) or f"known ids: {', '.join(list(table)[:8])}"
        problems.error(Location(source, line, col), f"unknown {one} '{ident}'", hint)


def resolve_ref(path: str, content: model.ContentView, registry: kinds.Registry):
    """Find what an article reference names: a Figure, or an item with a page (kind, item), or None."""
    if path in content.figures:
        return content.figures[path]
    kind, _, ident = path.partition(".")
    if kind in registry and registry[kind] in registry.linked and ident in getattr(content, kind):
        return kind, getattr(content, kind)[ident]
    return None


def ref_parts(match: re.Match) -> tuple[str, str]:
    """The key and style of a reference match: `[[ key | short ]]` -> ('key', 'short')."""
    path, bar, style = match.group(1).partition("|")
    return path.strip(), style.strip() if bar else ""


def check_article_refs(article, content: model.Content, problems: Problems, registry: kinds.Registry) -> None:
    """Every [[reference]] in an article body must name a figure or an item, and every '[[' be closed on its line."""
    options = None
    for match in REF.finditer(article.body):
        path, style = ref_parts(match)
        loc = body_location(article, match.start())
        target = resolve_ref(path, content, registry)
        if target is None:
            if options is None:
                options = list(content.figures) + [
                    f"{k.name}.{i}" for k in registry.linked for i in getattr(content, k.name)
                ]
            problems.error(
                loc,
                f"unknown reference [[{path}]]",
                did_you_mean(path, options) or "use a figure key such as events.summit-2023.projects",
            )
        elif style not in REF_STYLES:
            problems.error(loc, f"unknown style '|{style}' in [[{path}]]", "use |bare, |short or nothing")
    for offset in unclosed_refs(article.body):
        problems.error(
            body_location(article, offset), "unclosed reference '[['", "close it with ']]', e.g. [[profile.gdp.2022]]"
        )


def unclosed_refs(body: str) -> list[int]:
    """The offset of the first '[[' on each line that no reference closes (linear in the body)."""
    found, line_start = [], 0
    for line in body.split("\n"):
        at = 0
        if "[[" in line:
            for match in REF.finditer(line):
                gap = line.find("[[", at, match.start())
                if gap >= 0:
                    break
                at = match.end()
            else:
                gap = line.find("[[", at)
            if gap >= 0:
                found.append(line_start + gap)
        line_start += len(line) + 1
    return found


def body_location(article, offset: int) -> Location:
    """The file location of a character offset in an article body."""
    starts = _line_starts(article.body)
    n = bisect_right(starts, offset) - 1
    return Location(article.loc.source, article.body_line + n, offset - starts[n] + 1)


@functools.lru_cache(maxsize=16)
def _line_starts(text: str) -> list[int]:
    """The offset of each line's first character (an article with many errors looks up each in log time)."""
    return [0] + [m.end() for m in re.finditer("\n", text)]


def _warn_unused_sources(content: model.Content, refs: list[RefValue], problems: Problems) -> None:
    """Warn about sources that nothing cites."""
    cited = {r[1] for r in refs if r[0] == "sources"}
    for source in content.sources.values():
        if source.id not in cited:
            problems.warn(
                source.loc,
                f"source '{source.id}' is not cited by anything",
                "cite it from a figure, note or article, or remove it",
            )
