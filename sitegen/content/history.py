"""The committed history of content/, read from git: for each publish date (the committer date of the commits that
touched content/, in the order they were made), the figures whose value, qualifier, as-of date or source changed,
the figures added to and removed from items that stayed, the items added and removed, the sources added, and the
other edits counted by kind. Old versions of a file are read leniently from their raw YAML, by the shapes the
registry declares (figure fields, named figures, figure maps; items by id), since they need not validate against
today's models. Nothing here fails a build: without git, outside a repository or in a shallow clone the history is
unavailable, and says why. Only commits count: edits not yet committed are not history.

Two git processes per reading, whatever the length of the history: one `git log --raw` for every commit's changed
blobs, one `git cat-file --batch` for the file versions compared; `head()` (one `git rev-parse`) keys the result,
so a build at the same commit reads nothing again."""
from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cached_property
from pathlib import Path

import yaml

from ..errors import Problems
from .kinds import Kind, Registry
from .load import FRONT_MATTER, parse_yaml
from .model import Figure

FOLDER = "content"
VALUE = ("value", "unit", "scale", "qualifier", "basis", "shared_with", "shared_with_zh")  # what its value shows
DATA = (*VALUE, "as_of", "source")  # a figure's data; its other fields (label, note ...) are text
TIMEOUT = 60  # seconds a git process may take before the history is given up as unavailable


@dataclass(frozen=True)
class FigureChange:
    """A figure's data before and after (None when it did not exist), and which of value, as_of and source changed."""

    key: str
    old: Figure | None
    new: Figure | None
    fields: tuple[str, ...] = ()


@dataclass(frozen=True)
class ItemChange:
    """An item added or removed: its kind, id, and its names by language as the file gave them."""

    kind: str
    id: str
    names: tuple[tuple[str, str], ...] = ()

    def name(self, lang: str) -> str:
        """Its name in a language, else in English, else its id."""
        names = dict(self.names)
        return names.get(lang) or names.get("en") or self.id


@dataclass(frozen=True)
class Entry:
    """What one publish date changed. `first` (the first publication) counts what it brought instead: (kind,
    items) pairs and ("figures", n)."""

    date: str
    anchor: str  # its id on the changes page: change-2026-11-30 (change-2026-11-30-2 when a date comes back)
    commits: tuple[str, ...]
    figures: tuple[FigureChange, ...] = ()
    figures_added: tuple[FigureChange, ...] = ()
    figures_removed: tuple[FigureChange, ...] = ()
    added: tuple[ItemChange, ...] = ()
    removed: tuple[ItemChange, ...] = ()
    sources: tuple[ItemChange, ...] = ()
    edits: tuple[tuple[str, int], ...] = ()  # (kind, how many of its items had other edits), in the kinds' order
    first: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True)
class History:
    """The changes of content/ by publish date, newest first, as of one commit (`key`: HEAD and the project's
    folder in the repository). Without a key it is unavailable, for `reason`."""

    key: str = ""
    entries: tuple[Entry, ...] = ()
    reason: str = ""

    @property
    def available(self) -> bool:
        """Whether git gave a history (it may still hold no entry)."""
        return bool(self.key)

    @cached_property
    def marks(self) -> dict[str, Entry]:
        """Each figure's latest change (of value, qualifier, as-of date or source), by figure key."""
        found: dict[str, Entry] = {}
        for entry in self.entries:  # newest first: the first entry naming a figure is its latest
            for change in entry.figures:
                found.setdefault(change.key, entry)
        return found

    def __getstate__(self):
        return {name: getattr(self, name) for name in ("key", "entries", "reason")}  # not the cached marks

    def __setstate__(self, state):
        self.__dict__.update(state)


def head(root: Path) -> tuple[str, str]:
    """(key, reason): the HEAD commit and the project's folder in its repository, or '' and why no history can be
    read (git missing, not a repository, no commit yet, a shallow clone)."""
    done = _git(root, "rev-parse", "--is-shallow-repository", "--show-prefix", "HEAD")
    if isinstance(done, str):
        return "", done
    if done.returncode:
        reason = next((line for line in done.stderr.decode("utf-8", "replace").splitlines() if line.strip()), "")
        if "not a git repository" in reason:
            return "", "the project is not in a git repository"
        if "HEAD" in reason:
            return "", "the repository has no commit"
        return "", f"git: {reason.removeprefix('fatal: ')}"
    lines = done.stdout.decode("utf-8", "replace").split("\n")
    if len(lines) < 3:
        return "", "git rev-parse gave no commit"
    if lines[0] == "true":
        return "", "the repository is a shallow clone"
    return f"{lines[2]}:{lines[1]}", ""


def read(root: Path, registry: Registry, key: str, reason: str = "") -> History:
    """The history of root/content/ at the commit `key` names (from head()); unavailable, with the reason, when git
    fails along the way."""
    if not key:
        return History(reason=reason)
    prefix = key.partition(":")[2]
    log = _git(root, "log", "--first-parent", "--diff-merges=first-parent", "--raw", "--no-renames", "--no-abbrev",
               "-z", "--format=%x01%H %cs", key.partition(":")[0], "--", FOLDER)
    if isinstance(log, str) or log.returncode:
        return History(reason=log if isinstance(log, str) else "git log failed")
    commits = _commits(log.stdout, prefix)
    runs = _runs(commits)
    wanted = {blob for before, after, _, _ in runs for path in before.keys() | after.keys()
              if not before or before.get(path) != after.get(path) for blob in (before.get(path), after.get(path))}
    blobs = _cat(root, sorted(b for b in wanted if b))
    if blobs is None:
        return History(reason="git cat-file failed")
    entries, seen = [], {}
    for before, after, date, shas in runs:
        n = seen[date] = seen.get(date, 0) + 1
        anchor = f"change-{date}" + (f"-{n}" if n > 1 else "")
        entries.append(_entry(registry, before, after, blobs, date, anchor, shas))
    return History(key, tuple(reversed(entries)))


def _git(root: Path, *args: str):
    """Run git in root: its completed process, or why it could not run (a str)."""
    env = dict(os.environ, LC_ALL="C", GIT_OPTIONAL_LOCKS="0", GIT_TERMINAL_PROMPT="0")
    try:
        return subprocess.run(["git", "-c", "log.showSignature=false", "-c", "core.quotePath=false", *args], cwd=root,
                              capture_output=True, timeout=TIMEOUT, env=env, stdin=subprocess.DEVNULL)
    except FileNotFoundError:
        return "git is not installed"
    except (OSError, subprocess.SubprocessError) as exc:
        return f"git could not run: {exc}"


def _commits(out: bytes, prefix: str) -> list[tuple[str, str, list[tuple[str, str | None]]]]:
    """`git log --raw -z` output as (sha, date, [(path under content/, new blob or None)]) oldest first."""
    commits = []
    for chunk in out.split(b"\x01")[1:]:
        header, _, rest = chunk.partition(b"\0")
        sha, _, date = header.decode("ascii", "replace").partition(" ")
        tokens = rest.lstrip(b"\n").split(b"\0")
        changes = []
        for meta, path in zip(tokens[::2], tokens[1::2]):
            parts = meta.decode("ascii", "replace").split()
            if len(parts) < 5 or not meta.startswith(b":"):
                continue
            rel = path.decode("utf-8", "replace").removeprefix(prefix)
            changes.append((rel, None if parts[4].startswith("D") else parts[3]))
        commits.append((sha, date, changes))
    return commits[::-1]


def _runs(commits: list) -> list[tuple[dict, dict, str, tuple[str, ...]]]:
    """Consecutive commits of one date as (files before, files after, date, commits): files map path -> blob."""
    runs, files = [], {}
    for sha, date, changes in commits:
        if not runs or runs[-1][2] != date:
            runs.append((dict(files), files, date, ()))
        files = dict(files)
        for path, blob in changes:
            if blob is None:
                files.pop(path, None)
            else:
                files[path] = blob
        before, _, _, shas = runs[-1]
        runs[-1] = (before, files, date, shas + (sha,))
    return runs


def _cat(root: Path, blobs: list[str]) -> dict[str, bytes] | None:
    """The bytes of blobs by id, from one `git cat-file --batch`; None when it fails."""
    if not blobs:
        return {}
    env = dict(os.environ, LC_ALL="C", GIT_OPTIONAL_LOCKS="0")
    try:
        done = subprocess.run(["git", "cat-file", "--batch"], cwd=root, input="\n".join(blobs).encode() + b"\n",
                              capture_output=True, timeout=TIMEOUT, env=env)
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode:
        return None
    found, out, at = {}, done.stdout, 0
    for blob in blobs:
        end = out.find(b"\n", at)
        header = out[at:end].split()
        if len(header) != 3 or header[0].decode() != blob:  # "<id> missing": an object the clone lacks
            return None
        size = int(header[2])
        found[blob] = out[end + 1:end + 1 + size]
        at = end + 1 + size + 1
    return found


@dataclass
class Extract:
    """What one version of one file holds, for comparing: figures (key -> (owner, Figure)) and units (an item, a
    record, an article edition, a strings file: (kind, id) -> (names, signature, listed)); a listed unit can be
    added or removed, the others are only edited."""

    figures: dict = field(default_factory=dict)
    units: dict = field(default_factory=dict)
    unread: set = field(default_factory=set)  # kinds whose file could not be read: their items are unknown


def _entry(registry: Registry, before: dict, after: dict, blobs: dict, date: str, anchor: str,
           shas: tuple) -> Entry:
    """What one run of commits changed, from the versions of each file before and after it."""
    first = not before  # the first publication: no file of content/ before it
    paths = sorted(p for p in before.keys() | after.keys() if before.get(p) != after.get(p) or first)
    old, new = Extract(), Extract()
    for path in paths:
        for side, files in ((old, before), (new, after)):
            blob = files.get(path)
            if blob is not None and blob in blobs:
                part = extract(path, blobs[blob], registry)
                side.figures.update(part.figures)
                side.units.update(part.units)
                side.unread |= part.unread
    order = {k.name: k.order for k in registry.kinds}
    by_kind = lambda u: (order.get(u.kind, len(order)), u.kind, u.id)  # noqa: E731
    if first:
        counts = {}
        for (kind, ident), (_, _, listed) in new.units.items():
            if listed:
                counts[kind] = counts.get(kind, 0) + 1
        kinds = sorted(counts, key=lambda k: (order.get(k, len(order)), k))
        return Entry(date, anchor, shas, first=(*((k, counts[k]) for k in kinds), ("figures", len(new.figures))))
    unread = old.unread | new.unread  # a version that cannot be read: its kind counts as edited, nothing is listed
    added = [_item(k, new.units[k]) for k in new.units.keys() - old.units.keys() if new.units[k][2]
             and k[0] not in unread]
    removed = sorted((_item(k, old.units[k]) for k in old.units.keys() - new.units.keys() if old.units[k][2]
                      and k[0] not in unread), key=by_kind)
    gone = {(u.kind, u.id) for u in added} | {(u.kind, u.id) for u in removed}
    edited: dict[str, set] = {kind: {""} for kind in unread}
    markdown = _markdown(registry)
    for unit in (old.units.keys() ^ new.units.keys()) | {
            k for k in old.units.keys() & new.units.keys() if old.units[k][1] != new.units[k][1]}:
        kind, ident = unit
        ident = ident.partition(".")[0] if kind in markdown else ident  # an article's editions are one article
        if (kind, ident) not in gone and kind not in unread:
            edited.setdefault(kind, set()).add(ident)
    changed, grew, shrank = [], [], []
    for key in sorted(old.figures.keys() | new.figures.keys()):
        was, now = old.figures.get(key), new.figures.get(key)
        if was and now:
            fields = _differ(was[1], now[1])
            if fields:
                changed.append(FigureChange(key, was[1], now[1], fields))
        elif now and now[0] not in gone and now[0] in old.units and now[0][0] not in unread:
            grew.append(FigureChange(key, None, now[1]))
        elif was and was[0] not in gone and was[0] in new.units and was[0][0] not in unread:
            shrank.append(FigureChange(key, was[1], None))
    kinds = sorted(edited, key=lambda k: (order.get(k, len(order)), k))
    return Entry(date, anchor, shas, tuple(changed), tuple(grew), tuple(shrank),
                 tuple(sorted((u for u in added if u.kind != "sources"), key=by_kind)), tuple(removed),
                 tuple(sorted((u for u in added if u.kind == "sources"), key=by_kind)),
                 tuple((k, len(edited[k])) for k in kinds))


def _item(unit: tuple[str, str], found: tuple) -> ItemChange:
    """An added or removed unit as an ItemChange."""
    return ItemChange(unit[0], unit[1], found[0])


def _differ(old: Figure, new: Figure) -> tuple[str, ...]:
    """Which of value (with its unit, scale, qualifier ...), as_of and source differ between two figures."""
    fields = ("value",) if any(getattr(old, f) != getattr(new, f) for f in VALUE) else ()
    return fields + tuple(f for f in ("as_of", "source") if getattr(old, f) != getattr(new, f))


def _markdown(registry: Registry) -> set[str]:
    """The names of the kinds written as Markdown files."""
    return {k.name for k in registry.of_shape("markdown")}


def extract(path: str, data: bytes, registry: Registry) -> Extract:
    """What one version of a file under content/ holds, read leniently: whatever cannot be read is left out, and the
    file then counts as one edited unit of its own."""
    out = Extract()
    try:
        text = data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError:
        text = None
    for kind in registry.kinds:
        folder = f"{FOLDER}/{kind.file}"
        if kind.shape in ("list", "single") and path == folder:
            tree = _tree(text) if text is not None else None
            if kind.shape == "single" and isinstance(tree, dict):
                out.figures.update(_figures(kind, kind.name, tree, (kind.name, "")))
                out.units[(kind.name, "")] = ((), _signature(kind, tree), False)
            elif kind.shape == "list" and isinstance(tree, list):
                for item in tree:
                    ident = item.get("id") if isinstance(item, dict) else None
                    if isinstance(ident, str):
                        out.figures.update(_figures(kind, f"{kind.name}.{ident}", item, (kind.name, ident)))
                        out.units[(kind.name, ident)] = (_names(item, registry), _signature(kind, item), True)
            else:
                out.unread.add(kind.name)
            return out
        elif kind.shape == "markdown" and path.startswith(folder + "/") and path.endswith(".md"):
            name = path[len(folder) + 1:-3]
            lang = name.rpartition(".")[2] if "." in name else "en"
            match = FRONT_MATTER.match(text or "")
            front = _tree(match.group(1) or "") if match else None
            title = front.get("title") if isinstance(front, dict) else None
            names = ((lang, title),) if isinstance(title, str) else ()
            out.units[(kind.name, name)] = (names, data, "." not in name)
            return out
        elif kind.shape == "strings" and path.startswith(folder + "/"):
            out.units[(kind.name, path[len(folder) + 1:])] = ((), data, False)
            return out
    out.units[("other", path)] = ((), data, False)
    return out


def _tree(text: str):
    """YAML text as plain values (every scalar as the text it is written as), or None when it cannot be read. The
    validator's own parser, so an alias bomb in an old version is refused as it would be today."""
    try:
        node = parse_yaml(text, "", Problems())
        return _plain(node) if node is not None else None
    except (yaml.YAMLError, RecursionError, ValueError):
        return None


def _plain(node):
    """A YAML node as dicts, lists and strings."""
    if isinstance(node, yaml.MappingNode):
        return {_key(k): _plain(v) for k, v in node.value}
    if isinstance(node, yaml.SequenceNode):
        return [_plain(v) for v in node.value]
    return node.value


def _key(node) -> str:
    """A mapping key as text."""
    return node.value if isinstance(node, yaml.ScalarNode) else repr(_plain(node))


def _figures(kind: Kind, prefix: str, record: dict, owner: tuple) -> dict:
    """The figures of one item or record by their global keys, as validate._key_entity and _key_record name them."""
    found = {}
    single = kind.shape == "single"
    for name in kind.figure_fields:
        fig = _figure(record.get(name), f"{prefix}.{name}")
        if fig is not None:
            found[fig.key] = (owner, fig)
    for name in (*kind.named_figures, *kind.figure_maps):
        table = record.get(name)
        base = f"{prefix}.{name}" if single or name in kind.figure_maps else prefix
        for ident, value in table.items() if isinstance(table, dict) else ():
            fig = _figure(value, f"{base}.{ident}")
            if fig is not None:
                found[fig.key] = (owner, fig)
    return found


def _figure(raw, key: str) -> Figure | None:
    """A figure from its raw mapping, or None when it has no number."""
    if not isinstance(raw, dict) or not isinstance(raw.get("value"), str):
        return None
    try:
        value = Decimal(raw["value"].replace("_", ""))
    except InvalidOperation:
        return None
    if not value.is_finite():
        return None
    texts = {name: raw[name] for name in (*DATA[1:], "label", "label_zh") if isinstance(raw.get(name), str)}
    return Figure(value=value, **{"unit": "", "as_of": "", "source": ""} | texts, key=key)


def _signature(kind: Kind, record: dict):
    """A record without its figures' data: what is left to compare for other edits."""
    plain = dict(record)
    for name in kind.figure_fields:
        if isinstance(plain.get(name), dict):
            plain[name] = _texts(plain[name])
    for name in (*kind.named_figures, *kind.figure_maps):
        if isinstance(plain.get(name), dict):
            plain[name] = {k: _texts(v) for k, v in plain[name].items()}
    return plain


def _texts(raw):
    """A raw figure without its data."""
    return {k: v for k, v in raw.items() if k not in DATA} if isinstance(raw, dict) else raw


def _names(item: dict, registry: Registry) -> tuple[tuple[str, str], ...]:
    """An item's name (or a source's title) in each language it gives."""
    found = []
    for lang in registry.languages:
        for field_name in ("name", "title"):
            text = item.get(field_name if lang == "en" else f"{field_name}_{lang}")
            if isinstance(text, str):
                found.append((lang, text))
                break
    return tuple(found)
