"""Outputs -> a staging folder -> swapped into place whole; guards against escaping paths and double writes."""
from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Container, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .errors import Location, Problems


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

    def hollow(self) -> "Output":
        """The same file without its bytes."""
        return Output(self.dest, b"", self.origin, self.size, self.digest)


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
            place = next((o.origin for o in (out, first) if o.origin.startswith("static/")), out.origin)  # a file to fix
            problems.error(Location(place), f"'{out.dest}' is written twice: by {first.origin} and by {out.origin}",
                           f"rename or remove {place}: the build makes {out.dest} itself" if place.startswith("static/")
                           else "give one of them another id or file name")
        else:
            seen[out.dest.lower()] = out


@contextmanager
def staging(out_dir: Path) -> Iterator[Path]:
    """A new, empty folder beside out_dir to build the site in; whatever write_site did not swap into place is
    removed afterwards, so a failed build leaves out_dir as it was."""
    out_dir = out_dir.resolve()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    _remove_abandoned(out_dir)
    folder = out_dir.with_name(f".{out_dir.name}.staging-{os.getpid()}")
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _remove_abandoned(out_dir: Path) -> None:
    """Remove staging and old folders left beside out_dir by builds that were killed (their process is gone)."""
    for folder in out_dir.parent.glob(f".{out_dir.name}.*-*"):
        kind, _, pid = folder.name.removeprefix(f".{out_dir.name}.").rpartition("-")
        if kind not in ("staging", "old") or not pid.isdigit() or not folder.is_dir():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            shutil.rmtree(folder, ignore_errors=True)
        except OSError:  # alive, or not ours to signal: leave it
            pass


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
    finally:
        os.close(fd)


def write_site(outputs: list[Output], out_dir: Path, staged: Path) -> int:
    """Write every output not yet in the staging folder (those with bytes: pages written while they were rendered
    are hollow), then swap the staging folder in for out_dir; return the bytes written here."""
    out_dir = out_dir.resolve()
    old = out_dir.with_name(f".{out_dir.name}.old-{os.getpid()}")
    total = 0
    try:
        for out in sorted(outputs, key=lambda o: o.dest):
            if out.data or not out.size:
                write_file(str(staged), out.dest, out.data)
                total += len(out.data)
        if out_dir.exists():
            os.replace(out_dir, old)
        os.replace(staged, out_dir)
    finally:
        shutil.rmtree(old, ignore_errors=True)
    return total


def update_site(old: dict[str, Output], new: dict[str, Output], out_dir: Path) -> int:
    """Bring a built site from `old` to `new` in place: write files whose bytes changed, delete dropped ones.

    Only for an output folder known to hold `old` (the preview's own, or one the cache's manifest vouched for)."""
    written = 0
    changed = [dest for dest, out in new.items() if old.get(dest) is not out]  # most are the very same output
    for dest in sorted(changed):
        out = new[dest]
        if dest in old and old[dest].digest == out.digest:  # the caller vouches that out_dir still holds `old`
            continue
        path = out_dir / dest
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
        tmp.write_bytes(out.data)
        os.replace(tmp, path)
        written += 1
    for dest in sorted(old.keys() - new.keys()):
        (out_dir / dest).unlink(missing_ok=True)
        _prune(out_dir / dest, out_dir)
    return written


def _prune(path: Path, out_dir: Path) -> None:
    """Remove folders left empty by a deleted file, up to the output folder."""
    folder = path.parent
    while folder != out_dir and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent
