"""What a model declares, checked against itself and the other models before any content is read, so that a mistake
in models/*.yaml is an error at its line rather than a traceback, a lost page or an error blamed on content: a
setting given to a field type it means nothing to, a rule naming unknown fields, a kind named like what the generator
keeps beside the kinds, two kinds on one URL section, a template, sort field, download or reference that names
nothing, a content file outside content/, and the models the generator cannot do without."""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath

import yaml

from ..errors import Location, Problems
from .fields import INVALID, Date, ListOf, MapOf, Number, Record, Ref, Text, did_you_mean
from .load import load_yaml, location


class LocatedDecl(Record):
    """A declaration read as a dict that also keeps where the value of each of its keys is (`at`)."""

    def parse(self, node, cx):
        made = super().parse(node, cx)
        if made is not INVALID:
            made["at"] = {k.value: cx.at(v) for k, v in node.value if isinstance(k, yaml.ScalarNode)}
        return made


# The settings of a field declaration that mean something to some field types only.
APPLIES = {
    "localized": ("text", "prose"),
    "max_len": ("text", "prose"),
    "minimum": ("number",),
    "integer": ("number",),
    "options": ("choice",),
    "to": ("ref",),
    "of": ("list",),
    "min": ("list",),
    "key": ("map",),
    "value": ("map",),
    "source_kinds": ("figure_key",),
}
NEEDS = {"choice": "options", "ref": "to"}


def check_spec(spec: dict, problems: Problems) -> bool:
    """Report a setting given to a field type it means nothing to, and a choice or reference that names nothing to
    choose from; nested declarations (a list's items, a map's keys and values) too. True when there was none."""
    at, kind, ok = spec.get("at", {}), spec["type"], True
    for name, types in APPLIES.items():
        if name in at and kind not in types:
            ok = (
                _error(
                    problems,
                    at[name],
                    f"'{name}' means nothing to a {kind} field",
                    f"'{name}' is for a {' or '.join(types)} field: remove it, or change the type",
                )
                and ok
            )
    need = NEEDS.get(kind)
    if need is not None and not spec.get(need):
        ok = _error(
            problems,
            at.get("type", spec["loc"]),
            f"a {kind} field needs '{need}'",
            "e.g. {type: choice, options: [a, b]}" if kind == "choice" else "e.g. {type: ref, to: sources}",
        )
    for name in ("of", "key", "value"):
        if isinstance(spec.get(name), dict) and name in APPLIES and kind in APPLIES[name]:
            ok = check_spec(spec[name], problems) and ok
    return ok


def _error(problems: Problems, loc: Location, message: str, hint: str = "") -> bool:
    """Report an error; False, for `ok = _error(...) and ok`."""
    problems.error(loc, message, hint)
    return False


def check_rule(rule: dict, fields: dict, problems: Problems) -> None:
    """A rule tests one field, and names only the kind's fields."""
    at = rule["at"]
    test = "when" if rule["when"] else "unless"
    if len(rule[test]) > 1:
        problems.error(
            at[test], f"a rule's '{test}' tests one field, this one {len(rule[test])}", "write one rule per field"
        )
    named = [(test, name) for name in rule[test]] + [
        (key, name) for key in ("require", "forbid", "refuse") for name in rule.get(key) or ()
    ]
    for key, name in named:
        if name not in fields:
            problems.error(
                at[key],
                f"the rule names '{name}', which is not a field here",
                did_you_mean(name, fields) or "name fields declared under 'fields:'",
            )


# What the generator keeps beside the kinds in the content (content.figures, content.records ...): a kind may not be
# named so. The interface strings are content.strings: only the strings kind may be called that.
INTERNAL = ("records", "collections", "editions", "figures", "fingerprints", "edition", "has", "strings")
# The kinds the generator itself reads: the site's settings (its title, date and languages) and the sources that
# every figure cites; and one kind of interface strings.
BUILT_IN = {"site": ("single", ("title", "publisher", "updated", "domain", "languages")), "sources": ("list", ())}


def check_registry(registry, root: Path, problems: Problems) -> None:
    """Report what the models declare that no build could make: see the module's docstring."""
    _check_files(root, problems)
    _check_built_in(registry, problems)
    _check_slots(registry, problems)
    taken, files = _reserved_sections(registry), {}  # type: tuple[dict, dict]
    for kind in registry.kinds:
        _check_names(kind, problems)
        _check_file(kind, root, problems)
        if kind.file in files:
            problems.error(
                kind.at.get("file", Location(kind.source, 1, 1)),
                f"content/{kind.file} is read by {files[kind.file]} already",
                "give each kind its own file",
            )
        files.setdefault(kind.file, f"the kind {kind.name} ({kind.source})")
        if kind.pages is not None:
            _check_pages(kind, root, taken, problems)
        for table in kind.downloads:
            _check_download(kind, table, problems)
        if kind.record is not None:
            _check_refs(kind.record, registry, kind, problems)


def _check_files(root: Path, problems: Problems) -> None:
    """A model file named otherwise than *.yaml would go unread."""
    for path in sorted((root / "models").iterdir()):
        if path.suffix.lower() in (".yml", ".yaml") and path.suffix != ".yaml":
            problems.error(
                Location(f"models/{path.name}"),
                f"'{path.name}' is not read: models are named *.yaml",
                f"rename it to '{path.stem}.yaml'",
            )


def _check_built_in(registry, problems: Problems) -> None:
    """The kinds the generator reads itself, with the fields it reads, and a kind of interface strings."""
    for name, (shape, needed) in BUILT_IN.items():
        kind = registry.by_name.get(name)
        if kind is None or kind.shape != shape:
            loc = Location(kind.source, 1, 1) if kind is not None else Location(f"models/{name}.yaml")
            problems.error(
                loc,
                f"the generator needs a kind '{name}' of shape {shape}",
                f"restore models/{name}.yaml (see models/README.md)",
            )
            continue
        for field in needed:
            if field not in kind.record.fields:
                problems.error(
                    kind.at.get("fields", Location(kind.source, 1, 1)),
                    f"the kind '{name}' needs its field '{field}': the generator reads it",
                    f"restore '{field}:' under 'fields:'",
                )
    if not registry.of_shape("strings"):
        problems.error(
            Location("models/strings.yaml"),
            "the generator needs a kind of shape strings (the interface strings, content/i18n/)",
            "restore models/strings.yaml (see models/README.md)",
        )


def _check_slots(registry, problems: Problems) -> None:
    """Each place in the main navigation is one page's: two on one slot would be ordered by nothing they say."""
    slots = [
        (page.nav, page.loc, f"the {page.name} page (models/pages.yaml)")
        for page in registry.pages
        if page.nav is not None
    ]
    slots += [
        (
            k.pages.nav,
            k.pages.at.get("nav", k.pages.at.get("", Location(k.source, 1, 1))),
            f"the pages of {k.name} ({k.source})",
        )
        for k in registry.kinds
        if k.pages and k.pages.nav is not None
    ]
    taken: dict[int, str] = {}
    for nav, loc, who in sorted(slots, key=lambda slot: (slot[1].source, slot[1].line)):
        if nav in taken:
            free = next(n for n in range(1, len(slots) + 2) if n not in taken and n not in {s[0] for s in slots})
            problems.error(
                loc,
                f"navigation slot {nav} is taken by {taken[nav]}",
                f"give each page its own slot, e.g. {free} (the menu lists them by slot)",
            )
        taken.setdefault(nav, who)


def _check_names(kind, problems: Problems) -> None:
    """A kind is not named like what the content keeps beside the kinds."""
    for key, name in (("kind", kind.name), ("one", kind.one)):
        if name in INTERNAL and not (name == "strings" and kind.shape == "strings"):
            problems.error(
                kind.at.get(key, Location(kind.source, 1, 1)),
                f"'{name}' is a name the generator keeps for itself (content.{name})",
                "name the kind otherwise, e.g. " + ("'my-" + name + "'"),
            )


def _check_file(kind, root: Path, problems: Problems) -> None:
    """The content file (or folder) is a relative path inside content/, and what is there is of the right type."""
    loc = kind.at.get("file", Location(kind.source, 1, 1))
    path = PurePosixPath(kind.file)
    if path.is_absolute() or "\\" in kind.file or ".." in path.parts or not path.parts:
        problems.error(
            loc,
            f"'{kind.file}' is not a path inside content/",
            "write the file's path under content/, e.g. projects.yaml",
        )
        return
    found, folder = root / "content" / kind.file, kind.shape in ("markdown", "strings")
    if found.exists() and found.is_dir() != folder:
        problems.error(
            loc,
            f"content/{kind.file} is a {'file' if folder else 'folder'}: a kind of shape {kind.shape} "
            f"reads a {'folder' if folder else 'file'}",
            "name another, or move what is there",
        )


def _reserved_sections(registry) -> dict[str, str]:
    """The top folders of the site that no kind's section may take, each with what takes it."""
    taken = {code: f"the pages in {lang.english_name}" for code, lang in registry.declared_languages.declared.items()}
    for page in registry.pages:
        top = page.dest.split("/")[0]
        if "." not in top:
            taken[top] = f"the {page.name} page (models/pages.yaml)"
    taken["pagefind"] = "the search index"
    return taken


SECTION = re.compile(r"^(?:[a-z0-9]+(?:-[a-z0-9]+)*)(?:/[a-z0-9]+(?:-[a-z0-9]+)*)*$")


def _check_pages(kind, root: Path, taken: dict, problems: Problems) -> None:
    """A kind's section is a folder of its own (the root only for one record), its templates exist, its pages are
    sorted by a field every item has."""
    pages, at = kind.pages, kind.pages.at
    loc = at.get("section", at.get("", kind.at.get("pages", Location(kind.source, 1, 1))))
    top = pages.section.split("/")[0]
    if pages.section and not SECTION.match(pages.section):
        problems.error(
            loc,
            f"section '{pages.section}' is not a folder name",
            "use lowercase letters, digits and hyphens, e.g. parks",
        )
    elif not pages.section and kind.collection:
        problems.error(
            loc,
            f"the pages of {kind.name} need a folder of their own: the site's root holds the home page",
            f"give them a section such as '{kind.name}'",
        )
    elif top in taken:
        problems.error(
            loc, f"section '{pages.section or '/'}' is taken by {taken[top]}", "give the kind another section"
        )
    taken.setdefault(top, f"the pages of {kind.name} ({kind.source})")
    for key in ("item", "index"):
        name = getattr(pages, key)
        if name is not None and not (root / "templates" / name).is_file():
            problems.error(
                at.get(key, loc), f"no template '{name}' in templates/", f"write templates/{name}, or name another"
            )
    if pages.sort:
        _check_sort(kind, pages.sort.lstrip("-"), at.get("sort", loc), problems)


def _check_sort(kind, name: str, loc: Location, problems: Problems) -> None:
    """Items are sorted by a field every item has, holding text, a date or a number."""
    field = kind.record.fields.get(name) if kind.record is not None else None
    if field is None:
        problems.error(
            loc,
            f"{kind.name} has no field '{name}' to sort by",
            did_you_mean(name, kind.record.fields if kind.record else ()) or "name a field under 'fields:'",
        )
    elif not isinstance(field, (Text, Date, Number)):
        problems.error(
            loc,
            f"{kind.name} cannot be sorted by '{name}': it holds no text, date or number",
            "sort by a text, date or number field, e.g. date",
        )
    elif not field.required:
        problems.error(
            loc,
            f"{kind.name} cannot be sorted by '{name}': an item may leave it out",
            "sort by a field every item has (required), e.g. date",
        )


def _check_download(kind, table, problems: Problems) -> None:
    """A download's rows are the items of a collection, or a map field of one record, keyed by `key`."""
    at = table.at
    if table.rows is not None:
        field = kind.record.fields.get(table.rows)
        if kind.collection:
            problems.error(
                at.get("rows", table.loc),
                f"'rows' is for one record's map of values: {kind.name} is a collection, whose items are the rows",
                "remove 'rows:'",
            )
        elif not isinstance(field, MapOf):
            problems.error(
                at.get("rows", table.loc),
                f"{kind.name} has no map field '{table.rows}' to make rows of",
                did_you_mean(table.rows, kind.record.fields) or "name a field of type map",
            )
    elif table.key is not None and not table.maps:  # with maps, the key is the column of the maps' years
        problems.error(
            at.get("key", table.loc),
            "'key' names the column of a map's keys: it needs 'rows'",
            "remove 'key:', or add 'rows:'",
        )
    if table.sort is not None and table.rows is None:
        _check_sort(kind, table.sort, at.get("sort", table.loc), problems)
    elif table.sort is not None:
        problems.error(at.get("sort", table.loc), "the rows of a map are in the order of their keys", "remove 'sort:'")


def _check_refs(field, registry, kind, problems: Problems, where: dict | None = None) -> None:
    """A reference names a kind of many items (its ids), by the kind's name. Only declared fields are looked at (and
    the items of a declared list or map): the built-in ones, such as a figure's source, refer to sources, which
    check_registry requires."""
    where = getattr(field, "where", where)
    if isinstance(field, Record):
        for child in field.fields.values():
            _check_refs(child, registry, kind, problems)
    elif isinstance(field, ListOf):
        _check_refs(field.item, registry, kind, problems, where)
    elif isinstance(field, MapOf):
        _check_refs(field.value, registry, kind, problems, where)
    elif isinstance(field, Ref) and where is not None:
        target = registry.by_name.get(field.kind)
        if target is None and field.kind in BUILT_IN:  # reported missing
            return
        if target is None or not target.collection or target.name != field.kind:
            names = [k.name for k in registry.kinds if k.collection]
            problems.error(
                where.get("to") or where.get("of") or where.get("value") or where[""],
                f"'{field.kind}' is not a kind of many items"
                if target is not None
                else f"no kind is named '{field.kind}'",
                did_you_mean(field.kind, names) or "refer to a kind of many items, by its name: " + ", ".join(names),
            )


def _site_codes(node: yaml.SequenceNode, declared, problems: Problems) -> list[str]:
    """The language codes content/site.yaml lists that models/languages.yaml declares; each other one reported."""
    codes: list[str] = []
    for item in node.value:
        if isinstance(item, yaml.ScalarNode) and item.value not in declared:
            problems.error(
                location("content/site.yaml", item),
                f"'{item.value}' is not one of: {', '.join(declared)}",
                did_you_mean(item.value, declared) or "declare it in models/languages.yaml (see models/README.md)",
            )
        elif isinstance(item, yaml.ScalarNode):
            codes.append(item.value)
    return codes


def check_site_languages(root: Path, declared, problems: Problems) -> None:
    """The languages content/site.yaml asks for, checked before any content is read, since every record is made for
    them: each declared in models/languages.yaml, and the first the one the texts are written in without a code
    (a text given as a twin in it, 'title_zh' beside 'title', says the order is turned round). Otherwise every text
    of the content would be reported, and the mistake lost among them. Its other mistakes are left to its validation."""
    quiet = Problems()
    if not (root / "content" / "site.yaml").is_file():
        return  # reported where the content is read
    doc = load_yaml(root / "content" / "site.yaml", "content/site.yaml", quiet)
    nodes = (
        dict((k.value, (k, v)) for k, v in doc.root.value if isinstance(k, yaml.ScalarNode))
        if doc is not None and isinstance(doc.root, yaml.MappingNode)
        else {}
    )
    node = nodes.get("languages", (None, None))[1]
    if not isinstance(node, yaml.SequenceNode):
        return
    codes = _site_codes(node, declared, problems)
    base = codes[0] if codes else ""
    twin = next((key for key in nodes if base and key.endswith("_" + base) and key[: -len(base) - 1] in nodes), None)
    if twin is not None:
        order = [code for code in codes if code != base] or [next((c for c in declared if c != base), "")]
        order += [base]
        problems.error(
            location("content/site.yaml", node),
            f"the site's first language is {base}, but its texts are "
            f"written in another: '{twin}' stands beside '{twin[: -len(base) - 1]}'",
            f"the first language is the one the texts are written in without a code: languages: [{', '.join(order)}]",
        )
