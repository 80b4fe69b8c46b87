"""Files into the output folder, whole: a full build writes the site into a staging folder swapped in for it; a build
into a folder whose files are known (its manifest: what each holds) writes only the files whose bytes differ, beside
it, and swaps them in under a journal (swap.py). Either way an interrupted build leaves the old site or the new one,
whole. Only a folder a build made (it holds the marker) is ever replaced; no path may leave it or be written twice."""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple, Protocol

from ..errors import BuildFailed, Location, Problems, SiteError
from ..proc import signals_held
from .swap import beside, settle, swap_files, swap_folder


@dataclass(frozen=True)
class Output:
    """One file to write: `dest` relative to the output folder, its bytes, and what produced it (for errors)."""

    dest: str
    data: bytes
    origin: str

    @property
    def file(self) -> "File":
        """What the file is once written: its path, size and digest."""
        return File(self.dest, len(self.data), digest(self.data))


class File(NamedTuple):
    """A file of the output folder as a build wrote it (or will): its path, size and digest."""

    dest: str
    size: int
    digest: bytes


def digest(data: bytes) -> bytes:
    """A short content hash, used to tell files apart between builds (SHA-256, cut to 16 bytes: twice as fast as
    BLAKE2 on processors with SHA instructions)."""
    return hashlib.sha256(data).digest()[:16]


def safe_dest(dest: str) -> bool:
    """True when a dest path stays inside the output folder."""
    return (
        bool(dest)
        and not dest.startswith("/")
        and "\\" not in dest
        and "\0" not in dest
        and ".." not in dest.split("/")
    )


def check_outputs(outputs: list[tuple[str, str]], problems: Problems) -> None:
    """Refuse paths (dest, origin) that leave the output folder, and two claiming one path (in any case: a file
    system may not tell them apart)."""
    dests = [dest for dest, _ in outputs]
    if all(map(safe_dest, dests)) and len({d.lower() for d in dests}) == len(dests):
        return  # the usual case, checked without building messages; otherwise each output is looked at below
    seen: dict[str, str] = {}
    for dest, origin in outputs:
        if not safe_dest(dest):
            problems.error(Location(origin), f"output path '{dest}' would leave the output folder")
        elif dest.lower() in seen:
            first = seen[dest.lower()]
            place = next((o for o in (origin, first) if o.startswith("static/")), origin)  # a file to fix
            problems.error(
                Location(place),
                f"'{dest}' is written twice: by {first} and by {origin}",
                f"rename or remove {place}: the build makes {dest} itself"
                if place.startswith("static/")
                else "give one of them another id or file name",
            )
        else:
            seen[dest.lower()] = origin


MARKER = ".sitegen-output"  # in every output folder a build made: only such a folder is ever replaced
MARKER_TEXT = b"This folder is made by build.py (the site generator), which replaces it whole.\n"


def foreign(out_dir: Path) -> bool:
    """True when out_dir holds files but no build made it (no marker): a build must not replace it."""
    return out_dir.is_dir() and not (out_dir / MARKER).is_file() and any(out_dir.iterdir())


@contextmanager
def written_or_failed(out_dir: Path, shown: str) -> Iterator[None]:
    """Turn a write that failed in the block (a full disk, a folder that cannot be made) into the user's error,
    named by the output file it was for (`shown`: out_dir as the user knows it) rather than a temporary name."""
    try:
        yield
    except OSError as exc:
        error = _write_error(exc, out_dir.resolve(), shown)
        if error is None:  # not about the output
            raise
        raise BuildFailed([error]) from None


def _write_error(exc: OSError, out_dir: Path, shown: str) -> SiteError | None:
    """The error for a failed write under out_dir or a folder of the build beside it; None for any other path."""
    try:
        parts = Path(os.path.realpath(exc.filename or "")).relative_to(out_dir.parent).parts
    except (TypeError, ValueError):
        return None
    if not parts or not (parts[0] == out_dir.name or parts[0].startswith(f".{out_dir.name}.")):
        return None
    rest = parts[1:]
    if parts[0].startswith(f".{out_dir.name}.update-") and rest[:1] in (("new",), ("old",)):
        rest = rest[1:]
    what = "this file" if rest else "into this folder"
    full = exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)
    return SiteError(
        Location("/".join((shown, *rest))),
        f"cannot write {what}: {exc.strerror or exc}",
        ("free some space and build again" if full else "choose an --out you can write to")
        + "; the old site was left as it was",
    )


NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0)


def write_file(folder: str, dest: str, data: bytes) -> None:
    """Write one new file under a folder (a staging folder: nothing to replace), making its parent folders. With
    the os module's calls: open() would add an fstat, an ioctl and an lseek to each of 11,000 pages, and a folder
    is made only when opening the file found none."""
    path = f"{folder}/{dest}"
    try:
        fd = os.open(path, NEW_FILE, 0o666)
    except FileNotFoundError:
        parent = path.rpartition("/")[0]
        try:
            os.mkdir(parent)
        except FileNotFoundError:
            os.makedirs(parent, exist_ok=True)
        except FileExistsError:
            pass
        fd = os.open(path, NEW_FILE, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    except OSError as exc:  # a full disk: say which file
        raise OSError(exc.errno, exc.strerror, path) from None
    finally:
        os.close(fd)


class Sink(Protocol):
    """Where a build's files go: Staging, Update, or pipeline.Memory (a check, which writes nothing)."""

    def put(self, out: Output) -> File: ...

    def keep(self, file: File) -> None: ...

    def read(self, dest: str) -> bytes: ...

    def commit(self) -> int: ...


class Staging:
    """A full build's writer: every file goes into a new folder beside the output folder as it is made; commit()
    swaps that folder in for the output folder whole. Used as a context: whatever was not committed is removed."""

    def __init__(self, out_dir: Path):
        self.out_dir = out_dir.resolve()
        self.folder = beside(self.out_dir, "staging")
        self.files: dict[str, File] = {}

    def __enter__(self) -> "Staging":
        self.out_dir.parent.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir()
        return self

    def __exit__(self, *exc) -> None:
        with signals_held():
            shutil.rmtree(self.folder, ignore_errors=True)

    def put(self, out: Output) -> File:
        """Write one file (a path that would leave the folder is never written: check_outputs reports it)."""
        if safe_dest(out.dest):
            write_file(str(self.folder), out.dest, out.data)
        self.files[out.dest] = out.file
        return self.files[out.dest]

    def keep(self, file: File) -> None:
        """Never asked: a full build has no folder to keep a file from (it writes every file)."""
        raise TypeError(f"a full build keeps no file: {file.dest}")

    def read(self, dest: str) -> bytes:
        """The bytes of a file written."""
        return (self.folder / dest).read_bytes()

    def commit(self) -> int:
        """Add the marker and swap the folder in for the output folder; return the number of files written."""
        write_file(str(self.folder), MARKER, MARKER_TEXT)
        swap_folder(self.folder, self.out_dir)
        return len(self.files)


class Update:
    """A writer into an output folder whose files are known (`held`: each file's size and digest, as the last build
    wrote them): a file whose bytes differ is written beside the folder as it is made; commit() swaps those in and
    takes out the held files no longer made, under a journal. Used as a context: whatever was not committed is
    removed, and the output folder is left as it was."""

    def __init__(self, out_dir: Path, held: dict[str, File]):
        self.out_dir, self.held = out_dir.resolve(), held
        self.work = beside(self.out_dir, "update")
        self.files: dict[str, File] = {}
        self.changed: list[str] = []
        self.slots: dict[str, int] = {}  # dest -> its number among the files written beside the folder

    def __enter__(self) -> "Update":
        shutil.rmtree(self.work, ignore_errors=True)
        return self

    def __exit__(self, *exc) -> None:
        with signals_held():
            settle(self.out_dir, self.work)

    def put(self, out: Output) -> File:
        """Write one file beside the folder, unless the folder holds it already."""
        file = self.files[out.dest] = out.file
        held = self.held.get(out.dest)
        if (held is None or held.digest != file.digest) and safe_dest(out.dest):
            self.slots[out.dest] = len(self.changed)
            try:
                write_file(f"{self.work}/new", str(len(self.changed)), out.data)  # flat: no folders beside the site
            except OSError as exc:  # named as the site's file (written_or_failed says which)
                raise OSError(exc.errno, exc.strerror, str(self.out_dir / out.dest)) from None
            self.changed.append(out.dest)
        return file

    def keep(self, file: File) -> None:
        """Keep a file the folder holds as it is."""
        self.files[file.dest] = file

    def read(self, dest: str) -> bytes:
        """The bytes of a file as the folder will hold it: written beside it, or held."""
        if dest in self.slots:
            return (self.work / "new" / str(self.slots[dest])).read_bytes()
        return (self.out_dir / dest).read_bytes()

    def commit(self) -> int:
        """Swap the written files in and the dropped ones out; return the number of files written."""
        removed = sorted(self.held.keys() - self.files.keys())
        if self.changed or removed:
            self.work.mkdir(exist_ok=True)
            with signals_held():
                swap_files(self.out_dir, self.work, self.changed, removed)
        return len(self.changed)
