"""Declarative field types: each parses a YAML node with precise errors and describes itself as JSON Schema."""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from sys import intern
from typing import Any, Callable, Protocol
from urllib.parse import urlsplit

import yaml

from ..errors import Location, Problems
from .load import location, refused_char
from .prose import TIME_WORD_HINT, TimeWords

INVALID: Any = type("Invalid", (), {"__repr__": lambda self: "INVALID", "__bool__": lambda self: False})()
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
TAG = "tag:yaml.org,2002:"
# Short values (ids, units, dates, statuses) recur thousands of times across items: one string object each keeps
# the content, and the cache that stores it, smaller and faster to pickle.
SHORT = 64


@functools.lru_cache(maxsize=4096)
def _decimal(raw: str) -> Decimal:
    """A number as an exact Decimal, one object per spelling (Decimals are immutable)."""
    return Decimal(raw)


@dataclass(frozen=True)
class Cx:
    """What a field needs while parsing: the file it reads, where problems go, references to check later."""

    source: str
    problems: Problems
    refs: list = field(default_factory=list)
    line_offset: int = 0  # lines above the parsed text in its file (a list item, front matter)

    def at(self, node: yaml.Node, offset: int = 0) -> Location:
        """Where a node is in the file; with `offset`, where that character of a one-line scalar's value is."""
        loc = location(self.source, node, self.line_offset)
        if offset and node.start_mark.line == node.end_mark.line:
            quoted = getattr(node, "style", None) in ("'", '"')
            return Location(loc.source, loc.line, loc.col + offset + quoted)
        return loc

    def error(self, node: yaml.Node, message: str, hint: str = "", offset: int = 0) -> Any:
        """Report an error at a node (at a character of its value, with `offset`) and return INVALID."""
        self.problems.error(self.at(node, offset), message, hint)
        return INVALID


# A reference to another item by id, resolved once every file is parsed: (kind, id, file, line, column).
# A plain tuple: the cache keeps one per reference (50,000 at 10,000 projects), and tuples pickle 5x faster.
RefValue = tuple[str, str, str, int, int]


def yaml_reading(node: yaml.Node) -> tuple[str, str]:
    """Say what YAML made of an unquoted scalar, and how to get text instead."""
    raw, tag = node.value, node.tag.removeprefix(TAG)
    quote = f"quote it: '{raw}'" if "'" not in raw else f'quote it: "{raw}"'
    if tag == "bool":
        word = "true" if raw.lower() in ("yes", "y", "on", "true") else "false"
        return f"`{raw}` is read by YAML as {word}", quote
    if tag == "int" and len(raw) > 24:  # its value, printed, could run to thousands of digits
        return f"`{_cut(raw)}` is read by YAML as a whole number", quote
    if tag == "int" and ":" in raw:
        return f"`{raw}` is read by YAML as the base-60 number {_int(raw)}", quote
    if tag == "int" and re.match(r"^[-+]?0[0-7_]+$", raw):
        return f"`{raw}` is read by YAML as the octal number {_int(raw)}", quote
    if tag == "timestamp":
        return f"`{raw}` is read by YAML as a date", quote
    if tag == "null":
        return ("an empty value" if not raw else f"`{raw}` is read by YAML as empty (null)"), "fill in the value"
    names = {"int": "a whole number", "float": "a number"}
    return f"`{raw}` is read by YAML as {names.get(tag, tag)}", quote


def _int(raw: str) -> int:
    """Evaluate an int scalar the way YAML 1.1 does (octal, base 60)."""
    return yaml.safe_load(raw)


def _kind(node: yaml.Node) -> str:
    """Name the shape of a node for 'expected X, got Y' messages."""
    if isinstance(node, yaml.MappingNode):
        return "a mapping (key: value lines)"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    return yaml_reading(node)[0] if node.tag != TAG + "str" else f"the text '{node.value}'"


class Field:
    """Base of every field type; `help` documents it in errors and in the JSON Schema."""

    expected = "a value"
    localized = False  # a text with a twin per language of the site (label_zh beside label), as models/ declares
    names = ""  # a figure field's: the interface string naming its figures where they have no label
    where: dict  # where its model declares it and its settings: set by the model reader on declared fields only

    def __init__(self, help: str = "", required: bool = True, default: Any = None):
        self.help, self.required, self.default = help, required, default

    def parse(self, node: yaml.Node, cx: Cx) -> Any:
        """Turn a node into a value, or report and return INVALID."""
        raise NotImplementedError

    def json_schema(self) -> dict:
        """Describe the accepted values as JSON Schema."""
        raise NotImplementedError

    def _described(self, schema: dict) -> dict:
        return {"description": self.help, **schema} if self.help else schema

    def wrong(self, node: yaml.Node, cx: Cx, hint: str = "") -> Any:
        """Report 'expected X, got Y' with the YAML trap explained when there is one."""
        got = _kind(node)
        if not hint and isinstance(node, yaml.ScalarNode) and node.tag != TAG + "str":
            hint = yaml_reading(node)[1]
        return cx.error(node, f"expected {self.expected}, got {got}", hint)


class Text(Field):
    """A non-empty string; unquoted values that YAML reads as something else are rejected."""

    expected = "text"

    def __init__(self, help: str = "", required: bool = True, default: Any = None, max_len: int = 0):
        super().__init__(help, required, default)
        self.max_len = max_len

    def parse(self, node, cx):
        if not isinstance(node, yaml.ScalarNode) or node.tag != TAG + "str":
            return self.wrong(node, cx)
        value = " ".join(node.value.split()) if "\n" in node.value and node.style in (None, "'", '"') else node.value
        value = value.strip()
        if not value:
            return cx.error(node, f"expected {self.expected}, got an empty string", "fill in the value")
        bad = refused_char(value)
        if bad:
            return cx.error(node, *bad[1:])
        if self.max_len and len(value) > self.max_len:
            return cx.error(
                node,
                f"too long: {len(value)} characters, at most {self.max_len}",
                "shorten it; search engines cut longer text",
            )
        return self.check(intern(value) if len(value) <= SHORT else value, node, cx)

    def check(self, value: str, node: yaml.Node, cx: Cx) -> Any:
        """Validate the string further; subclasses narrow it."""
        return value

    def json_schema(self):
        schema = {"type": "string", "minLength": 1}
        if self.max_len:
            schema["maxLength"] = self.max_len
        return self._described(schema)


class Prose(Text):
    """Text we write in sentences (summaries, notes, captions): a word such as 'latest' or 'now' must come with the
    year it holds for, since the page is read long after it is written. `words` are the time-relative words of the
    declared languages (set when a field is made for a site: kinds.for_site)."""

    words: TimeWords | None = None

    def check(self, value, node, cx):
        for offset, word in self.words.find(value) if self.words is not None else ():
            cx.error(node, f"time-relative word '{word}' without a year", TIME_WORD_HINT, offset=offset)
        return value


class Flag(Field):
    """true or false."""

    expected = "true or false"

    def parse(self, node, cx):
        if not isinstance(node, yaml.ScalarNode) or node.tag != "tag:yaml.org,2002:bool":
            return self.wrong(node, cx, "write true or false")
        return node.value.lower() in ("true", "yes", "on", "y")

    def json_schema(self):
        return self._described({"type": "boolean"})


class Slug(Text):
    """An id or URL segment: lowercase letters, digits and single hyphens."""

    expected = "an id of lowercase letters, digits and hyphens"

    def check(self, value, node, cx):
        if not SLUG.match(value):
            return cx.error(
                node, f"'{value}' is not a valid id: use only a-z, 0-9 and single hyphens", f"try '{slugify(value)}'"
            )
        return value

    def json_schema(self):
        return self._described({"type": "string", "pattern": SLUG.pattern})


def slugify(text: str) -> str:
    """Make a valid slug from any text."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "item"


class Hostname(Text):
    """A bare host name such as jiangyin.example.org: no scheme, no path."""

    expected = "a host name"
    pattern = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")

    def check(self, value, node, cx):
        if not self.pattern.match(value):
            parts = split_url(value if "//" in value else "//" + value)
            host = (parts.hostname or "") if parts else ""
            return cx.error(
                node,
                f"'{value}' is not a host name",
                f"write only the host name, e.g. '{host}'"
                if host and self.pattern.match(host)
                else "write a host name such as data.example.org",
            )
        return value

    def json_schema(self):
        return self._described({"type": "string", "pattern": self.pattern.pattern})


def split_url(value: str):
    """urlsplit(value), or None for what it refuses to split (an unclosed '[' in the host: 'https://[x/')."""
    try:
        return urlsplit(value)
    except ValueError:
        return None


URL_UNSAFE = re.compile(r'[\s"<>\\^`{|}]')  # never in an address as written in HTML, XML or a sitemap


class Url(Text):
    """An absolute http(s) URL."""

    expected = "an http(s) URL"

    def check(self, value, node, cx):
        parts = split_url(value)
        if parts is None or parts.scheme not in ("http", "https") or not parts.netloc or URL_UNSAFE.search(value):
            return cx.error(
                node, f"'{value}' is not an http(s) URL", "write the full address, starting with https:// or http://"
            )
        return value

    def json_schema(self):
        return self._described({"type": "string", "pattern": r"^https?://[^\s/]+\S*$"})


class Choice(Text):
    """One of a fixed set of words."""

    def __init__(self, options: tuple[str, ...], help: str = "", required: bool = True, default: Any = None):
        super().__init__(help, required, default)
        self.options = options
        self.expected = "one of " + ", ".join(options)

    def check(self, value, node, cx):
        if value not in self.options:
            return cx.error(
                node, f"'{value}' is not one of: {', '.join(self.options)}", did_you_mean(value, self.options)
            )
        return value

    def json_schema(self):
        return self._described({"enum": list(self.options)})


class Ref(Slug):
    """The id of an item of another kind; checked once all files are read."""

    def __init__(self, kind: str, help: str = "", required: bool = True):
        super().__init__(help, required)
        self.kind = kind
        self.expected = f"the id of an item in {kind}"

    def check(self, value, node, cx):
        value = super().check(value, node, cx)
        if value is not INVALID:
            loc = cx.at(node)
            cx.refs.append((self.kind, value, loc.source, loc.line, loc.col))
        return value


class FigureKey(Text):
    """The global key of a figure, such as profile.gdp.2022; checked once every figure is known. With
    `source_kinds`, the figure must cite a source of one of those kinds (content.provenance checks it)."""

    source_kinds: tuple[str, ...] = ()

    def check(self, value, node, cx):
        loc = cx.at(node)
        cx.refs.append(("figures", value, loc.source, loc.line, loc.col))
        return value


MAX_DIGITS, MAX_DECIMALS = 15, 9  # bounds every figure fits in, so arithmetic on it stays exact and quick


def _cut(raw: str) -> str:
    """A long scalar shortened for a message."""
    return raw if len(raw) <= 24 else raw[:20] + "…"


class Number(Field):
    """A non-negative decimal number, kept exact."""

    expected = "a number"

    def __init__(
        self, help: str = "", required: bool = True, default: Any = None, integer: bool = False, minimum: int = 0
    ):
        super().__init__(help, required, default)
        self.integer, self.minimum = integer, minimum
        if integer:
            self.expected = "a whole number"

    def parse(self, node, cx):
        if not isinstance(node, yaml.ScalarNode) or node.tag not in (TAG + "int", TAG + "float"):
            hint = "write the number without quotes, e.g. 217" if getattr(node, "tag", "") == TAG + "str" else ""
            return self.wrong(node, cx, hint)
        raw = node.value.replace("_", "")
        if ":" in raw or re.match(r"^[-+]?0[0-9]", raw):
            reading = yaml_reading(node)[0]
            return cx.error(node, f"ambiguous number: {reading}", "write it without leading zeros or colons")
        try:
            value = _decimal(raw)
        except InvalidOperation:
            return cx.error(node, f"expected a number, got '{node.value}'")
        if not value.is_finite():
            return cx.error(node, f"expected a finite number, got '{node.value}'")
        if value and value.adjusted() >= MAX_DIGITS:
            return cx.error(
                node,
                f"the number {_cut(node.value)} is too large: at most {MAX_DIGITS} digits before the decimal point",
                "write a smaller value with a scale, e.g. value: 1.5 and scale: trillion",
            )
        exponent = value.normalize().as_tuple().exponent  # an int: the number is finite
        if value and isinstance(exponent, int) and exponent < -MAX_DECIMALS:
            return cx.error(
                node,
                f"the number {_cut(node.value)} has more than {MAX_DECIMALS} digits after the decimal point",
                "round it as the source does",
            )
        if value < self.minimum:
            word = "negative" if self.minimum == 0 else f"below {self.minimum}"
            return cx.error(node, f"{word} value {node.value}", f"the value must be at least {self.minimum}")
        if self.integer and value != value.to_integral_value():
            return cx.error(node, f"expected a whole number, got {node.value}")
        return int(value) if self.integer else value

    def json_schema(self):
        return self._described({"type": "integer" if self.integer else "number", "minimum": self.minimum})


class Year(Number):
    """A calendar year such as 2023."""

    expected = "a year such as 2023"

    def __init__(self, help: str = "", required: bool = True, default: Any = None):
        super().__init__(help, required, default, integer=True, minimum=1000)
        self.expected = "a year such as 2023"

    def parse(self, node, cx):
        if isinstance(node, yaml.ScalarNode) and node.tag == TAG + "str" and node.value.isdigit():
            return cx.error(node, f"expected {self.expected}, got the text '{node.value}'", "remove the quotes")
        value = super().parse(node, cx)
        if value is not INVALID and value > 2100:
            return cx.error(node, f"{value} is not a plausible year", "write a four-digit year such as 2023")
        return value

    def json_schema(self):
        return self._described({"type": "integer", "minimum": 1000, "maximum": 2100})


DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
PERIOD = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$")


class Date(Field):
    """A calendar date, YYYY-MM-DD, quoted or not."""

    expected = "a date written YYYY-MM-DD"
    pattern = DATE

    def parse(self, node, cx):
        if not isinstance(node, yaml.ScalarNode) or node.tag not in (TAG + "str", TAG + "timestamp", TAG + "int"):
            return self.wrong(node, cx)
        value = node.value.strip()
        if not self.pattern.match(value):
            return cx.error(node, f"expected {self.expected}, got '{value}'", "for example 2023-10-28")
        try:
            dt.date.fromisoformat({4: value + "-01-01", 7: value + "-01"}.get(len(value), value))
        except ValueError:
            return cx.error(node, f"'{value}' is not a real date", "check the month and day")
        return intern(value)

    def json_schema(self):
        return self._described({"type": "string", "pattern": self.pattern.pattern})


class Period(Date):
    """A year, month or day a figure holds for: 2022, 2023-03 or 2023-10-28."""

    expected = "a year, YYYY-MM or YYYY-MM-DD"
    pattern = PERIOD

    def json_schema(self):
        return self._described(
            {
                "anyOf": [
                    {"type": "integer", "minimum": 1000, "maximum": 2100},
                    {"type": "string", "pattern": self.pattern.pattern},
                ]
            }
        )


class ListOf(Field):
    """A list whose items share one field type."""

    def __init__(self, item: Field, help: str = "", required: bool = True, min_items: int = 0, default: Any = ()):
        super().__init__(help, required, default)
        self.item, self.min_items = item, min_items
        self.expected = "a list"

    def parse(self, node, cx):
        if not isinstance(node, yaml.SequenceNode):
            return self.wrong(node, cx, "start each item on its own line with '- '")
        if len(node.value) < self.min_items:
            return cx.error(node, f"expected at least {self.min_items} item(s), got {len(node.value)}")
        items = [self.item.parse(child, cx) for child in node.value]
        return INVALID if any(i is INVALID for i in items) else tuple(items)

    def json_schema(self):
        schema: dict[str, Any] = {"type": "array", "items": self.item.json_schema()}
        if self.min_items:
            schema["minItems"] = self.min_items
        return self._described(schema)


class MapOf(Field):
    """A mapping whose keys share one field type and whose values share another."""

    expected = "a mapping (key: value lines)"

    def __init__(self, key: Field, value: Field, help: str = "", required: bool = True, default: Any = None):
        super().__init__(help, required, default if default is not None else {})
        self.key, self.value = key, value

    def parse(self, node, cx):
        if not isinstance(node, yaml.MappingNode):
            return self.wrong(node, cx)
        out: dict = {}
        written: dict = {}
        ok = True
        for knode, vnode in node.value:
            k, v = self.key.parse(knode, cx), self.value.parse(vnode, cx)
            ok = ok and k is not INVALID and v is not INVALID
            if k is not INVALID and k in written:  # `2006.0` or `2_006` beside `2006`; `'x '` beside `x`
                first = written[k]
                cx.error(
                    knode,
                    f"duplicate key '{knode.value}': it reads as '{k}', already set on line "
                    f"{cx.at(first).line} as '{first.value}'",
                    "remove or rename one: only one value can be kept",
                )
                ok = False
            elif k is not INVALID:
                written[k] = knode
            out[k] = v
        return out if ok else INVALID

    def json_schema(self):
        key = self.key.json_schema()
        if "pattern" in key:
            names = {"type": "string", "pattern": key["pattern"]}
        elif "enum" in key:  # a choice: a project's stages
            names = {"type": "string", "enum": key["enum"]}
        else:
            names = {"type": "string", "pattern": r"^\d{4}$"}
        return self._described(
            {"type": "object", "propertyNames": names, "additionalProperties": self.value.json_schema()}
        )


class Record(Field):
    """A mapping with known keys; builds `cls(**values, loc=...)`; unknown keys get a did-you-mean. `fold`, when set,
    reshapes the values once they are valid, before the object is built (kinds.Twins.fold gathers a text's twins)."""

    fold: Callable[[dict], dict] | None = None
    _citing_fields: tuple[tuple[str, Field], ...]  # its fields that can cite a source (content.provenance's memo)

    expected = "a mapping (key: value lines)"

    def __init__(
        self,
        cls: Callable,
        fields: dict[str, Field],
        help: str = "",
        required: bool = True,
        title: str = "",
        rules: tuple[Rule, ...] = (),
    ):
        super().__init__(help, required)
        self.cls, self.fields, self.title, self.rules = cls, fields, title, rules

    def parse(self, node, cx):
        if not isinstance(node, yaml.MappingNode):
            return self.wrong(node, cx)
        values, ok, seen, meant = {}, True, set(), set()
        for knode, vnode in node.value:
            key = knode.value if isinstance(knode, yaml.ScalarNode) else None
            if key not in self.fields:
                close = closest(str(key), self.fields)
                meant.add(close)
                base, _, lang = str(key).rpartition("_")
                twin = getattr(self.fields.get(base), "localized", False)
                cx.error(
                    knode,
                    f"unknown key '{key}'",
                    f"the site's languages do not include {lang}: add it to 'languages' in content/site.yaml"
                    if twin
                    else f"did you mean '{close}'?"
                    if close
                    else "allowed keys: " + ", ".join(self.fields),
                )
                ok = False
                continue
            key = intern(key)  # one shared string per field name: the parser makes a new one for every key it
            # reads, and an item keeps its keys (10 MB over 10,000 projects)
            seen.add(key)
            values[key] = self.fields[key].parse(vnode, cx)
            ok = ok and values[key] is not INVALID
        for name, spec in self.fields.items():
            if name in seen:
                continue
            if spec.required and name not in meant:
                cx.error(
                    node,
                    f"missing required key '{name}'" + (f" ({spec.help})" if spec.help else ""),
                    f"add a line '{name}: ...'",
                )
                ok = False
            else:
                values[name] = spec.default
        if ok:
            keys = Given(node, seen)
            for rule in self.rules:
                ok = rule.check(values, keys, node, cx) and ok
        if ok and self.fold is not None:
            values = self.fold(values)
        return self.cls(**values, loc=cx.at(node)) if ok else INVALID

    def json_schema(self):
        schema = {
            "type": "object",
            "additionalProperties": False,
            "properties": {k: f.json_schema() for k, f in self.fields.items()},
            "required": [k for k, f in self.fields.items() if f.required],
        }
        if self.title:
            schema["title"] = self.title
        if any(made := [rule.json_schema() for rule in self.rules]):
            schema["allOf"] = [rule for rule in made if rule]
        return self._described(schema)


class Given:
    """The keys a mapping gives, for a rule: `name in given`, and `given[name]`, its (key, value) nodes, which are
    looked up only when a rule reports one."""

    def __init__(self, node: yaml.MappingNode, names: set[str]):
        self.node, self.names = node, names

    def __contains__(self, name: str) -> bool:
        return name in self.names

    def __getitem__(self, name: str) -> tuple[yaml.Node, yaml.Node]:
        for knode, vnode in self.node.value:
            if isinstance(knode, yaml.ScalarNode) and knode.value == name:
                return knode, vnode
        raise KeyError(name)


class Rule(Protocol):
    """A rule across a record's fields (When, and the kinds' own): reports what breaks it, and says it as JSON
    Schema."""

    def check(self, values: dict, keys: Given, node: yaml.Node, cx: Cx) -> bool: ...

    def json_schema(self) -> dict: ...


@dataclass(frozen=True)
class When:
    """A rule across a record's fields: when `field` is one of `values` (or, with `negate`, none of them), the keys
    in `require` must be given, those in `forbid` must not, and `refuse` maps a key to values it may not take."""

    field: str
    values: tuple[str, ...]
    require: tuple[str, ...] = ()
    forbid: tuple[str, ...] = ()
    refuse: tuple[tuple[str, tuple[str, ...]], ...] = ()
    hint: str = ""
    negate: bool = False

    def applies(self, value) -> bool:
        """Whether the rule holds for a record whose `field` has this value."""
        return (value in self.values) != self.negate

    def _case(self) -> str:
        """'unit is rank' or 'unit is not percent-change', for messages."""
        return f"{self.field} is {'not ' if self.negate else ''}{' or '.join(self.values)}"

    def check(self, values: dict, keys: Given, node: yaml.Node, cx: Cx) -> bool:
        """Report every key the rule requires, forbids or refuses; True when there was nothing to report. `keys`
        maps each key given to its (key, value) nodes."""
        if not self.applies(values.get(self.field)):
            return True
        ok = True
        missing = [name for name in self.require if values.get(name) in (None, ())]
        if missing:
            names = " and ".join(f"'{name}'" for name in missing)
            ok = cx.error(
                node,
                f"missing key{'s' * (len(missing) > 1)} {names}: required when {self._case()}",
                self.hint or f"add a line '{missing[0]}: ...'",
            )
        for name in self.forbid:
            if name in keys:
                ok = cx.error(
                    keys[name][0],
                    f"'{name}' is only for a record whose {self.field} is "
                    f"{'' if self.negate else 'not '}{' or '.join(self.values)}",
                    self.hint or f"remove the line '{name}: ...'",
                )
        for name, bad in self.refuse:
            if values.get(name) in bad:
                ok = cx.error(
                    keys[name][1] if name in keys else node,
                    f"{name} '{values[name]}' is not allowed when {self._case()}",
                    self.hint,
                )
        return ok is True

    def json_schema(self) -> dict:
        """The rule as JSON Schema if/then, so editors flag it as they type."""
        match = {"enum": list(self.values)}
        then: dict = {}
        if self.require:
            then["required"] = list(self.require)
        props: dict[str, Any] = {name: False for name in self.forbid}
        props |= {name: {"not": {"enum": list(bad)}} for name, bad in self.refuse}
        if props:
            then["properties"] = props
        cond = {"properties": {self.field: {"not": match} if self.negate else match}, "required": [self.field]}
        return {"if": cond, "then": then}


@dataclass(frozen=True)
class KeysWithin:
    """A rule across a record's fields: every key of the map `field` is one of the values of the list `among` (a
    project's stage_dates name stages in its status)."""

    field: str
    among: str

    def check(self, values: dict, keys: Given, node: yaml.Node, cx: Cx) -> bool:
        """Report each key of the map that the list does not hold, at that key."""
        allowed = values.get(self.among) or ()
        ok = True
        for key in values.get(self.field) or {}:
            if key not in allowed:
                given = keys[self.field][1]
                at = next((k for k, _ in getattr(given, "value", ()) if getattr(k, "value", None) == str(key)), given)
                ok = cx.error(
                    at,
                    f"'{key}' is not in {self.among}: {self.field} gives dates only to what {self.among} lists",
                    f"add '{key}' to {self.among}, or remove the line",
                )
        return ok is True

    def json_schema(self) -> dict:
        return {}  # JSON Schema cannot compare one property's keys with another's items


def closest(word: str, options) -> str | None:
    """The allowed word closest to word, if any is close."""
    import difflib  # here: only a mistake needs it

    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return close[0] if close else None


def did_you_mean(word: str, options) -> str:
    """Suggest the closest allowed word, if any is close."""
    close = closest(word, options)
    return f"did you mean '{close}'?" if close else ""
