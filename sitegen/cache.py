"""The on-disk cache between command-line builds: the last build's state, so an edit rebuilds only what it touches.

Kept in .cache/sitegen/ under the project. It is used only when nothing casts doubt on it: the same generator
code and Python, the same output folder and base URL, and every output file still as the last build left it.
Otherwise the build is a full one."""
from __future__ import annotations

import hashlib
import importlib.util
import os
import pickle
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows: no flock, and no fork to save in the background either
    fcntl = None

from .memory import paused_gc
from .pipeline import State

PACKAGE = Path(__file__).resolve().parent


def cache_dir(root: Path) -> Path:
    """Where a project's cache lives."""
    return root / ".cache" / "sitegen"


LIBRARIES = ("jinja2", "markupsafe", "markdown", "yaml")


def code_version() -> str:
    """A digest of the generator's code, Python's version and the installed libraries: a new generator never
    trusts an old cache. A library is known by its folder's path and modification time (installing, upgrading or
    removing it rewrites the folder), so it need not be imported: an edit that renders no article never loads
    Markdown."""
    digest = hashlib.blake2b(sys.version.encode(), digest_size=16)
    for name in LIBRARIES:
        spec = importlib.util.find_spec(name)
        folder = Path(spec.origin).parent if spec and spec.origin else None
        digest.update(f"{name} {folder} {folder.stat().st_mtime_ns if folder else ''}".encode())
    for path in sorted(PACKAGE.glob("*.py")):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()


def _manifest(out_dir: Path, dests, known: dict | None = None) -> dict[str, tuple[int, int]]:
    """Size and mtime of each output file as written; `known` entries are taken as they are."""
    found, folder, stat = {}, str(out_dir), os.stat
    for dest in dests:
        if known and dest in known:
            found[dest] = known[dest]
        else:
            st = stat(f"{folder}/{dest}")
            found[dest] = (st.st_size, st.st_mtime_ns)
    return found


@contextmanager
def _locked(root: Path, exclusive: bool) -> Iterator[int | None]:
    """Hold the cache's lock (shared to read, exclusive to write) until the block ends; yields its descriptor."""
    if fcntl is None:
        yield None
        return
    fd = os.open(cache_dir(root) / "lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        yield fd
    finally:
        os.close(fd)


def save(root: Path, state: State, previous: State | None = None) -> None:
    """Store a successful build's state (never raises: a cache is optional). With `previous`, the state this
    build started from, files the build left alone keep their manifest entries instead of being stat'ed again."""
    try:
        cache_dir(root).mkdir(parents=True, exist_ok=True)
        with _locked(root, exclusive=True):
            _write(root, state, previous)
    except OSError:
        pass


def save_detached(root: Path, state: State, previous: State | None = None) -> None:
    """save(), in a child process that outlives the command: the prompt comes back as soon as the site is written,
    while the cache is written behind it (0.3 s at 10,000 projects). The lock is taken before the child starts, so
    a build started meanwhile waits for the new cache in load(). Where there is no fork, this is save()."""
    if fcntl is None or not hasattr(os, "fork"):
        return save(root, state, previous)
    try:
        cache_dir(root).mkdir(parents=True, exist_ok=True)
        with _locked(root, exclusive=True):  # the child's copy of the descriptor keeps the lock after this closes it
            for stream in (sys.stdout, sys.stderr):
                stream.flush()
            if os.fork():
                return
            try:  # the child: no terminal, no pipes held open (a caller reading our output sees it end with us)
                os.setsid()
                null = os.open(os.devnull, os.O_RDWR)
                for fd in (0, 1, 2):
                    os.dup2(null, fd)
                _write(root, state, previous)
            finally:
                os._exit(0)
    except OSError:
        pass


def wait_for_saves(root: Path) -> None:
    """Return once no cache is being written (for a caller that times builds one after another)."""
    try:
        with _locked(root, exclusive=False):
            pass
    except OSError:
        pass


def _write(root: Path, state: State, previous: State | None) -> None:
    """Write the cache file (the caller holds the lock)."""
    folder = cache_dir(root)
    outputs = state.outputs  # hollow: a build that wrote keeps only sizes and digests
    kept = {}
    if previous is not None and (previous.out_dir, previous.base_url) == (state.out_dir, state.base_url):
        old = previous.outputs
        kept = {d: entry for d, entry in previous.manifest.items()
                if d in old and d in outputs and old[d].digest == outputs[d].digest}  # not rewritten
    manifest = _manifest(state.out_dir, outputs, kept)
    record = {"version": code_version(), "manifest": manifest,
              "state": replace(state, env=None, manifest={}, related={})}
    tmp = folder / "state.pickle.tmp"
    with paused_gc(), open(tmp, "wb") as f:  # streamed: never the whole pickle in memory
        pickle.dump(record, f, protocol=pickle.HIGHEST_PROTOCOL)
    tmp.replace(folder / "state.pickle")


def load(root: Path, out_dir: Path, base_url: str | None) -> State | None:
    """The last build's state when it can be trusted for a build into out_dir, else None."""
    path = cache_dir(root) / "state.pickle"
    try:
        with _locked(root, exclusive=False):  # waits while a build before this one is still writing it
            data = path.read_bytes()
        with paused_gc():  # 3x faster at 10,000 projects
            record = pickle.loads(data)
        state = record["state"]
        if record["version"] != code_version() or state.out_dir != out_dir:
            return None
        if base_url is not None and base_url != state.base_url:
            return None
        if _manifest(out_dir, state.outputs) != record["manifest"]:
            return None
        state.manifest = record["manifest"]
        return state
    except Exception:  # noqa: BLE001 - any unreadable or foreign cache just means a full build
        return None
