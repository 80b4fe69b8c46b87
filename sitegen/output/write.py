"""Outputs -> a staging folder -> swapped into place whole; guards against escaping paths and double writes.

A full build writes the whole site into a staging folder, an incremental one only the changed files into a folder
beside the output folder; swap.py puts them in place, so that an interrupted build leaves the old site or the new
one, whole. Only a folder a build made (it holds the marker) is ever replaced."""
from __future__ import annotations

import errno
import hashlib
import os
import shutil
from collections.abc import Container, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ..errors import BuildFailed, Location, Problems, SiteError
from .swap import beside, settle, signals_held, swap_files, swap_folder


@dataclass(frozen=True)
class Output:
    """One file to write: `dest` relative to the output folder, its bytes, and what produced it.

    `size` and `digest` describe the bytes; they survive `hollow()`, which drops the bytes of a file already
    written (what the on-disk cache keeps of the last build)."""

    dest: str
    data: bytes
    origin: str
    size: int = -1
    digest: bytes = b""

    def __post_init__(self):
        if self.size < 0:
            object.__setattr__(self, "size", len(self.data))
            object.__setattr__(self, "digest", digest(self.data))

    def hollow(self) -> "Written":
        """The same file, once on disk: without its bytes."""
        return Written(self.dest, b"", self.origin, self.size, self.digest)


@dataclass(frozen=True)
class Written(Output):
    """A file already on disk: its path, origin, size and digest, no bytes (what the state keeps of the last build,
    and what a worker that wrote a page straight to the staging folder hands back)."""

    def hollow(self) -> "Written":
        """Itself: it holds no bytes."""
        return self


def digest(data: bytes) -> bytes:
    """A short content hash, used to tell files apart between builds (SHA-256, cut to 16 bytes: twice as fast as
    BLAKE2 on processors with SHA instructions)."""
    return hashlib.sha256(data).digest()[:16]


def safe_dest(dest: str) -> bool:
    """True when a dest path stays inside the output folder."""
    return (bool(dest) and not dest.startswith("/") and "\\" not in dest and "\0" not in dest
            and ".." not in dest.split("/"))


def check_outputs(outputs: list[Output], problems: Problems, known: Container[str] = ()) -> None:
    """Refuse paths that leave the output folder and two outputs claiming one path. `known`: the paths of the last
    successful build, all of them safe and distinct without regard to case; after an edit that keeps every page,
    only their number needs checking (the full check cost 8 ms at 10,000 pages)."""
    dests = [out.dest for out in outputs]
    if known and len(set(dests)) == len(dests) and all(map(known.__contains__, dests)):
        return
    if all(map(safe_dest, dests)) and len({d.lower() for d in dests}) == len(dests):
        return  # the usual case, checked without building messages; otherwise each output is looked at below
    seen: dict[str, Output] = {}
    for out in outputs:
        if not safe_dest(out.dest):
            problems.error(Location(out.origin), f"output path '{out.dest}' would leave the output folder")
        elif out.dest.lower() in seen:
            first = seen[out.dest.lower()]
            # a file to fix
            place = next((o.origin for o in (out, first) if o.origin.startswith("static/")), out.origin)
            problems.error(Location(place), f"'{out.dest}' is written twice: by {first.origin} and by {out.origin}",
                           f"rename or remove {place}: the build makes {out.dest} itself" if place.startswith("static/")
                           else "give one of them another id or file name")
        else:
            seen[out.dest.lower()] = out


MARKER = ".sitegen-output"  # in every output folder a build made: only such a folder is ever replaced
MARKER_TEXT = b"This folder is made by build.py (the Jiangyin profile generator), which replaces it whole.\n"


def foreign(out_dir: Path) -> bool:
    """True when out_dir holds files but no build made it (no marker): a build must not replace it."""
    return out_dir.is_dir() and not (out_dir / MARKER).is_file() and any(out_dir.iterdir())


@contextmanager
def staging(out_dir: Path) -> Iterator[Path]:
    """A new, empty folder beside out_dir to build the site in; whatever write_site did not swap into place is
    removed afterwards, so a failed build leaves out_dir as it was."""
    out_dir = out_dir.resolve()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    folder = beside(out_dir, "staging")
    shutil.rmtree(folder, ignore_errors=True)
    try:
        folder.mkdir()
        yield folder
    finally:
        with signals_held():
            shutil.rmtree(folder, ignore_errors=True)


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
    return SiteError(Location("/".join((shown, *rest))), f"cannot write {what}: {exc.strerror or exc}",
                     ("free some space and build again" if full else "choose an --out you can write to")
                     + "; the old site was left as it was")


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
            view = view[os.write(fd, view):]
    except OSError as exc:  # a full disk: say which file
        raise OSError(exc.errno, exc.strerror, path) from None
    finally:
        os.close(fd)


def write_site(outputs: list[Output], out_dir: Path, staged: Path) -> int:
    """Write every output not yet in the staging folder (those with bytes: pages written while they were rendered
    are hollow), and the marker; then swap the staging folder in for out_dir. Return the bytes written here."""
    total = 0
    for out in sorted(outputs, key=lambda o: o.dest):
        if not isinstance(out, Written):  # pages written while they were rendered come back as Written
            write_file(str(staged), out.dest, out.data)
            total += len(out.data)
    write_file(str(staged), MARKER, MARKER_TEXT)
    swap_folder(staged, out_dir.resolve())
    return total


def update_site(old: dict[str, Output], new: dict[str, Output], out_dir: Path) -> int:
    """Bring a built site from `old` to `new`: the files whose bytes changed are written beside it, then swapped in
    with the dropped files taken out, under a journal (swap.swap_files); return the number of files written.

    Only for an output folder known to hold `old` (the preview's own, or one the cache's manifest vouched for)."""
    changed = [dest for dest, out in new.items() if old.get(dest) is not out]  # most are the very same output
    changed = sorted(d for d in changed if d not in old or old[d].digest != new[d].digest)
    removed = sorted(old.keys() - new.keys())
    if not changed and not removed:
        return 0
    out_dir = out_dir.resolve()
    work = beside(out_dir, "update")
    shutil.rmtree(work, ignore_errors=True)
    try:
        for i, dest in enumerate(changed):
            write_file(f"{work}/new", str(i), new[dest].data)  # flat: no folders to make beside the site
        with signals_held():
            swap_files(out_dir, work, changed, removed)
    finally:
        with signals_held():
            settle(out_dir, work)
    return len(changed)
