"""The state on disk between command-line builds: an SQLite database in .cache/sitegen/ (Lektor keeps its build
state the same way). A build writes only what changed since the state it started from, in one transaction: a build
killed meanwhile leaves the last state whole, and two builds at once take turns. Values are pickled, and read back
only when asked for."""

from __future__ import annotations

import pickle
import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import closing
from pathlib import Path

from ..output.links import PageInfo
from ..output.write import File
from .cache import Bundle, Entry, State, cache_dir, collector_paused, manifest

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value BLOB);
CREATE TABLE IF NOT EXISTS parsed (key BLOB PRIMARY KEY, value BLOB);
CREATE TABLE IF NOT EXISTS outputs (dest TEXT PRIMARY KEY, entry BLOB, size INTEGER, digest BLOB, mtime INTEGER);
CREATE TABLE IF NOT EXISTS bundle (dest TEXT PRIMARY KEY, size INTEGER, digest BLOB, mtime INTEGER);
CREATE TABLE IF NOT EXISTS rows (key BLOB PRIMARY KEY, dest TEXT, first INTEGER, past INTEGER);
"""
FORMAT = b"3"  # the layout of the tables: another means the cache is made anew
TABLES = ("meta", "parsed", "outputs", "bundle", "rows")


class Stored(Mapping):
    """A table as a mapping of its keys to its values, each unpickled when first asked for (and kept: a later
    build's state holding the very same value has not changed it)."""

    def __init__(self, raw: dict):
        self.raw = raw
        self.made: dict = {}

    def __getitem__(self, key):
        found = self.made.get(key)
        if found is None:
            found = self.made[key] = self.value(pickle.loads(self.raw[key]))
        return found

    def value(self, unpickled):
        """A value as the table's reader uses it, from its unpickled form."""
        return unpickled

    def __contains__(self, key) -> bool:
        return key in self.raw

    def __iter__(self) -> Iterator:
        return iter(self.raw)

    def __len__(self) -> int:
        return len(self.raw)

    def unchanged(self, key, value) -> bool:
        """Whether `value` is the very value read for `key` (so there is nothing to write)."""
        return self.made.get(key) is value


class StoredOutputs(Stored):
    """The outputs table: each entry unpickled when asked for (kept as plain tuples: see _plain); every file's path,
    size and digest at hand."""

    def __init__(self, raw: dict, files: dict):
        super().__init__(raw)
        self.files = files

    def value(self, unpickled) -> Entry:
        reads, digest, file, links, words = unpickled  # as _plain() left it
        return Entry(reads, digest, File(*file), PageInfo(*links) if links else None, words)


def _plain(entry: Entry) -> tuple:
    """An entry as plain tuples: unpickled without looking up its classes, twice as fast (a one-figure edit at 10,000
    projects reads 11,000 entries back)."""
    return entry.reads, entry.key, tuple(entry.file), tuple(entry.links) if entry.links else None, entry.words


def _database(root: Path) -> sqlite3.Connection:
    """The project's state database (made if need be), waiting up to a minute for a build that writes it."""
    folder = cache_dir(root)
    folder.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(folder / "state.db", timeout=60, isolation_level=None)
    db.executescript(SCHEMA)
    found = db.execute("SELECT value FROM meta WHERE name = 'format'").fetchone()
    if found is not None and found[0] != FORMAT:  # tables of another layout: made anew
        db.executescript("".join(f"DROP TABLE {table};" for table in TABLES) + SCHEMA)
    return db


def load(root: Path, out_dir: Path) -> State | None:
    """The last command-line build's state for this output folder, when the folder still holds every file as that
    build left it; None otherwise (or when there is none, or it cannot be read)."""
    if not (cache_dir(root) / "state.db").is_file():
        return None
    try:
        with closing(_database(root)) as db, collector_paused():
            meta = dict(db.execute("SELECT name, value FROM meta"))
            if meta.get("format") != FORMAT or "stamp" not in meta:
                return None
            outputs, files, held = {}, {}, {}
            for dest, entry, size, digest, mtime in db.execute("SELECT dest, entry, size, digest, mtime FROM outputs"):
                outputs[dest], files[dest], held[dest] = entry, File(dest, size, digest), (size, mtime)
            bundle = {}
            for dest, size, digest, mtime in db.execute("SELECT dest, size, digest, mtime FROM bundle"):
                bundle[dest], held[dest] = File(dest, size, digest), (size, mtime)
            state = State(
                pickle.loads(meta["stamp"]),
                pickle.loads(meta["inputs"]),
                Stored(dict(db.execute("SELECT key, value FROM parsed"))),
                StoredOutputs(outputs, files),
                {
                    key: (dest, start, end)
                    for key, dest, start, end in db.execute("SELECT key, dest, first, past FROM rows")
                },
                Bundle(bundle, meta.get("words", b"")),
                held,
                pickle.loads(meta["warnings"]),
            )
    except Exception:  # noqa: BLE001 - any unreadable or foreign cache just means a full build
        return None
    return state if manifest(out_dir, state.manifest) == state.manifest else None


def save(root: Path, state: State, out_dir: Path, last: State | None = None) -> None:
    """Store a build's state with the manifest of the folder it wrote, writing only what differs from the state
    it started from (`last`, as load() read it); never raises: the cache is optional."""
    if last is not None and last.stamp != state.stamp:
        last = None  # the build did not start from it (other code or models): it wrote every file anew
    held, before = state.held(), last.held() if last is not None else {}
    known = last.manifest if last is not None else {}
    kept = {dest for dest, file in held.items() if before.get(dest) == file and dest in known}
    fresh = manifest(out_dir, (dest for dest in held if dest not in kept))
    state.manifest = {dest: known[dest] if dest in kept else fresh[dest] for dest in held}
    try:
        _save(root, state, last)
    except sqlite3.DatabaseError:  # not a database, or a damaged one: made anew
        try:
            (cache_dir(root) / "state.db").unlink()
            _save(root, state, None)
        except (OSError, sqlite3.Error):
            pass
    except (OSError, sqlite3.Error):
        pass


def _save(root: Path, state: State, last: State | None) -> None:
    """Write the state in one transaction: what differs from `last`, when the database holds `last`; else all."""
    with closing(_database(root)) as db, collector_paused():
        db.execute("BEGIN IMMEDIATE")
        stored = dict(db.execute("SELECT name, value FROM meta")).get("stamp")
        if (
            last is None
            or not isinstance(last.outputs, Stored)
            or stored != pickle.dumps(last.stamp)
            or last.stamp != state.stamp
        ):
            for table in TABLES:
                db.execute(f"DELETE FROM {table}")
            last = State("")
        _write(db, state, last)
        db.execute("COMMIT")


def _write(db: sqlite3.Connection, state: State, last: State) -> None:
    """Write what `state` holds that `last` (as the database holds it) does not, and remove what it no longer
    holds."""
    meta = {
        "format": FORMAT,
        "stamp": pickle.dumps(state.stamp),
        "inputs": pickle.dumps(state.inputs),
        "words": state.bundle.words,
        "warnings": pickle.dumps(state.warnings),
    }
    db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", meta.items())
    size_mtime = state.manifest
    _sync(db, "parsed", "key", last.parsed, state.parsed, lambda key, value: (key, _pickled(value)))
    _sync(
        db,
        "outputs",
        "dest",
        last.outputs,
        state.outputs,
        lambda dest, entry: (dest, _pickled(_plain(entry)), entry.file.size, entry.file.digest, size_mtime[dest][1]),
        5,
    )
    _sync(db, "rows", "key", last.rows, state.rows, lambda key, where: (key, *where), 4)
    if state.bundle.files is not last.bundle.files:
        db.execute("DELETE FROM bundle")
        db.executemany(
            "INSERT INTO bundle VALUES (?, ?, ?, ?)",
            [(dest, file.size, file.digest, size_mtime[dest][1]) for dest, file in state.bundle.files.items()],
        )


def _sync(db: sqlite3.Connection, table: str, column: str, old: Mapping, new: Mapping, row, width: int = 2) -> None:
    """Bring a table from `old` to `new`: rows (of `width` columns) for the keys whose value is not the one read,
    none for keys gone. The rows are made as the database takes them, never all at once."""
    same = old.unchanged if isinstance(old, Stored) else (lambda key, value: old.get(key) is value)
    changed = (row(key, value) for key, value in new.items() if not (key in old and same(key, value)))
    db.executemany(f"INSERT OR REPLACE INTO {table} VALUES ({', '.join('?' * width)})", changed)
    db.executemany(f"DELETE FROM {table} WHERE {column} = ?", [(key,) for key in old if key not in new])


def _pickled(value) -> bytes:
    """A value as the database keeps it."""
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
