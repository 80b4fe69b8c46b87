"""The committed history of content/, read from git: for each publish date (the committer date of the commits that
touched content/, in the order they were made), what changed as versions.compare() finds it: figures whose value,
qualifier, as-of date or source changed, items and sources added and removed, other edits counted. Nothing here
fails a build: without git, outside a repository or in a shallow clone the history is unavailable, and says why.
Only commits count: edits not yet committed are not history.

Two git processes per reading, whatever the length of the history: one `git log --raw` for every commit's changed
blobs, one `git cat-file --batch` for the file versions compared; `head()` (one `git rev-parse`) keys the result,
so a build at the same commit reads nothing again."""
from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from .kinds import Registry
from .versions import FOLDER, Difference, FigureChange, ItemChange, compare

__all__ = ["Entry", "FigureChange", "History", "ItemChange", "head", "read"]
TIMEOUT = 60  # seconds a git process may take before the history is given up as unavailable


@dataclass(frozen=True)
class Entry(Difference):
    """What one publish date changed (a Difference), with its date, its id on the changes page and its commits."""

    date: str = ""
    anchor: str = ""  # change-2026-11-30 (change-2026-11-30-2 when a date comes back after another)
    commits: tuple[str, ...] = ()


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
    read (git missing, not a repository, no commit yet, a shallow clone). Read from the repository's files where
    they are plain (every edit in the preview asks), else from `git rev-parse`."""
    return _head_from_files(root) or _head_from_git(root)


def _head_from_files(root: Path) -> tuple[str, str] | None:
    """head() from .git/HEAD and the branch's ref, loose or packed, in an ordinary repository; None where anything is
    less plain (a worktree or submodule's .git file, GIT_DIR set, a ref table, a symbolic ref elsewhere)."""
    if any(name in os.environ for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_COMMON_DIR", "GIT_CEILING_DIRECTORIES",
                                           "GIT_DISCOVERY_ACROSS_FILESYSTEM", "GIT_NAMESPACE", "GIT_SHALLOW_FILE")):
        return None
    project = root.resolve()
    top = next((folder for folder in (project, *project.parents) if (folder / ".git").exists()), None)
    if top is None:
        return "", "the project is not in a git repository"  # as git would say, without starting it on each edit
    if not (top / ".git").is_dir():
        return None
    git = top / ".git"
    try:
        said = (git / "HEAD").read_text(encoding="ascii").strip()
        if said.startswith("ref: refs/heads/"):
            ref = said[5:]
            loose = git / ref
            if loose.is_file():
                said = loose.read_text(encoding="ascii").strip()
            else:
                packed = (git / "packed-refs").read_text(encoding="ascii") if (git / "packed-refs").is_file() else ""
                said = next((line[:40] for line in packed.splitlines() if line.endswith(" " + ref)), "")
    except (OSError, UnicodeDecodeError):
        return None
    if len(said) != 40 or any(c not in "0123456789abcdef" for c in said):
        return None  # no commit yet, a ref table, SHA-256 object names: git says what it is
    if (git / "shallow").exists():
        return "", "the repository is a shallow clone"
    prefix = project.relative_to(top).as_posix()
    return f"{said}:{'' if prefix == '.' else prefix + '/'}", ""


def _head_from_git(root: Path) -> tuple[str, str]:
    """head() as `git rev-parse` tells it."""
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
        said = "" if isinstance(log, str) else log.stderr.decode("utf-8", "replace").strip().partition("\n")[0]
        return History(reason=log if isinstance(log, str) else f"git log failed: {said.removeprefix('fatal: ')}")
    commits = _commits(log.stdout, prefix)
    runs = _runs(commits)
    wanted = {blob for before, after, _, _ in runs for path in before.keys() | after.keys()
              if not before or before.get(path) != after.get(path) for blob in (before.get(path), after.get(path))}
    blobs = _cat(root, sorted(b for b in wanted if b))
    if blobs is None:
        return History(reason="git cat-file failed")
    entries, seen, memo = [], {}, {}  # memo: each file version and item text read once
    for before, after, date, shas in runs:
        n = seen[date] = seen.get(date, 0) + 1
        anchor = f"change-{date}" + (f"-{n}" if n > 1 else "")
        difference = compare(registry, before, after, blobs, memo)
        entries.append(Entry(**vars(difference), date=date, anchor=anchor, commits=shas))
    return History(key, tuple(reversed(entries)))


def _git(root: Path, *args: str, feed: bytes | None = None):
    """Run git in root (with `feed` on its standard input): its completed process, or why it could not run (a str).
    The settings that change what log prints are fixed, so that every machine reads the same history; git never
    asks for anything, nor fetches (a partial clone's missing blob is a failure, not a download)."""
    import subprocess  # here: a build whose HEAD did not move runs no git (1.5 ms of imports saved)

    env = dict(os.environ, LC_ALL="C", GIT_OPTIONAL_LOCKS="0", GIT_TERMINAL_PROMPT="0", GIT_NO_LAZY_FETCH="1")
    fixed = ("-c", "log.showSignature=false", "-c", "log.showRoot=true", "-c", "core.quotePath=false")
    try:
        return subprocess.run(["git", *fixed, *args], cwd=root, capture_output=True, timeout=TIMEOUT, env=env,
                              input=feed, stdin=None if feed is not None else subprocess.DEVNULL)
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
    done = _git(root, "cat-file", "--batch", feed="\n".join(blobs).encode() + b"\n")
    if isinstance(done, str) or done.returncode:
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
