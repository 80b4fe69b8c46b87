"""The placeholders the templates give the interface strings they fill, read from the templates themselves: a string
filled with `t.KEY|replace("{n}", ...)` or `t.KEY.format(n=...)` may name only those. A misspelled one ('{yaer}')
would otherwise be shown as it is, on pages that only some content makes (a second index page), in any language."""

from __future__ import annotations

import functools
import string
from dataclasses import dataclass

import jinja2
from jinja2 import nodes

from ..content.validate import fingerprint


@dataclass(frozen=True)
class Use:
    """One place a template fills a string: the string's key, the placeholders it gives, where."""

    key: str
    given: frozenset[str]
    template: str
    line: int


def filled_strings(env: jinja2.Environment, memo: dict | None = None) -> list[Use]:
    """Every place a template fills an interface string with |replace or .format, in the templates' order (a
    template that does not parse is left to the template check); `memo`: each template's, by its text, kept from
    the last build's state (a command-line build would otherwise parse every template again)."""
    memo = {} if memo is None else memo
    uses: list[Use] = []
    assert env.loader is not None  # the renderer's environment loads the templates folder
    for name in sorted(env.list_templates(filter_func=lambda n: not n.startswith(".") and n.endswith(".html"))):
        try:
            source = env.loader.get_source(env, name)[0]
        except (jinja2.TemplateError, UnicodeDecodeError):
            continue
        key = fingerprint("template uses", name, source)
        found = memo.get(key)
        if found is None:
            found = memo[key] = _template_uses(name, source)
        uses += found
    return uses


PARSER = jinja2.Environment(trim_blocks=True, lstrip_blocks=True)  # the templates' syntax, to read them


@functools.lru_cache(maxsize=256)
def _template_uses(name: str, source: str) -> tuple[Use, ...]:
    """The uses in one template's text (parsed once per text: each language's renderer asks, and the preview's
    every build)."""
    try:
        tree = PARSER.parse(source, name)
    except jinja2.TemplateError:
        return ()
    uses: list[Use] = []
    inner: set[int] = set()  # the filters of a |replace chain below its last: the chain is one use
    for node in tree.find_all((nodes.Filter, nodes.Call)):
        if isinstance(node, nodes.Filter) and node.name == "replace":
            inner.add(id(node.node))
            if id(node) in inner:
                continue
        uses += _uses(node, name)
    return tuple(uses)


def _uses(node: nodes.Node, template: str) -> list[Use]:
    """The strings a |replace chain or a .format call fills, with the placeholders it gives."""
    if isinstance(node, nodes.Call) and isinstance(node.node, nodes.Getattr) and node.node.attr == "format":
        given = frozenset(k.key for k in node.kwargs)
        return [Use(key, given, template, node.lineno) for key in _keys(node.node.node)]
    if not isinstance(node, nodes.Filter) or node.name != "replace":
        return []
    replaced: set[str] = set()
    inner: nodes.Node | None = node
    while isinstance(inner, nodes.Filter) and inner.name == "replace":
        if inner.args and isinstance(inner.args[0], nodes.Const) and isinstance(inner.args[0].value, str):
            replaced.add(inner.args[0].value.strip("{}"))
        inner = inner.node
    if inner is None:
        return []
    return [Use(key, frozenset(replaced), template, inner.lineno) for key in _keys(inner)]


def _keys(node: nodes.Node) -> list[str]:
    """The key of `t.KEY` or `t["KEY"]`, or the keys of either branch of `A if C else B`; none for anything else."""
    if isinstance(node, nodes.CondExpr):
        return _keys(node.expr1) + (_keys(node.expr2) if node.expr2 is not None else [])
    if isinstance(node, nodes.Getattr) and isinstance(node.node, nodes.Name) and node.node.name == "t":
        return [node.attr]
    if (
        isinstance(node, nodes.Getitem)
        and isinstance(node.node, nodes.Name)
        and node.node.name == "t"
        and isinstance(node.arg, nodes.Const)
        and isinstance(node.arg.value, str)
    ):
        return [node.arg.value]
    return []


def unknown_placeholders(text: str, given: frozenset[str]) -> list[str]:
    """The placeholders a string names that its use does not give (a stray brace is left to .format's check)."""
    try:
        found = [name for _, name, _, _ in string.Formatter().parse(text) if name is not None]
    except ValueError:
        return []
    return list(dict.fromkeys(name for name in found if name not in given))


def check_filled(env: jinja2.Environment, strings: dict, where, problems, memo: dict | None = None) -> None:
    """Report a string that names a placeholder a template filling it does not give, at the string (`where(key)`);
    once per string and placeholder (`memo`: see filled_strings)."""
    seen = set()
    for use in filled_strings(env, memo):
        text = strings.get(use.key) if use.key in strings else None
        for name in unknown_placeholders(text, use.given) if isinstance(text, str) else ():
            if (use.key, name) not in seen:
                seen.add((use.key, name))
                can = ", ".join("{" + n + "}" for n in sorted(use.given)) or "none"
                problems.error(
                    where(use.key),
                    f"string '{use.key}' has the unknown placeholder {{{name}}}",
                    f"placeholders it can use: {can} (used at templates/{use.template}:{use.line})",
                )
