"""What one build keeps for the next: the parsed content by the digest of its text, and each output by the digests
of what it read, with what the output folder holds. The preview keeps it in memory; between command-line builds
store.py keeps it in .cache/sitegen/. It is only ever a speed-up: a state made by other code, for another output
folder or base URL, or for an output folder that was touched since, is not used; one that cannot be read or written
just means a build does all its work."""

from __future__ import annotations

import gc
import hashlib
import importlib.util
import os
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:  # only named: a build that finds nothing changed imports neither the renderer nor the writer
    from ..errors import SiteError
    from ..output.links import PageInfo
    from ..output.write import File
    from .digests import Digests

PACKAGE = Path(__file__).resolve().parents[1]  # sitegen/, whose every module (in every sub-package) the stamp covers
WATCHED = ("models", "content", "templates", "static")  # the inputs of a build, under the project
# The libraries whose output a build's files hold: a new version of one means a build without the cache.
LIBRARIES = ("jinja2", "markupsafe", "markdown", "yaml", "babel", "pagefind", "pagefind_bin_extended")


class Entry(NamedTuple):
    """One output as a build made it: what it read (in a fixed order) and their digest, the file written, and for
    an HTML page what the link check and the search index need of it."""

    reads: tuple
    key: bytes
    file: File
    links: PageInfo | None = None
    words: bytes = b""  # the digest of what Pagefind reads of a searchable page


@dataclass(frozen=True)
class Bundle:
    """The search bundle a build leaves: its files, by path, and the digest of the words it indexed."""

    files: dict[str, File] = field(default_factory=dict)
    words: bytes = b""


@dataclass
class State:
    """What a build leaves for the next one into the same folder."""

    stamp: str  # the generator's code and libraries, the models, the output folder and the base URL it is for
    inputs: dict[str, tuple] = field(default_factory=dict)  # input file -> (mtime_ns, size, digest)
    parsed: Mapping = field(default_factory=dict)  # the loader's memo: parsed content by the digest of its text
    outputs: Mapping[str, Entry] = field(default_factory=dict)  # every output file but the search bundle's, by path
    rows: Mapping = field(default_factory=dict)  # where each of the downloads' lines is (Lines), by what it shows
    bundle: Bundle = field(default_factory=Bundle)
    manifest: dict[str, tuple[int, int]] = field(default_factory=dict)  # output file -> (size, mtime_ns) on disk
    warnings: tuple[SiteError, ...] = ()  # the build's warnings, said again by a build that changes nothing

    def held(self) -> dict[str, File]:
        """The files the output folder holds, by path."""
        files = getattr(self.outputs, "files", None)  # the store's: known without reading every entry
        if files is None:
            files = {dest: entry.file for dest, entry in self.outputs.items()}
        return files | self.bundle.files

    def reusable(self, dest: str, digests: Digests) -> Entry | None:
        """The output a build made at dest, when nothing it read has changed since."""
        entry = self.outputs.get(dest)
        return entry if entry is not None and digests.unchanged(entry.reads, entry.key) else None


class Memo(dict):
    """A memo for one build (the loader's): what it looks up is taken from the same memo of
    the last build's state, so it keeps what this build used, and nothing more."""

    def __init__(self, last: "State | None", name: str):
        super().__init__()
        self.old = getattr(last, name) if last is not None else {}

    def get(self, key, default=None):
        if key not in self and key in self.old:
            self[key] = self.old[key]
        return super().get(key, default)


class Lines:
    """The memo of the downloads' lines (output/data.py), by the fingerprints of what each shows. A build keeps only
    where each line is in the file it wrote, as (dest, start, end); a later build asks for a line and gets it read
    back from that file, which the output folder holds as that build wrote it (the state is used only then). The
    lines are never all in memory: at 10,000 projects they are 16 MB."""

    def __init__(self, last: "State | None", out_dir: Path):
        self.old: Mapping = last.rows if last is not None else {}
        self.out_dir = out_dir
        self.files: dict[str, bytes | None] = {}  # the last build's files, read when first asked for
        self.new: dict[bytes, tuple] = {}

    def get(self, mark: bytes) -> bytes | None:
        """The line made before for this mark, or None."""
        where = self.old.get(mark)
        if where is None:
            return None
        dest, start, end = where
        if dest not in self.files:
            try:
                self.files[dest] = (self.out_dir / dest).read_bytes()
            except OSError:
                self.files[dest] = None
        data = self.files[dest]
        return data[start:end] if data is not None and end <= len(data) else None

    def place(self, dest: str, marks: list, lines: list, start: int, gap: int) -> None:
        """Where the lines (by their marks) are in the file made at dest: the first at `start`, each after the last
        and `gap` bytes between them."""
        old = self.old
        for mark, line in zip(marks, lines):
            end = start + len(line)
            where = (dest, start, end)
            self.new[mark] = found if (found := old.get(mark)) == where else where  # the same: not written again
            start = end + gap

    def done(self) -> dict[bytes, tuple]:
        """This build's places, for the next build; the files read are let go."""
        self.files.clear()
        return self.new


def stamp(root: Path, out_dir: Path, base_url: str, inputs: dict[str, tuple]) -> str:
    """What a cache is good for: this generator's code and libraries and Python, the models (a new model changes
    what everything parses into), the output folder and the base URL."""
    digest = hashlib.blake2b(sys.version.encode(), digest_size=16)
    for name in LIBRARIES:
        spec = importlib.util.find_spec(name)
        folder = Path(spec.origin).parent if spec and spec.origin else None
        digest.update(f"{name} {folder} {folder.stat().st_mtime_ns if folder else ''}".encode())
    for path in sorted(PACKAGE.rglob("*.py")):
        digest.update(path.relative_to(PACKAGE).as_posix().encode() + path.read_bytes())
    for rel in sorted(r for r in inputs if r.startswith("models/") or r == "content/site.yaml"):
        digest.update(rel.encode() + inputs[rel][2])
    digest.update(f"{out_dir}\0{base_url}".encode())
    return digest.hexdigest()


def current(last: "State | None", stamp: str) -> "State | None":
    """The last state, when it is for the same code, models, output folder and base URL."""
    return last if last is not None and last.stamp == stamp else None


def scan(root: Path, last: "State | None") -> dict[str, tuple]:
    """Every input file with its mtime, size and digest, hashing only those whose size or mtime differ from the
    last state's.
    A file modified in the last two seconds is hashed anyway: two saves within one timestamp tick can leave size and
    mtime unchanged (git's "racy clean" problem)."""
    found, recent, known = {}, time.time_ns() - 2_000_000_000, last.inputs if last is not None else {}
    for folder in WATCHED:
        for path in input_files(root / folder):
            rel = path.relative_to(root).as_posix()
            st = path.stat()
            old = known.get(rel)
            if old and old[:2] == (st.st_mtime_ns, st.st_size) and st.st_mtime_ns < recent:
                found[rel] = old
            else:
                found[rel] = (st.st_mtime_ns, st.st_size, hashlib.blake2b(path.read_bytes(), digest_size=16).digest())
    return found


def input_files(folder: Path) -> list[Path]:
    """The files under a folder, sorted, leaving out hidden ones and those in hidden folders (.git, .env, ...)."""
    if not folder.is_dir():
        return []
    return sorted(
        p
        for p in folder.rglob("*")
        if not any(part.startswith(".") for part in p.relative_to(folder).parts) and p.is_file()
    )


def manifest(out_dir: Path, dests) -> dict[str, tuple[int, int]]:
    """The size and mtime of each file of the output folder (a file missing: (-1, 0))."""
    found, folder = {}, str(out_dir)
    for dest in dests:
        try:
            st = os.stat(f"{folder}/{dest}")
            found[dest] = (st.st_size, st.st_mtime_ns)
        except OSError:
            found[dest] = (-1, 0)
    return found


def cache_dir(root: Path) -> Path:
    """Where a project's cache lives."""
    return root / ".cache" / "sitegen"


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused for the block: reading a large state makes a million objects, none
    of them garbage, and the collector would walk them again and again (a fifth of the time at 10,000 projects)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def template_cache(root: Path):
    """The project's compiled templates kept between runs (Jinja's own cache, and in memory for the preview's
    rebuilds), or None where its folder cannot be made (a read-only checkout, a `.cache` that is a file): then every
    template is compiled on each run. A file it cannot read whole (cut short by a full disk or a killed write) or
    cannot write is passed over, and the template compiled again."""
    import jinja2

    class TemplateCache(jinja2.FileSystemBytecodeCache):
        def __init__(self, folder: str):
            super().__init__(folder)
            self.codes: dict[str, tuple] = {}  # each template's source checksum and code, as last loaded or compiled

        def load_bytecode(self, bucket) -> None:
            checksum, bucket.code = self.codes.get(bucket.key, (None, None))
            if checksum != bucket.checksum:
                bucket.reset()
                try:
                    super().load_bytecode(bucket)
                except Exception:  # noqa: BLE001 - whatever is wrong with the file, compiling the template again mends it
                    bucket.reset()
                if bucket.code is not None:
                    self.codes[bucket.key] = bucket.checksum, bucket.code

        def dump_bytecode(self, bucket) -> None:
            self.codes[bucket.key] = bucket.checksum, bucket.code
            try:
                super().dump_bytecode(bucket)
            except OSError:
                pass

    folder = cache_dir(root) / "templates"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return TemplateCache(str(folder))
