"""Read content files into raw documents: YAML node trees with line marks, Markdown bodies."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

if TYPE_CHECKING:
    from yaml import _yaml

from ..errors import Location, Problems

Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# Characters no page, feed or sitemap may hold: control characters (but tab and line breaks), surrogates and
# noncharacters. YAML lets a double-quoted escape ("\x01", "\0") write them; the XML of feed.xml forbids them.
FORBIDDEN = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef"
    + "".join(f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(17))
    + "]"
)
# Bidirectional embeddings, overrides and isolates: an unterminated one reorders the rest of its paragraph
# ("29.66" drawn as "66.92"), in pages, feeds and search results alike (Trojan Source). The marks (U+200E, U+200F,
# U+061C) have no scope and stay allowed.
BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
REFUSED = re.compile(f"{FORBIDDEN.pattern}|{BIDI.pattern}")
FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?\r?\n)?---[ \t]*(?:\r?\n|\Z)", re.S)


@dataclass(frozen=True)
class Document:
    """One content file: its YAML root node and, for Markdown, the body after the front matter."""

    source: str
    text: str
    root: yaml.Node
    body: str = ""
    body_line: int = 1
    line_offset: int = 0  # lines of the file above the YAML text (front matter starts below its '---')


def read_text(path: Path, source: str, problems: Problems) -> str | None:
    """Read a file as UTF-8, reporting bad bytes at their line and column."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        problems.error(
            Location(source, *byte_position(data, exc.start)),
            f"invalid UTF-8 byte 0x{data[exc.start]:02x}",
            "save the file as UTF-8 (in VS Code: 'Save with Encoding' > UTF-8)",
        )
        return None
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip():
        problems.error(Location(source, 1, 1), "the file is empty", "add the content or delete the file")
        return None
    return text


def refused_char(text: str) -> tuple[int, str, str] | None:
    """The first character of a text that no page may hold, as (its offset, the message, a hint), or None: a
    control character or noncharacter, or a bidirectional control (which would reorder what follows it)."""
    bad = REFUSED.search(text)
    if bad is None:
        return None
    char = bad.group()
    if BIDI.match(char):
        return (
            bad.start(),
            f"the text holds U+{ord(char):04X} {unicodedata.name(char)}, a bidirectional control "
            "that would reorder the text after it, figures included",
            "delete it: most editors do not show it, "
            "so retype the text around it; a name in another script needs no control, the pages isolate it",
        )
    return (
        bad.start(),
        f"the text holds the control character U+{ord(char):04X}, which no page or feed may hold",
        "remove it: in double quotes, an escape such as \\x01 or \\0 writes one",
    )


def printable(text: str) -> str:
    """Text without the characters that no page may hold (for text that was never validated: old versions)."""
    return REFUSED.sub("", text)


def byte_position(data: bytes, offset: int) -> tuple[int, int]:
    """The 1-based line and column of a byte offset."""
    return data.count(b"\n", 0, offset) + 1, offset - (data.rfind(b"\n", 0, offset) + 1) + 1


def parse_yaml(text: str, source: str, problems: Problems, line_offset: int = 0) -> yaml.Node | None:
    """Compose YAML into a node tree, reporting tabs, syntax errors and duplicate keys.

    The text starts `line_offset` lines into its file. Node marks stay relative to the text (shifting every
    mark cost a third of loading); locations add the offset when an error is reported."""
    if _report_tabs(text, source, problems, line_offset) or _too_deep(text, source, problems, line_offset):
        return None
    try:
        root = yaml.compose(text, Loader=Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = (exc.problem or exc.context or "invalid YAML").strip()
        line, col = (mark.line, mark.column) if mark else (0, 0)
        if line > text.count("\n"):  # the end of a text without a final line break: PyYAML names the line after it
            line, col = text.count("\n"), len(text) - (text.rfind("\n") + 1)
        loc = Location(source, line + 1 + line_offset, col + 1)
        problems.error(loc, f"YAML syntax: {message}", _syntax_hint(message, exc, line_offset))
        return None
    except yaml.YAMLError as exc:
        problems.error(Location(source, 1 + line_offset, 1), f"YAML: {exc}")
        return None
    if root is None:
        return None
    if "*" not in text:  # no alias: a plain tree, walked without the bookkeeping aliases need
        _walk_tree(root, source, problems, line_offset)
    elif not _check_tree(root, source, problems, line_offset):
        return None
    return root


OPENERS = {
    "flow sequence": "the '[' at line {} is not closed with ']'",
    "flow mapping": "the '{{' at line {} is not closed with '}}'",
    "quoted scalar": "the quote opened at line {} is never closed",
    "block mapping": "check this line's indentation against line {}",
}


def _syntax_hint(message: str, exc: yaml.MarkedYAMLError, line_offset: int) -> str:
    """Suggest a fix for the YAML syntax errors editors make most, pointing back to where the construct began."""
    context, mark = exc.context or "", exc.context_mark
    for construct, hint in OPENERS.items():
        if construct in context and mark is not None and exc.problem_mark and mark.line != exc.problem_mark.line:
            return hint.format(f"{mark.line + 1 + line_offset}, column {mark.column + 1}")
    if "mapping values are not allowed" in message:
        return "a value containing ': ' must be quoted, or the line is indented wrongly"
    if "could not find expected ':'" in message:
        return "each line inside a mapping needs 'key: value'; check the indentation above"
    if "found character '\\t'" in message:
        return "indent with spaces, not tabs"
    if "expected <block end>" in message:
        return "check the indentation of this line against the lines above it"
    if "found undefined alias" in message:
        return "an '*' starts an alias in YAML; quote the value"
    return ""


def _report_tabs(text: str, source: str, problems: Problems, line_offset: int) -> bool:
    """Report tab characters used for indentation, which YAML forbids."""
    if "\t" not in text:
        return False
    found = False
    for n, line in enumerate(text.splitlines(), 1):
        indent = len(line) - len(line.lstrip(" \t"))
        if "\t" in line[:indent]:
            col = line.index("\t") + 1
            problems.error(
                Location(source, n + line_offset, col),
                "tab character in indentation",
                "YAML indents with spaces only: replace the tab with spaces",
            )
            found = True
    return found


MAX_DEPTH = 100  # lists and mappings inside each other (the content needs about 10; libyaml's composer recurses on
# the C stack, and some 20,000 levels kill the process)
DEEP_INDENT = re.compile(r"^ {32}", re.M)  # a block collection on such a line may be more than 64 levels deep
COMPACT_RUN = re.compile(r"(?:[-?:][ \t]+(?:[&!][^ \t\n]*[ \t]+)*){16}")  # '- - - ...': a level for each


def too_deep(text: str) -> yaml.Mark | _yaml.Mark | None:
    """Where YAML text first nests lists and mappings more than MAX_DEPTH deep, or None; read without composing.

    A cheap bound first: a block collection starting at column c is at most 2c + 2 deep (each level moves right,
    but for a list directly under a key), so without a line indented 32 spaces nor a run of 16 compact '- ' or
    '? ' on one line block nesting stays within 80 levels, and flow nesting within the count of '[' and '{'. Only
    text past that bound is walked, as libyaml's parser's events, which keeps no stack of its own."""
    flow = text.count("[") + text.count("{")
    if flow <= MAX_DEPTH - 80 and not DEEP_INDENT.search(text) and not COMPACT_RUN.search(text):
        return None
    depth = 0
    try:
        for event in yaml.parse(text, Loader=Loader):
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    return event.start_mark
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError:
        pass  # composing stops at the same place, no deeper than the parser got: it reports the error
    return None


def _too_deep(text: str, source: str, problems: Problems, line_offset: int) -> bool:
    """Report lists and mappings nested more than MAX_DEPTH deep, at the first one too many."""
    mark = too_deep(text)
    if mark is None:
        return False
    problems.error(
        Location(source, mark.line + 1 + line_offset, mark.column + 1),
        f"the YAML nests too deeply: more than {MAX_DEPTH} lists and mappings inside each other",
        "look for a run of '[', '{' or '- ' that is never closed; the content needs only a few levels",
    )
    return True


MAX_EXPANSION = 100_000  # values that aliases may add to a file beyond its own (an alias bomb adds billions)


def _check_tree(root: yaml.Node, source: str, problems: Problems, line_offset: int) -> bool:
    """Report keys that appear twice in one mapping (PyYAML would silently keep the last), aliases that contain
    themselves, and aliases that multiply a file's values past MAX_EXPANSION; False when the tree cannot be used.

    Each distinct node is walked once (an alias shares its anchor's node), so the walk is linear in the text."""
    sizes: dict[int, int] = {}  # node -> how many values it holds with its aliases expanded
    shared: dict[int, yaml.Node] = {}  # nodes reached more than once: anchors, through their aliases
    open_nodes: set[int] = set()  # nodes being walked: reaching one again means an alias inside itself
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        children = _children(node)
        if done:
            open_nodes.discard(id(node))
            sizes[id(node)] = 1 + sum(sizes[id(child)] for child in children)
            continue
        if id(node) in open_nodes:
            problems.error(
                location(source, node, line_offset),
                "recursive alias: this anchored value contains itself",
                "an '*' alias may only repeat a value defined before it, outside it",
            )
            return False
        if id(node) in sizes:
            shared[id(node)] = node
            continue
        open_nodes.add(id(node))
        stack.append((node, True))
        if isinstance(node, yaml.MappingNode):
            _report_duplicates(node, source, problems, line_offset)
        stack += [(child, False) for child in reversed(children)]
    extra = sizes[id(root)] - len(sizes)
    if extra > MAX_EXPANSION:
        node = max(shared.values(), key=lambda n: sizes[id(n)])
        problems.error(
            location(source, node, line_offset),
            f"aliases repeat this value into {extra:,} more values (at most {MAX_EXPANSION:,})",
            "write the values out, or repeat smaller ones: an '*' alias copies everything under its anchor",
        )
        return False
    return True


def _walk_tree(root: yaml.Node, source: str, problems: Problems, line_offset: int) -> None:
    """Report keys written twice in one mapping, in a tree without aliases."""
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.MappingNode):
            _report_duplicates(node, source, problems, line_offset)
            stack += [value for _, value in node.value]
        elif isinstance(node, yaml.SequenceNode):
            stack += node.value


def _children(node: yaml.Node) -> list[yaml.Node]:
    """The nodes directly under a node: a mapping's values (its keys are scalars here), a list's items."""
    if isinstance(node, yaml.MappingNode):
        return [value for _, value in node.value]
    return node.value if isinstance(node, yaml.SequenceNode) else []


def _report_duplicates(node: yaml.MappingNode, source: str, problems: Problems, line_offset: int) -> None:
    """Report a key written twice in one mapping."""
    first: dict[str, yaml.Node] = {}
    for key, _ in node.value:
        name = key.value if isinstance(key, yaml.ScalarNode) else None
        if name is not None and name in first:
            problems.error(
                location(source, key, line_offset),
                f"duplicate key '{name}'",
                f"'{name}' is already set on line {first[name].start_mark.line + 1 + line_offset}; "
                "YAML would silently keep only the last one: remove or rename one",
            )
        elif name is not None:
            first[name] = key


def location(source: str, node: yaml.Node, line_offset: int = 0) -> Location:
    """The 1-based location of a YAML node in its file, whose text starts `line_offset` lines down."""
    return Location(source, node.start_mark.line + 1 + line_offset, node.start_mark.column + 1)


def load_yaml(path: Path, source: str, problems: Problems, text: str | None = None) -> Document | None:
    """Load one YAML content file (or its text, when already read)."""
    text = text if text is not None else read_text(path, source, problems)
    if text is None:
        return None
    root = parse_yaml(text, source, problems)
    if root is None and not problems.errors:
        problems.error(Location(source, 1, 1), "the file holds only comments", "add the content or delete the file")
    return Document(source, text, root) if root is not None else None


ITEM_STARTS = re.compile(r"\n-(?=[ \t\n]|\Z)")  # after a newline: literal-led, 6x faster than '^' with re.M
PLAIN_LINE = re.compile(r"^\s*(?:#.*)?$")
DOCUMENT_MARK = re.compile(r"\n(?:---|\.\.\.|%)")


def split_items(text: str) -> list[tuple[int, str]] | None:
    """Cut a top-level block list into its items, as (0-based first line, text) pairs, so each can be parsed
    and cached on its own. None when the file is not a plain list (anchors, tags, flow style, documents)."""
    if not plain_list(text):
        return None
    first = [0] if text.startswith("-") and (len(text) == 1 or text[1] in " \t\n") else []
    starts = first + [m.start() + 1 for m in ITEM_STARTS.finditer(text)]
    if not starts or not all(PLAIN_LINE.match(line) for line in text[: starts[0]].splitlines()):
        return None
    chunks, line, previous = [], text.count("\n", 0, starts[0]), starts[0]
    for start, end in zip(starts, starts[1:] + [len(text)]):
        line += text.count("\n", previous, start)
        chunks.append((line, text[start:end]))
        previous = start
    return chunks


def common_ends(a: str, b: str) -> tuple[int, int]:
    """The lengths of the longest common prefix and suffix of two texts (not overlapping in the shorter one).
    Compared a block at a time, then halving, so a one-character edit to a large file costs microseconds."""
    limit = min(len(a), len(b))
    head = _common_length(a, b, limit, lambda x, n, m: x[n:m])
    tail = _common_length(a, b, limit - head, lambda x, n, m: x[len(x) - m : len(x) - n])
    return head, tail


def _common_length(a: str, b: str, limit: int, cut) -> int:
    """How far from one end (prefix: cut(x, n, m) is x[n:m]; suffix: the same counted from the end) a and b
    agree, up to limit."""
    n, block = 0, 4096
    while n < limit and cut(a, n, min(n + block, limit)) == cut(b, n, min(n + block, limit)):
        n = min(n + block, limit)
    if n == limit:
        return n
    lo, hi = n, min(n + block, limit)  # the first difference is in [lo, hi): halve towards it
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if cut(a, lo, mid) == cut(b, lo, mid):
            lo = mid
        else:
            hi = mid
    return lo if cut(a, lo, lo + 1) != cut(b, lo, lo + 1) else hi


def plain_list(text: str) -> bool:
    """No anchor, alias or tag (an '&', '*' or '!' starting a value) and no document markers, which would tie
    items together. Literal searches instead of one regular expression with '^' alternatives: 50x faster on a
    3 MB file."""
    if text.startswith(("---", "...", "%")) or DOCUMENT_MARK.search(text):
        return False
    for mark in "&*!":
        at = text.find(mark)
        while at != -1:
            follows = text[at + 1 : at + 2]
            if (follows.isalnum() or follows == "_") and (at == 0 or text[at - 1] in " \t\r\n:[{,-"):
                return False
            at = text.find(mark, at + 1)
    return True


def load_markdown(path: Path, source: str, problems: Problems) -> Document | None:
    """Load one Markdown file with its YAML front matter between '---' lines."""
    text = read_text(path, source, problems)
    if text is None:
        return None
    match = FRONT_MATTER.match(text)
    if not match:
        hint = (
            "close the front matter with a line of three dashes: ---"
            if text.startswith("---")
            else "start the file with '---', the title, date, summary and sources, then '---'"
        )
        problems.error(Location(source, 1, 1), "missing or unclosed front matter", hint)
        return None
    front = match.group(1) or ""
    if not front.strip():
        problems.error(
            Location(source, 2, 1),
            "the front matter is empty",
            "add title, date, summary and sources between the '---' lines",
        )
        return None
    root = parse_yaml(front, source, problems, line_offset=1)
    if root is None:
        return None
    body_line = text.count("\n", 0, match.end()) + 1
    return Document(source, text, root, body=text[match.end() :], body_line=body_line, line_offset=1)
