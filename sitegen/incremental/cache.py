"""The on-disk cache between command-line builds: the last build's state, so an edit rebuilds only what it touches.

Kept in .cache/sitegen/ under the project, with the compiled templates. It is used only when nothing casts doubt on
it: the same generator code and Python, the same output folder and base URL, and every output file still as the
last build left it. Otherwise the build is a full one. It is never needed: where it cannot be read or written, a
build just does all its work."""
from __future__ import annotations

import hashlib
import importlib.util
import itertools
import os
import pickle
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import jinja2
import jinja2.bccache

try:
    import fcntl
except ImportError:  # Windows: no flock, and no fork to save in the background either
    fcntl = None

from ..output.swap import fork_deaf
from .memory import paused_gc
from .state import State

PACKAGE = Path(__file__).resolve().parents[1]  # sitegen/, whose every module (in every sub-package) the stamp covers


def cache_dir(root: Path) -> Path:
    """Where a project's cache lives."""
    return root / ".cache" / "sitegen"


class TemplateCache(jinja2.FileSystemBytecodeCache):
    """Compiled templates kept between runs, as an option only: a file it cannot read whole (cut short by a full
    disk or a killed write) or cannot write is passed over, and the template compiled again."""

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except Exception:  # noqa: BLE001 - whatever is wrong with the file, compiling the template again mends it
            bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError:
            pass


def template_cache(root: Path) -> TemplateCache | None:
    """The project's compiled-template cache, or None where its folder cannot be made (a read-only checkout, a
    `.cache` that is a file): then every template is compiled on each run."""
    folder = cache_dir(root) / "templates"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return TemplateCache(str(folder))


# babel: the state keeps what CLDR answered; Pagefind: the search index
LIBRARIES = ("jinja2", "markupsafe", "markdown", "yaml", "babel", "pagefind_bin_extended")


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
    for path in sorted(PACKAGE.rglob("*.py")):
        digest.update(path.relative_to(PACKAGE).as_posix().encode() + path.read_bytes())
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


def _packed(manifest: dict[str, tuple[int, int]]) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """A manifest as the cache stores it: the paths, then their sizes and mtimes in one flat tuple (a tenth of the
    objects to load)."""
    return tuple(manifest), tuple(itertools.chain.from_iterable(manifest.values()))


def _unpacked(packed: tuple[tuple[str, ...], tuple[int, ...]] | None) -> dict[str, tuple[int, int]]:
    """The manifest _packed() stored, as a dict (none for a state the cache did not load). Raises ValueError for a
    pair that does not match, so that a damaged manifest vouches for nothing."""
    if packed is None:
        return {}
    dests, numbers = packed
    return dict(zip(dests, zip(numbers[::2], numbers[1::2], strict=True), strict=True))


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
            if fork_deaf():
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
    """Write the cache files (the caller holds the lock): the manifest of the output, small, read first; and the
    state. A stamp shared by the two tells a matching pair."""
    folder = cache_dir(root)
    outputs, bundle = state.outputs, state.search  # hollow: a build that wrote keeps only sizes and digests
    kept = {}
    if previous is not None and (previous.out_dir, previous.base_url) == (state.out_dir, state.base_url):
        old, last = previous.outputs, _unpacked(previous.manifest)
        kept = {d: entry for d, entry in last.items()
                if d in old and d in outputs and old[d].digest == outputs[d].digest}  # not rewritten
        if bundle is previous.search:  # the search bundle left as it was
            kept.update((d, last[d]) for d in bundle.dests if d in last)
    manifest = _manifest(state.out_dir, itertools.chain(outputs, bundle.dests), kept)
    stamp = os.urandom(8)
    head = {"version": code_version(), "out_dir": state.out_dir, "stamp": stamp, "manifest": _packed(manifest)}
    record = {"stamp": stamp, "state": state.on_disk()}
    for name, value in (("manifest.pickle", head), ("state.pickle", record)):
        with paused_gc(), open(folder / f"{name}.tmp", "wb") as f:  # streamed: never the whole pickle in memory
            pickle.dump(value, f, protocol=pickle.HIGHEST_PROTOCOL)
    for name in ("manifest.pickle", "state.pickle"):
        (folder / f"{name}.tmp").replace(folder / name)


def load(root: Path, out_dir: Path, base_url: str | None) -> State | None:
    """The last build's state when it can be trusted for a build into out_dir, else None. Whether the output
    folder is still as the last build left it (a stat of every file: 0.08 s at 10,000 projects) is checked by a
    child process while this one reads the state."""
    folder = cache_dir(root)
    verdict = None
    try:
        with _locked(root, exclusive=False):  # waits while a build before this one is still writing it
            head = pickle.loads((folder / "manifest.pickle").read_bytes())
            if head["version"] != code_version() or head["out_dir"] != out_dir:
                return None
            verdict = _check_output(out_dir, head["manifest"])  # packed
            data = (folder / "state.pickle").read_bytes()
        with paused_gc():  # 3x faster at 10,000 projects
            record = pickle.loads(data)
        state = record["state"]
        if record["stamp"] != head["stamp"] or (base_url is not None and base_url != state.base_url):
            return None
        if not verdict():
            return None
        state.manifest = head["manifest"]
        return state
    except Exception:  # noqa: BLE001 - any unreadable or foreign cache just means a full build
        return None
    finally:
        if verdict is not None:
            verdict()  # a child still checking is waited for


def _check_output(out_dir: Path, packed: tuple):
    """Start checking that every output file has the size and mtime the (packed) manifest says; return a function
    that gives the answer (waiting for it). In a child process where there is fork, so the check overlaps the read."""
    if not hasattr(os, "fork"):
        manifest = _unpacked(packed)
        same = _manifest(out_dir, manifest) == manifest
        return lambda: same
    pid = fork_deaf()
    if pid == 0:
        try:
            manifest = _unpacked(packed)
            os._exit(0 if _manifest(out_dir, manifest) == manifest else 1)
        finally:
            os._exit(1)
    answer: list = []

    def verdict() -> bool:
        if not answer:
            answer.append(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) == 0)
        return answer[0]
    return verdict
