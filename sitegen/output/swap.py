"""Files into the output folder whole: a staging folder swapped in for it, or changed files swapped in under a
journal. Ctrl-C and SIGTERM wait while files are swapped; what a SIGKILL leaves beside the output folder,
recover() rolls back or finishes before the next build does anything else."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from ..proc import signals_held

# What builds leave beside out_dir, in the order recover() visits them ("index": the search index's work folder).
KINDS = ("old", "update", "staging", "index", "trash")


def recover(out_dir: Path) -> None:
    """Undo or finish what builds that were killed (their process is gone) left beside out_dir, before anything else:
    a swap cut short is rolled back from its journal (or, once committed, finished), an output folder moved aside
    is put back, staging folders are removed. Afterwards out_dir holds one build's files, whole."""
    out_dir = out_dir.resolve()
    prefix = f".{out_dir.name}."
    try:
        names = [n for n in os.listdir(out_dir.parent) if n.startswith(prefix)]
    except OSError:
        return
    found = []
    for name in names:
        kind, _, pid = name.removeprefix(prefix).rpartition("-")
        if kind in KINDS and pid.isdigit() and not _alive(int(pid)):
            found.append((KINDS.index(kind), name))
    for _, name in sorted(found):
        folder = out_dir.parent / name
        if name.startswith(f"{prefix}old-") and not out_dir.exists():
            os.replace(folder, out_dir)  # killed between moving the old site aside and moving the new one in
        elif name.startswith(f"{prefix}update-"):
            settle(out_dir, folder)
        else:
            shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    """True unless the process is gone (one we may not signal is alive)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        pass
    return True


def beside(out_dir: Path, kind: str) -> Path:
    """This process's folder of a kind beside out_dir (recover() knows them by their names)."""
    return out_dir.with_name(f".{out_dir.name}.{kind}-{os.getpid()}")


def swap_folder(staged: Path, out_dir: Path) -> None:
    """Put the staging folder in place of out_dir (whatever stops the build, out_dir is the old site or the new one);
    remove the old site."""
    old, trash = beside(out_dir, "old"), beside(out_dir, "trash")
    with signals_held():
        try:
            if out_dir.exists():
                os.replace(out_dir, old)
            try:
                os.replace(staged, out_dir)
            except BaseException:
                if old.exists():
                    os.replace(old, out_dir)
                raise
            if old.exists():  # renamed before it is removed: recover() never puts a folder half removed back
                os.replace(old, trash)
        finally:
            shutil.rmtree(trash, ignore_errors=True)


def swap_files(out_dir: Path, work: Path, changed: list[str], removed: list[str]) -> None:
    """Move the files under work/new (the i-th changed file as work/new/i) into out_dir and the dropped ones out,
    each replaced or dropped file first moved to work/old (as c<i> or r<i>: flat names, so no folders are made beside
    the site). The journal, written before the first move, names every file; the file `done`, made after the last,
    commits: until then settle() puts every old file back."""
    journal = work / "journal"
    journal.with_suffix(".tmp").write_text(json.dumps({"changed": changed, "removed": removed}), encoding="utf-8")
    os.replace(journal.with_suffix(".tmp"), journal)
    (work / "old").mkdir(exist_ok=True)
    for i, dest in enumerate(removed):
        _move(out_dir / dest, work / "old" / f"r{i}")
    for i, dest in enumerate(changed):
        _move(out_dir / dest, work / "old" / f"c{i}")
        _move(work / "new" / str(i), out_dir / dest)
    (work / "done").touch()


def settle(out_dir: Path, work: Path) -> None:
    """Finish a swap (its journal committed: remove the folders its dropped files leave empty) or undo it (put back
    every file it moved), then remove its folder."""
    try:
        journal = json.loads((work / "journal").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        journal = None  # never written, or cut short: no file was moved yet
    if journal is not None and (work / "done").exists():
        for dest in journal["removed"]:
            _prune(out_dir / dest, out_dir)
    elif journal is not None:
        for i, dest in enumerate(journal["changed"]):
            if (work / "old" / f"c{i}").exists():
                _move(work / "old" / f"c{i}", out_dir / dest)
            elif not (work / "new" / str(i)).exists():  # a new file that got in place, with none before it
                (out_dir / dest).unlink(missing_ok=True)
            _prune(out_dir / dest, out_dir)  # a folder made for a new file
        for i, dest in enumerate(journal["removed"]):
            if (work / "old" / f"r{i}").exists():
                _move(work / "old" / f"r{i}", out_dir / dest)
    shutil.rmtree(work, ignore_errors=True)


def _move(src: Path, dst: Path) -> None:
    """Rename src to dst, making dst's folder if needed; nothing when there is no src."""
    try:
        os.replace(src, dst)
    except FileNotFoundError:
        if not os.path.lexists(src):
            return
        dst.parent.mkdir(parents=True, exist_ok=True)
        os.replace(src, dst)


def _prune(path: Path, out_dir: Path) -> None:
    """Remove folders left empty by a deleted file, up to the output folder."""
    folder = path.parent
    while folder != out_dir and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent
