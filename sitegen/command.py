"""The command line's build: with the state the last command-line build left in .cache/ (none with --fresh), and
nothing at all to do when no input, commit or output file changed since; optionally verified against a fresh build."""

from __future__ import annotations

import filecmp
import shutil
import tempfile
from pathlib import Path
from typing import NamedTuple

from .errors import SiteError
from .incremental import cache, store
from .output.swap import recover
from .site.urls import LOCAL_BASE_URL


class Outcome(NamedTuple):
    """What a command-line build did, as it reports it."""

    pages: int
    files: int
    bytes: int
    seconds: float
    warnings: list[SiteError]
    rendered: int
    written: int


class VerifyFailed(Exception):
    """An incremental build that differs from a fresh one: a bug in the generator."""


def build_from_cache(
    root: Path, out_dir: Path, base_url: str | None, write: bool = True, fresh: bool = False, verify: bool = False
) -> Outcome:
    """A command-line build: what a killed build left undone first, then the build from the last build's state
    (unless `fresh`, or it cannot be trusted), whose state is then written back. With `verify`, the output is then
    compared with a fresh build's, byte for byte (VerifyFailed names the first file that differs)."""
    out_dir = out_dir.resolve()
    if write:
        recover(out_dir)
    last = None if fresh else store.load(root, out_dir)
    result = _unchanged(root, out_dir, base_url, last) if write and last is not None else None
    if result is None:
        from .pipeline import build  # here: a build that finds nothing changed does not import the renderer

        built = build(root, out_dir, base_url, write=write, last=last, templates=cache.template_cache(root))
        if write:
            store.save(root, built.state, out_dir, last)
        result = Outcome(
            built.pages, built.files, built.bytes, built.seconds, built.warnings, built.rendered, built.written
        )
    if verify and write:
        compare_with_fresh(root, out_dir, base_url)
    return result


def _unchanged(root: Path, out_dir: Path, base_url: str | None, last: cache.State) -> Outcome | None:
    """The last build's result when nothing it read changed (every input file, the commit of the history, the
    generator; the output folder was checked as the state was loaded), else None."""
    from .content import history
    from .content.validate import fingerprint

    inputs = cache.scan(root, last)
    if inputs != last.inputs or cache.stamp(root, out_dir, base_url or LOCAL_BASE_URL, inputs) != last.stamp:
        return None
    if fingerprint("history", history.head(root)[0]) not in last.parsed:  # another commit: another history
        return None
    files = last.held()
    pages = sum(1 for dest in last.outputs if dest.endswith(".html"))
    return Outcome(pages, len(files), sum(f.size for f in files.values()), 0.0, list(last.warnings), 0, 0)


def compare_with_fresh(root: Path, out_dir: Path, base_url: str | None) -> None:
    """Build afresh into a temporary folder and compare it with out_dir file by file; raise VerifyFailed naming the
    first file that differs."""
    from .pipeline import build

    with tempfile.TemporaryDirectory(prefix="sitegen-verify-") as folder:
        fresh = Path(folder) / "site"
        build(root, fresh, base_url)
        ours, theirs = _files(out_dir), _files(fresh)
        for rel in sorted(ours | theirs):
            if rel not in ours or rel not in theirs or not filecmp.cmp(out_dir / rel, fresh / rel, shallow=False):
                what = "is missing" if rel not in ours else "should not be there" if rel not in theirs else "differs"
                kept = shutil.copytree(fresh, out_dir.with_name(f".{out_dir.name}.verify"), dirs_exist_ok=True)
                raise VerifyFailed(f"{out_dir / rel} {what} from a fresh build (kept in {kept} to compare)")


def _files(folder: Path) -> set[str]:
    """Every file under a folder, by relative path."""
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
